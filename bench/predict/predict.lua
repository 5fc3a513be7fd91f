-- wrk script of bench/predict/run.sh: POSTs the JSON body in PREDICT_BODY
-- (one Pima instance) with the API key in MODELHOST_KEY to the URL given on
-- wrk's command line.
wrk.method = "POST"
wrk.body = os.getenv("PREDICT_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("MODELHOST_KEY")

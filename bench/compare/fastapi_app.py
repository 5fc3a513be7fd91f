"""bench/compare's do-it-yourself serving baseline: FastAPI + uvicorn, the
trained Pima model's numbers (exported by `peers.py export_pima` to the .npz
named by PIMA_WEIGHTS) applied with numpy — standardize, Dense relu, Dense
relu, Dense sigmoid. Same request and answer shape as modelhost's
POST /v1/models/{name}:predict:

  {"instances": [{"pregnant": 6, ...}, ...]}
  -> {"predictions": [{"label": 1, "probability": 0.57}, ...]}

Run: uvicorn fastapi_app:app --app-dir bench/compare"""
import os

import numpy as np
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

weights = np.load(os.environ["PIMA_WEIGHTS"])
names = [str(name) for name in weights["names"]]
center, scale = weights["center"], weights["scale"]
layers = [(weights[f"kernel{i}"].astype(np.float64), weights[f"bias{i}"].astype(np.float64))
          for i in range(3)]
app = FastAPI()


class PredictRequest(BaseModel):
    instances: list[dict[str, float]]


@app.post("/v1/models/pima:predict")
def predict(request: PredictRequest):
    try:
        x = np.array([[instance[name] for name in names] for instance in request.instances])
    except KeyError as missing:
        raise HTTPException(status_code=400, detail=f"instance lacks feature {missing}")
    h = (x - center) / scale
    for kernel, bias in layers[:-1]:
        h = np.maximum(h @ kernel + bias, 0.0)
    kernel, bias = layers[-1]
    p = 1.0 / (1.0 + np.exp(-(h @ kernel + bias)[:, 0]))
    return {"predictions": [{"label": int(v >= 0.5), "probability": float(v)} for v in p]}

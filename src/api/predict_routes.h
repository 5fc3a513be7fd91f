// The prediction routes (issue 5, step 5), TensorFlow Serving's request shape
// with raw named fields:
//
//   POST /v1/models/{name}:predict
//   POST /v1/models/{name}/versions/{version}:predict
//   POST /v1/models/{name}/aliases/{alias}:predict          (predict scope)
//
//   {"instances": [{"glucose": 148, "mass": 33.6, …}, …]}   objects by field name
//   {"instances": [[6, 148, 72, …], …]}                     or arrays in input order
//
//   → {"model": "pima", "model_version": 3,
//      "predictions": [{"probability": 0.71, "label": 1}, …]}
//
// Without a version or alias, the "production" alias, else the latest
// version (serve/model_cache.h). The model's fitted pipeline runs on the raw
// fields, so a missing field is fine exactly when the pipeline imputes it.
// Each prediction by target encoding: binary {"probability", "label"};
// classes {"probabilities": {label: p, …}, "label"}; a number {"prediction"}.
// Labels are JSON numbers or booleans when the training column was.
// Errors: 400 naming the instance index and field; 404 naming the model,
// version or alias; 413 above max_instances instances; 429 when the model's
// batch queue is full, 503 when it is stopping.
//
// Threads: the handler parses the instances and runs the fitted pipeline on
// its I/O thread, then hands the feature rows to the model's batcher; the
// forward pass and the JSON answer happen on the batcher's worker
// (api/prediction_handoff.h). The cache and loaded models are thread-safe.

#ifndef MODELHOST_API_PREDICT_ROUTES_H_
#define MODELHOST_API_PREDICT_ROUTES_H_

#include <cstddef>

#include "api/router.h"
#include "serve/model_cache.h"

namespace modelhost::api {

// The most instances (rows) one prediction request may carry by default.
inline constexpr size_t kDefaultMaxInstances = 10'000;

struct PredictRoutesOptions {
  // Must outlive the server.
  serve::ModelCache* cache = nullptr;
  // Most instances one request may carry.
  size_t max_instances = kDefaultMaxInstances;
};

void AddPredictRoutes(Router& router, PredictRoutesOptions options);

}  // namespace modelhost::api

#endif  // MODELHOST_API_PREDICT_ROUTES_H_

// The KServe Open Inference Protocol v2 (REST) for registered models, so an
// unmodified Triton or KServe HTTP client can call them:
//
//   GET  /v2/models/{name}[/versions/{version}]           read     model metadata
//   GET  /v2/models/{name}[/versions/{version}]/ready     read     200 when it loads
//   POST /v2/models/{name}[/versions/{version}]/infer     predict  inference
//
// A tabular model's inputs are its raw columns (the fitted pipeline's input
// columns, else its features), one tensor each, shape [-1] (a [N, 1] request
// shape is accepted too), datatype by column type: FP64, INT64, BOOL, BYTES
// (text). Outputs by target encoding:
//   binary   "probability" FP32 [N], "label" [N]
//   classes  "probabilities" FP32 [N, k] (k in label order), "label" [N]
//   number   "prediction" FP32 [N]
// with "label" INT64, FP64, BOOL or BYTES as the training column was. The
// request's "outputs" list, when given, picks among them; "id" is echoed.
// An input's optional "datatype" must fit its column (INT64, FP32 or FP64 for
// a number, BOOL, BYTES for text), its optional "shape" be [N] or [N, 1] with
// N its rows, its "data" be flat or [N, 1] nested; every input has N rows,
// at most max_rows.
// Without a version: the "production" alias, else the latest
// (serve/model_cache.h). Errors are the protocol's {"error": "…"} with 400
// (bad request, naming the input and instance), 404 (unknown model or
// version), 413 (more than max_rows rows), 429 (the model's batch queue is
// full), 503 (it is stopping) or 500.
//
// Threads: infer parses the tensors and runs the fitted pipeline on the I/O
// thread, then hands the rows to the model's batcher; the forward pass and
// the answer happen on the batcher's worker (api/prediction_handoff.h).

#ifndef MODELHOST_API_KSERVE_ROUTES_H_
#define MODELHOST_API_KSERVE_ROUTES_H_

#include <cstddef>

#include "api/predict_routes.h"
#include "api/router.h"
#include "serve/model_cache.h"
#include "store/metadata_store.h"

namespace modelhost::api {

// `store` and `cache` must outlive the server. An infer request of more than
// `max_rows` rows is refused (413), as :predict refuses more instances.
void AddKserveRoutes(Router& router, store::MetadataStore* store, serve::ModelCache* cache,
                     size_t max_rows = kDefaultMaxInstances);

}  // namespace modelhost::api

#endif  // MODELHOST_API_KSERVE_ROUTES_H_

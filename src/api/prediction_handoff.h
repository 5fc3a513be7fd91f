// HandOffPrediction: how the predict and KServe infer routes answer. The
// handler, on its I/O thread, parses the request and turns its records into
// feature rows (cheap, and parallel across I/O threads); this hands the rows
// to the model's batcher (serve/loaded_model.h) and returns at once, so the
// forward pass never runs on an I/O thread. When the batch has run, `answer`
// turns the outputs into the HTTP response on the batcher's worker, and the
// Responder takes it back to the connection.
//
// When the batcher refuses the rows, `answer` gets its error at once, on the
// calling thread: ResourceExhausted (queue full → 429), Unavailable
// (stopping → 503), both with "Retry-After: 1". Each route's `answer` maps
// errors to its own body shape.
//
// Thread-safety: call from any thread; `answer` runs exactly once, on the
// caller's thread or the model's batcher worker.

#ifndef MODELHOST_API_PREDICTION_HANDOFF_H_
#define MODELHOST_API_PREDICTION_HANDOFF_H_

#include <functional>

#include "api/http_response.h"
#include "api/responder.h"
#include "core/result.h"
#include "nn/matrix.h"
#include "serve/loaded_model.h"

namespace modelhost::api {

// Builds the response from a request's output rows, or from the error that
// answers it. Must own, not borrow, what it reads from the request (it runs
// after the handler returned), and must not own a reference to the
// LoadedModel (see serve/loaded_model.h); the model's description may be
// borrowed by pointer, as the model outlives its queued requests.
using PredictionAnswer = std::function<HttpResponse(core::Result<nn::Matrix> outputs)>;

// Queues `features` on `model` and answers through `responder` with
// `answer(outputs)` once they are predicted, or `answer(error)` when they
// cannot be queued. Never blocks.
void HandOffPrediction(serve::LoadedModel& model, nn::Matrix features, Responder responder,
                       PredictionAnswer answer);

}  // namespace modelhost::api

#endif  // MODELHOST_API_PREDICTION_HANDOFF_H_

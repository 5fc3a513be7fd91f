// LoadedModel: one registered model version in memory, ready to answer — its
// record, its model directory (schema, fitted pipeline, network) and the
// DynamicBatcher that runs its forward passes. ModelCache (model_cache.h)
// creates and shares them.
//
//   std::shared_ptr<LoadedModel> model = cache.Get("pima", {}).value();
//   nn::Matrix features = …;  // the request's rows through the fitted pipeline
//   core::Status queued = model->Predict(std::move(features),
//       [](core::Result<nn::Matrix> outputs) { … answer the client … });
//
// Predict never runs the network on the calling thread: the rows queue for
// the model's batcher (serve/dynamic_batcher.h), whose worker thread stacks
// the rows of several requests into one forward pass (batched_prediction.h)
// and calls each request's `done` with its own output rows. The batch rule,
// latency bound and back-pressure are the batcher's: a full queue fails at
// once with ResourceExhausted (HTTP 429), a stopping one with Unavailable (503).
//
// Lifetime: destroying a LoadedModel first stops its batcher, which runs every
// queued request before the network goes away, so a version dropped from the
// cache (evicted, or no longer named by an alias) answers all it accepted. The
// destructor blocks until then; it runs on whichever thread drops the last
// shared_ptr, which must not be the batcher's worker — hence `done` must
// not own a reference to its LoadedModel.
//
// Metrics (when the cache has a registry), labelled {model, version}:
//   modelhost_predictions_total             rows answered
//   modelhost_inference_latency_seconds     per request, Predict to answer
//   modelhost_batch_rows                    rows per forward pass
//   modelhost_batch_queue_depth             requests waiting
//   modelhost_batch_queue_rejected_total    requests refused: queue full
//
// Thread-safety: every method may be called from any thread concurrently.

#ifndef MODELHOST_SERVE_LOADED_MODEL_H_
#define MODELHOST_SERVE_LOADED_MODEL_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "core/metrics.h"
#include "core/result.h"
#include "model/model_directory.h"
#include "nn/matrix.h"
#include "serve/batcher_options.h"
#include "serve/clock.h"
#include "serve/dynamic_batcher.h"
#include "store/metadata_store.h"

namespace modelhost::serve {

class LoadedModel {
 public:
  // Receives a request's outputs ([rows, output width], one row per input
  // row) or the error of its batch. Runs on the batcher's worker thread.
  using DoneFn = std::function<void(core::Result<nn::Matrix> outputs)>;

  // Takes ownership of `directory` and starts a batcher with `options`
  // (its name becomes "<model>:<version>"). `bytes` is what the cache charges
  // for it. `metrics` may be null; it and `clock` must outlive the model.
  // Errors: the batcher's (InvalidArgument for bad options, ResourceExhausted
  // when no thread can be started).
  static core::Result<std::shared_ptr<LoadedModel>> Create(
      store::ModelVersionRecord record, std::unique_ptr<model::ModelDirectory> directory,
      uint64_t bytes, BatcherOptions options, core::MetricsRegistry* metrics,
      Clock& clock = Clock::Steady());

  // Drains the batcher (see Lifetime above).
  ~LoadedModel();
  LoadedModel(const LoadedModel&) = delete;
  LoadedModel& operator=(const LoadedModel&) = delete;

  const store::ModelVersionRecord& record() const { return record_; }
  const model::ModelDescription& description() const { return directory_->description(); }
  // The bytes the cache charges: the version's files on disk.
  uint64_t bytes() const { return bytes_; }
  // Requests waiting for a batch right now (a snapshot).
  size_t queued_requests() const { return batcher_->queued_requests(); }

  // Queues `features` ([rows, the network's input width], rows >= 1) for a
  // forward pass. On OK, `done` is called exactly once, on the worker thread.
  // On error `done` is dropped uncalled: InvalidArgument (no rows, or the
  // wrong width), ResourceExhausted (queue full), Unavailable (stopping).
  // Never blocks. REQUIRES: `done` holds no reference to this LoadedModel.
  core::Status Predict(nn::Matrix features, DoneFn done);

  // Stops accepting requests (Predict then answers Unavailable) and blocks
  // until every queued one is answered. Idempotent.
  void Stop() { batcher_->Stop(); }

 private:
  using Batcher = DynamicBatcher<nn::Matrix, nn::Matrix>;
  struct PrivateTag {};

 public:
  LoadedModel(PrivateTag, store::ModelVersionRecord record,
              std::unique_ptr<model::ModelDirectory> directory, uint64_t bytes, Clock& clock);

 private:
  const store::ModelVersionRecord record_;
  const std::unique_ptr<model::ModelDirectory> directory_;
  const uint64_t bytes_;
  Clock& clock_;
  core::Counter* predictions_ = nullptr;  // null: not recorded
  core::Histogram* latency_ = nullptr;    // null: not recorded
  // Declared last, so destroyed (drained) before the network it runs.
  std::unique_ptr<Batcher> batcher_;
};

}  // namespace modelhost::serve

#endif  // MODELHOST_SERVE_LOADED_MODEL_H_

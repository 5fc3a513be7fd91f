#include "serve/loaded_model.h"

#include <chrono>
#include <string>
#include <utility>

#include "serve/batched_prediction.h"

namespace modelhost::serve {

LoadedModel::LoadedModel(PrivateTag, store::ModelVersionRecord record,
                         std::unique_ptr<model::ModelDirectory> directory, uint64_t bytes,
                         Clock& clock)
    : record_(std::move(record)), directory_(std::move(directory)), bytes_(bytes), clock_(clock) {}

core::Result<std::shared_ptr<LoadedModel>> LoadedModel::Create(
    store::ModelVersionRecord record, std::unique_ptr<model::ModelDirectory> directory,
    uint64_t bytes, BatcherOptions options, core::MetricsRegistry* metrics, Clock& clock) {
  auto loaded = std::make_shared<LoadedModel>(PrivateTag{}, std::move(record), std::move(directory),
                                              bytes, clock);
  const std::string version = std::to_string(loaded->record_.version);
  options.name = loaded->record_.model + ":" + version;
  BatcherMetrics batcher_metrics;
  if (metrics != nullptr) {
    const std::vector<std::string> labels = {"model", "version"};
    const std::vector<std::string> values = {loaded->record_.model, version};
    loaded->predictions_ = &metrics
                                ->AddCounter("modelhost_predictions_total",
                                             "Rows predicted, by model version.", labels)
                                .WithLabels(values);
    loaded->latency_ =
        &metrics
             ->AddHistogram("modelhost_inference_latency_seconds",
                            "Per request: from queueing its rows to its answer (queue wait "
                            "and forward pass).",
                            labels)
             .WithLabels(values);
    // The buckets of the first batcher options seen; one family has one set.
    batcher_metrics.batch_rows =
        &metrics
             ->AddHistogram("modelhost_batch_rows", "Rows per forward pass (batch size).", labels,
                            BatchRowsBuckets(options.max_batch_size))
             .WithLabels(values);
    batcher_metrics.queue_depth =
        &metrics->AddGauge("modelhost_batch_queue_depth", "Requests waiting for a batch.", labels)
             .WithLabels(values);
    batcher_metrics.rejected =
        &metrics
             ->AddCounter("modelhost_batch_queue_rejected_total",
                          "Requests refused (429): the queue was full.", labels)
             .WithLabels(values);
  }
  nn::Sequential* network = &loaded->directory_->network();
  MODELHOST_ASSIGN_OR_RETURN(loaded->batcher_, Batcher::Create(
                                                   std::move(options),
                                                   [network](std::span<nn::Matrix> batch) {
                                                     return PredictBatch(*network, batch);
                                                   },
                                                   batcher_metrics, clock));
  return loaded;
}

LoadedModel::~LoadedModel() {
  if (batcher_ != nullptr) batcher_->Stop();
}

core::Status LoadedModel::Predict(nn::Matrix features, DoneFn done) {
  const size_t width = directory_->network().input_width();
  if (features.rows() == 0 || features.cols() != width) {
    return core::InvalidArgument("predict: expected rows of " + std::to_string(width) +
                                 " features, got " + std::to_string(features.rows()) + " × " +
                                 std::to_string(features.cols()));
  }
  const size_t rows = features.rows();
  const Clock::TimePoint queued_at = clock_.Now();
  // `this` outlives the callback: the destructor drains the batcher first.
  return batcher_->Submit(
      std::move(features), rows,
      [this, queued_at, rows, done = std::move(done)](core::Result<nn::Matrix> outputs) {
        if (latency_ != nullptr) {
          latency_->Observe(std::chrono::duration<double>(clock_.Now() - queued_at).count());
        }
        if (predictions_ != nullptr && outputs.ok()) {
          predictions_->Increment(static_cast<double>(rows));
        }
        done(std::move(outputs));
      });
}

}  // namespace modelhost::serve

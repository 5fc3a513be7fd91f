#include "nn/trainer.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <new>
#include <numeric>

#include "nn/checkpoint.h"
#include "nn/metric.h"
#include "nn/random_generator.h"

namespace modelhost::nn {
namespace {

using core::InvalidArgument;
using core::Status;

struct NamedMetric {
  std::string name;  // as the caller wrote it; the history key
  std::unique_ptr<Metric> metric;
};

core::Result<std::vector<NamedMetric>> MakeMetrics(const std::vector<std::string>& names,
                                                   MetricShape shape) {
  std::vector<NamedMetric> metrics;
  for (const std::string& name : names) {
    MODELHOST_ASSIGN_OR_RETURN(MetricKind kind, ParseMetricName(name, shape));
    metrics.push_back({name, MakeMetric(kind)});
  }
  return metrics;
}

Status CheckData(const Sequential& model, TrainingData data, std::string_view what) {
  if (data.features == nullptr || data.targets == nullptr) {
    return InvalidArgument(std::string(what) + ": features and targets are required");
  }
  if (data.features->rows() == 0) return InvalidArgument(std::string(what) + ": no rows");
  if (data.features->rows() != data.targets->rows()) {
    return InvalidArgument(std::string(what) + ": " + std::to_string(data.features->rows()) +
                           " feature rows but " + std::to_string(data.targets->rows()) +
                           " target rows");
  }
  if (data.features->cols() != model.input_width()) {
    return InvalidArgument(std::string(what) + ": the model takes " +
                           std::to_string(model.input_width()) + " features, the data has " +
                           std::to_string(data.features->cols()));
  }
  return core::OkStatus();
}

// Copies rows [begin, end) of `source` into *destination (no allocation once warm).
void CopyRows(const Matrix& source, size_t begin, size_t end, Matrix* destination) {
  destination->Resize(end - begin, source.cols());
  std::copy(source.data() + begin * source.cols(), source.data() + end * source.cols(),
            destination->data());
}

void GatherRows(const Matrix& source, std::span<const size_t> rows, Matrix* destination) {
  destination->Resize(rows.size(), source.cols());
  for (size_t index = 0; index < rows.size(); ++index) {
    std::span<const float> row = source.Row(rows[index]);
    std::copy(row.begin(), row.end(), destination->Row(index).begin());
  }
}

// The class of one target row, as class weights see it.
int TargetClass(std::span<const float> target) {
  if (target.size() == 1) return static_cast<int>(std::lround(target[0]));
  return static_cast<int>(std::max_element(target.begin(), target.end()) - target.begin());
}

// One weight per training row, or empty when no class weights were given. A
// class without a weight weighs 1 (keras class_weight_to_sample_weights).
std::vector<float> RowWeights(const Matrix& targets, size_t rows,
                              const std::map<int, double>& class_weights) {
  std::vector<float> weights;
  if (class_weights.empty()) return weights;
  weights.resize(rows);
  for (size_t row = 0; row < rows; ++row) {
    auto weight = class_weights.find(TargetClass(targets.Row(row)));
    weights[row] = weight == class_weights.end() ? 1.0f : static_cast<float>(weight->second);
  }
  return weights;
}

// Keras's EarlyStopping "auto" mode: the monitored metric's own direction
// (Keras's Metric._direction, "up" for accuracies, precision, recall, F1, AUC
// and R²); the loss, MSE and MAE are minimized. `monitor` is a history key,
// "val_" and the metric's name as the caller wrote it (any case: "val_AUC").
bool LargerIsBetter(std::string_view monitor, const std::vector<NamedMetric>& metrics) {
  std::string_view name = monitor;
  if (name.starts_with("val_")) name.remove_prefix(4);
  for (const NamedMetric& named : metrics) {
    if (named.name != name) continue;
    switch (named.metric->kind()) {
      case MetricKind::kBinaryAccuracy:
      case MetricKind::kCategoricalAccuracy:
      case MetricKind::kSparseCategoricalAccuracy:
      case MetricKind::kPrecision:
      case MetricKind::kRecall:
      case MetricKind::kBinaryF1:
      case MetricKind::kAuc:
      case MetricKind::kR2: return true;
      case MetricKind::kMeanSquaredError:
      case MetricKind::kMeanAbsoluteError: return false;
    }
  }
  return false;  // "loss"
}

class EarlyStopper {
 public:
  EarlyStopper(const EarlyStoppingOptions& options, const std::vector<NamedMetric>& metrics)
      : options_(options), maximize_(LargerIsBetter(options.monitor, metrics)) {}

  // Returns true when training should stop after `log`.
  core::Result<bool> Update(const EpochLog& log, const Sequential& model) {
    MODELHOST_ASSIGN_OR_RETURN(bool improved, Observe(log));
    if (improved) {
      if (options_.restore_best_weights) SaveWeights(model);
      return false;
    }
    // As keras.callbacks.EarlyStopping: stop after `patience` epochs in a row
    // without improvement, never after the first epoch.
    return wait_ >= options_.patience && log.epoch > 0;
  }

  // At the end of training, stopped early or not: puts back the best epoch's
  // weights when restore_best_weights is set (Keras 3's on_train_end).
  void OnTrainEnd(Sequential& model) const {
    if (!options_.restore_best_weights) return;
    for (size_t index = 0; index < best_weights_.size(); ++index) {
      model.parameters()[index]->value = best_weights_[index];
    }
  }

  // Brings the stopper to where it was after the epochs of a checkpoint's
  // history, with the checkpoint's best weights.
  Status Replay(const History& history, std::vector<Matrix> best_weights) {
    for (const EpochLog& log : history.epochs) MODELHOST_RETURN_IF_ERROR(Observe(log).status());
    best_weights_ = std::move(best_weights);
    return core::OkStatus();
  }

  // Early stopping's best weights so far (empty unless restore_best_weights).
  const std::vector<Matrix>& best_weights() const { return best_weights_; }

 private:
  // Updates best_ and wait_ with `log`; true when it improved on the best.
  core::Result<bool> Observe(const EpochLog& log) {
    auto value = log.values.find(options_.monitor);
    if (value == log.values.end()) {
      std::string keys;
      for (const auto& [key, unused] : log.values) keys += (keys.empty() ? "" : ", ") + key;
      return InvalidArgument("early_stopping.monitor '" + options_.monitor +
                             "' is not in the history (available: " + keys + ")");
    }
    double current = value->second;
    bool improved = !best_.has_value() || (maximize_ ? current > *best_ + options_.min_delta
                                                     : current < *best_ - options_.min_delta);
    if (improved) {
      best_ = current;
      wait_ = 0;
      return true;
    }
    ++wait_;
    return false;
  }

  void SaveWeights(const Sequential& model) {
    best_weights_.resize(model.parameters().size());
    for (size_t index = 0; index < best_weights_.size(); ++index) {
      best_weights_[index] = model.parameters()[index]->value;
    }
  }

  EarlyStoppingOptions options_;
  bool maximize_;
  std::optional<double> best_;
  int wait_ = 0;
  std::vector<Matrix> best_weights_;
};

Status CheckOptions(const FitOptions& options) {
  if (options.epochs < 1) return InvalidArgument("fit: epochs must be at least 1");
  if (!(options.validation_split >= 0.0 && options.validation_split < 1.0)) {
    return InvalidArgument("fit: validation_split must be in [0, 1)");
  }
  if (options.early_stopping && options.early_stopping->patience < 0) {
    return InvalidArgument("fit: early_stopping.patience must be >= 0");
  }
  if (options.checkpoint_every < 0) return InvalidArgument("fit: checkpoint_every must be >= 0");
  if (options.checkpoint_every > 0 && options.checkpoint_path.empty()) {
    return InvalidArgument("fit: checkpoint_every is set but checkpoint_path is empty");
  }
  for (const auto& [target_class, weight] : options.class_weights) {
    if (!(std::isfinite(weight) && weight >= 0.0)) {
      return InvalidArgument("fit: class_weights[" + std::to_string(target_class) +
                             "] must be a finite number >= 0");
    }
  }
  return core::OkStatus();
}

core::Result<std::map<std::string, double>> EvaluateUnguarded(
    Sequential& model, const Loss& loss, const std::vector<std::string>& metric_names,
    TrainingData data, size_t batch_size) {
  MODELHOST_RETURN_IF_ERROR(CheckData(model, data, "evaluate"));
  MODELHOST_ASSIGN_OR_RETURN(
      std::vector<NamedMetric> metrics,
      MakeMetrics(metric_names, MetricShape{data.targets->cols(), model.output_width()}));
  const size_t rows = data.features->rows();
  if (batch_size == 0) batch_size = rows;
  Matrix features, targets, outputs;
  double loss_sum = 0.0;
  for (size_t begin = 0; begin < rows; begin += batch_size) {
    size_t end = std::min(rows, begin + batch_size);
    CopyRows(*data.features, begin, end, &features);
    CopyRows(*data.targets, begin, end, &targets);
    // The loss as training computes it (fused with the output activation).
    MODELHOST_ASSIGN_OR_RETURN(float batch_loss,
                               model.PredictWithLoss(features, targets, loss, &outputs));
    loss_sum += static_cast<double>(batch_loss) * static_cast<double>(end - begin);
    for (NamedMetric& named : metrics) {
      MODELHOST_RETURN_IF_ERROR(named.metric->Update(outputs, targets));
    }
  }
  // As Keras's evaluate: the loss includes the weights' regularization penalty.
  std::map<std::string, double> values = {
      {"loss", loss_sum / static_cast<double>(rows) + model.RegularizationLoss()}};
  for (const NamedMetric& named : metrics) values[named.name] = named.metric->Result();
  return values;
}

core::Result<History> FitUnguarded(Sequential& model, const Loss& loss, Optimizer& optimizer,
                                   const std::vector<std::string>& metric_names, TrainingData data,
                                   const FitOptions& options, TrainingObserver* observer,
                                   std::optional<TrainingData> validation) {
  MODELHOST_RETURN_IF_ERROR(CheckOptions(options));
  MODELHOST_RETURN_IF_ERROR(CheckData(model, data, "fit"));
  const Matrix& features = *data.features;
  const Matrix& targets = *data.targets;

  // Keras: the validation rows are the last ones, split off before shuffling.
  size_t train_rows = features.rows();
  Matrix validation_features, validation_targets;
  if (!validation && options.validation_split > 0.0) {
    // keras.utils.train_validation_split: floor(rows · (1 − split)) rows train.
    train_rows = static_cast<size_t>(
        std::floor(static_cast<double>(features.rows()) * (1.0 - options.validation_split)));
    if (train_rows == features.rows() || train_rows == 0) {
      return InvalidArgument("fit: validation_split " + std::to_string(options.validation_split) +
                             " of " + std::to_string(features.rows()) +
                             " rows leaves no validation or no training rows");
    }
    CopyRows(features, train_rows, features.rows(), &validation_features);
    CopyRows(targets, train_rows, features.rows(), &validation_targets);
    validation = TrainingData{&validation_features, &validation_targets};
  }
  if (validation) MODELHOST_RETURN_IF_ERROR(CheckData(model, *validation, "validation data"));

  MODELHOST_ASSIGN_OR_RETURN(
      std::vector<NamedMetric> metrics,
      MakeMetrics(metric_names, MetricShape{targets.cols(), model.output_width()}));
  if (options.early_stopping) {
    MODELHOST_RETURN_IF_ERROR(CheckEarlyStoppingMonitor(options.early_stopping->monitor,
                                                        metric_names, validation.has_value()));
  }
  const std::vector<float> row_weights = RowWeights(targets, train_rows, options.class_weights);
  const size_t batch_size = options.batch_size == 0 ? train_rows : options.batch_size;
  const int batches = static_cast<int>((train_rows + batch_size - 1) / batch_size);

  std::optional<EarlyStopper> stopper;
  if (options.early_stopping) stopper.emplace(*options.early_stopping, metrics);
  RandomGenerator generator(options.seed);
  std::vector<size_t> order(train_rows);
  std::iota(order.begin(), order.end(), size_t{0});
  Matrix batch_features, batch_targets;
  std::vector<float> batch_weights;
  History history;
  const auto shuffle = [&] {
    for (size_t index = order.size(); index > 1; --index) {  // Fisher–Yates
      size_t pick = static_cast<size_t>(generator.NextUniform() * static_cast<double>(index));
      std::swap(order[index - 1], order[std::min(pick, index - 1)]);
    }
  };

  int first_epoch = 0;
  if (options.resume_from) {
    MODELHOST_ASSIGN_OR_RETURN(CheckpointState state,
                               LoadCheckpoint(*options.resume_from, model, optimizer));
    history = std::move(state.history);
    first_epoch = static_cast<int>(history.epochs.size());
    if (stopper) MODELHOST_RETURN_IF_ERROR(stopper->Replay(history, std::move(state.best_weights)));
    if (first_epoch >= options.epochs || history.stopped_epoch) {
      // Training had ended; the checkpoint holds the last epoch's weights.
      if (stopper) stopper->OnTrainEnd(model);
      return history;
    }
    // The generator is not stored: replaying the completed epochs' shuffles
    // from options.seed puts it and `order` where the uninterrupted run has them.
    if (options.shuffle) {
      for (int epoch = 0; epoch < first_epoch; ++epoch) shuffle();
    }
  }

  for (int epoch = first_epoch; epoch < options.epochs; ++epoch) {
    if (options.shuffle) shuffle();
    for (NamedMetric& named : metrics) named.metric->Reset();
    EpochLog log{epoch, {}, 0};
    double loss_sum = 0.0;
    size_t loss_rows = 0;
    for (int batch = 0; batch < batches; ++batch) {
      if (observer != nullptr && !observer->ShouldContinue()) {
        history.cancelled = true;
        return history;
      }
      size_t begin = static_cast<size_t>(batch) * batch_size;
      std::span<const size_t> rows(order.data() + begin, std::min(batch_size, train_rows - begin));
      GatherRows(features, rows, &batch_features);
      GatherRows(targets, rows, &batch_targets);
      batch_weights.clear();
      for (size_t row : rows) {
        if (!row_weights.empty()) batch_weights.push_back(row_weights[row]);
      }
      MODELHOST_ASSIGN_OR_RETURN(
          Sequential::StepResult step,
          model.TrainStep(batch_features, batch_targets, batch_weights, loss, optimizer));
      if (!step.finite) {
        if (options.non_finite_loss == NonFiniteLossPolicy::kStop) {
          return InvalidArgument("fit: epoch " + std::to_string(epoch + 1) + ", batch " +
                                 std::to_string(batch + 1) +
                                 ": the loss or a gradient is not "
                                 "finite (loss " +
                                 std::to_string(step.loss) +
                                 "); lower the learning rate or check the data for extreme values");
        }
        ++log.skipped_batches;
        continue;
      }
      loss_sum += static_cast<double>(step.loss) * static_cast<double>(rows.size());
      loss_rows += rows.size();
      for (NamedMetric& named : metrics) {
        MODELHOST_RETURN_IF_ERROR(named.metric->Update(model.last_output(), batch_targets));
      }
      if (observer != nullptr) {
        observer->OnBatchEnd(epoch, batch, batches, loss_sum / static_cast<double>(loss_rows));
      }
    }
    log.values["loss"] = loss_rows > 0 ? loss_sum / static_cast<double>(loss_rows) : NAN;
    for (const NamedMetric& named : metrics) log.values[named.name] = named.metric->Result();
    if (validation) {
      MODELHOST_ASSIGN_OR_RETURN(
          auto validation_values,
          EvaluateUnguarded(model, loss, metric_names, *validation, batch_size));
      for (const auto& [key, value] : validation_values) log.values["val_" + key] = value;
    }
    history.epochs.push_back(log);
    if (observer != nullptr) observer->OnEpochEnd(log);
    bool stop = false;
    if (stopper) {
      MODELHOST_ASSIGN_OR_RETURN(stop, stopper->Update(log, model));
      if (stop) history.stopped_epoch = epoch;
    }
    if (options.checkpoint_every > 0 && (epoch + 1) % options.checkpoint_every == 0) {
      MODELHOST_RETURN_IF_ERROR(WriteCheckpoint(
          options.checkpoint_path, model, optimizer, history,
          stopper ? std::span<const Matrix>(stopper->best_weights()) : std::span<const Matrix>()));
    }
    if (stop) break;
  }
  if (stopper) stopper->OnTrainEnd(model);
  return history;
}

}  // namespace

Status CheckEarlyStoppingMonitor(std::string_view monitor,
                                 const std::vector<std::string>& metric_names, bool validating) {
  std::vector<std::string> keys = {"loss"};
  keys.insert(keys.end(), metric_names.begin(), metric_names.end());
  std::string listed;
  for (const std::string& key : keys) {
    if (monitor == key || (validating && monitor == "val_" + key)) return core::OkStatus();
    listed += (listed.empty() ? "" : ", ") + key + (validating ? ", val_" + key : "");
  }
  std::string message = "early_stopping.monitor '" + std::string(monitor) +
                        "' is not in the history (available: " + listed + ")";
  if (!validating && monitor.starts_with("val_")) {
    message += "; 'val_' keys need validation rows (validation_split > 0)";
  }
  return InvalidArgument(message);
}

// Buffers grow with the data; running out of memory is reported, not thrown.
core::Result<std::map<std::string, double>> Evaluate(Sequential& model, const Loss& loss,
                                                     const std::vector<std::string>& metric_names,
                                                     TrainingData data, size_t batch_size) {
  try {
    return EvaluateUnguarded(model, loss, metric_names, data, batch_size);
  } catch (const std::bad_alloc&) {
    return core::ResourceExhausted("evaluate: out of memory");
  }
}

core::Result<History> Fit(Sequential& model, const Loss& loss, Optimizer& optimizer,
                          const std::vector<std::string>& metric_names, TrainingData data,
                          const FitOptions& options, TrainingObserver* observer,
                          std::optional<TrainingData> validation) {
  try {
    return FitUnguarded(model, loss, optimizer, metric_names, data, options, observer, validation);
  } catch (const std::bad_alloc&) {
    return core::ResourceExhausted("fit: out of memory");
  }
}

}  // namespace modelhost::nn

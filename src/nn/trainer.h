// Fit and Evaluate: Keras's `model.fit` / `model.evaluate` for a Sequential —
// epochs of shuffled mini-batches, per-epoch loss and metrics on the training
// rows and on held-out validation rows, early stopping, class weights,
// progress callbacks, cancellation between batches, and a policy for a loss
// that stops being finite.
//
// Determinism: the same model seed, data, options and BLAS thread count give
// bit-identical weights. Shuffling uses nn's own RandomGenerator (not
// std::shuffle, whose algorithm differs between standard libraries).
//
// Thread-safety: Fit and Evaluate use the model exclusively for their
// duration; callbacks run on the calling thread.

#ifndef MODELHOST_NN_TRAINER_H_
#define MODELHOST_NN_TRAINER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "nn/loss.h"
#include "nn/matrix.h"
#include "nn/optimizer.h"
#include "nn/sequential.h"

namespace modelhost::nn {

// Keras's EarlyStopping callback.
struct EarlyStoppingOptions {
  // A history key: "loss", "val_loss", or a metric name with or without "val_".
  std::string monitor = "val_loss";
  // Epochs without improvement before stopping. Default 0: stop at the first.
  int patience = 0;
  // An improvement must exceed this. Default 0.
  double min_delta = 0.0;
  // Put back the weights of the best epoch when training ends, stopped early
  // or not (Keras 3's on_train_end; not when cancelled). Default false (Keras).
  bool restore_best_weights = false;
};

enum class NonFiniteLossPolicy {
  kStop,       // fail with an error naming epoch and batch (default)
  kSkipBatch,  // leave the weights as they were before the batch, count it, go on
};

struct FitOptions {
  // Passes over the training rows. Default 1 (Keras).
  int epochs = 1;
  // Rows per gradient step; 0 means all training rows in one batch (plain
  // gradient descent). Default 32 (Keras).
  size_t batch_size = 32;
  // Reorder the training rows each epoch. Default true (Keras).
  bool shuffle = true;
  // Seeds the shuffling. Default 0.
  uint64_t seed = 0;
  // Fraction of rows held out for validation, taken from the end before any
  // shuffling, as Keras does. Default 0 (none). Ignored when validation data
  // is passed to Fit.
  double validation_split = 0.0;
  // Loss weight per class index (binary: 0/1 target; sparse: the class
  // index; one-hot: the arg-max column); a class without one weighs 1, as in
  // Keras. Default empty (all 1).
  std::map<int, double> class_weights = {};
  // Default none.
  std::optional<EarlyStoppingOptions> early_stopping = std::nullopt;
  NonFiniteLossPolicy non_finite_loss = NonFiniteLossPolicy::kStop;
  // Write a checkpoint (checkpoint.h) to checkpoint_path after every this
  // many completed epochs, atomically replacing the previous one. Default 0
  // (none). REQUIRES: >= 0, and checkpoint_path set when > 0.
  int checkpoint_every = 0;
  // Where checkpoints go. Default empty.
  std::string checkpoint_path = {};
  // A checkpoint to continue from: its weights, optimizer state, history and
  // shuffle position are loaded before training, which continues at the next
  // epoch up to `epochs`, appending to its history (a checkpoint at or past
  // `epochs`, or one where early stopping ended training, returns its history
  // unchanged). Given the same data, options and optimizer, the result is
  // bit-identical to the uninterrupted run (Dropout excepted, see
  // checkpoint.h). Default none.
  std::optional<std::string> resume_from = std::nullopt;
};

struct EpochLog {
  int epoch = 0;  // 0-based
  // "loss", one entry per metric, and "val_…" of each when validating.
  std::map<std::string, double> values;
  int skipped_batches = 0;
};

// Called on Fit's thread. Return false from ShouldContinue to cancel (checked
// between batches); Fit then returns the history so far with `cancelled` set.
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  // `loss` is the mean loss of the epoch's batches so far (weighted by rows,
  // what Keras's progress bar shows): after the last batch, the epoch's "loss".
  virtual void OnBatchEnd(int /*epoch*/, int /*batch*/, int /*batches*/, double /*loss*/) {}
  virtual void OnEpochEnd(const EpochLog& /*log*/) {}
  virtual bool ShouldContinue() { return true; }
};

struct History {
  std::vector<EpochLog> epochs;
  // Epoch (0-based) at which early stopping ended training, if it did.
  std::optional<int> stopped_epoch;
  bool cancelled = false;
};

struct TrainingData {
  const Matrix* features = nullptr;  // [rows, model input width]
  const Matrix* targets = nullptr;   // [rows, target columns]
};

// Trains `model` (see the header comment). `metric_names` are Keras names
// ("accuracy", "auc", "mse", …), resolved against the loss and the target
// shape; history keys use the names as given. `validation` overrides
// options.validation_split when set.
// Errors: InvalidArgument for bad options (an early stopping monitor not in
// the history: CheckEarlyStoppingMonitor), unknown metric names, or data of
// the wrong shape (naming what); InvalidArgument naming epoch and batch when
// the loss stops being finite under kStop; LoadCheckpoint's errors for
// options.resume_from (the model and optimizer then unchanged) and
// WriteCheckpoint's for options.checkpoint_path.
core::Result<History> Fit(Sequential& model, const Loss& loss, Optimizer& optimizer,
                          const std::vector<std::string>& metric_names, TrainingData data,
                          const FitOptions& options, TrainingObserver* observer = nullptr,
                          std::optional<TrainingData> validation = std::nullopt);

// Checks that early stopping's `monitor` is a key the history will have:
// "loss" or one of `metric_names` as written, each also with "val_" when
// `validating`. InvalidArgument naming the monitor and the keys otherwise
// (Keras would only warn every epoch and never stop). Fit checks it before
// the first epoch; a request can be checked with it before training starts.
core::Status CheckEarlyStoppingMonitor(std::string_view monitor,
                                       const std::vector<std::string>& metric_names,
                                       bool validating);

// The mean loss ("loss") and each metric over `data`, in inference mode,
// in batches of `batch_size` rows (0: all at once).
core::Result<std::map<std::string, double>> Evaluate(Sequential& model, const Loss& loss,
                                                     const std::vector<std::string>& metric_names,
                                                     TrainingData data, size_t batch_size = 32);

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_TRAINER_H_

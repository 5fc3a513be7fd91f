// Checkpoint: the state of a Fit in progress, saved every N epochs so that a
// later Fit can continue it (FitOptions::checkpoint_every / resume_from).
//
// A checkpoint is a weights file (weights_file.h, safetensors) holding:
//   * every model Parameter under its own name, trainable or not (so
//     BatchNormalization's moving statistics too);
//   * the optimizer's state tensors (Optimizer::StateTensors) as
//     "optimizer/<position>/<slot>", e.g. "optimizer/3/m";
//   * with early stopping's restore_best_weights, the best weights so far as
//     "early_stopping/<parameter name>";
// and in "__metadata__" (string → string):
//   "format" = "modelhost.checkpoint", "format_version" = "1",
//   "optimizer" (Keras class name), "optimizer_iterations",
//   "epochs_completed", "input_width", "network" (NetworkSpecToJson), and
//   "history" (JSON: {"epochs": [{"epoch", "values", "skipped_batches"}],
//   "stopped_epoch"}; a NaN or infinite value is stored as null and read
//   back as NaN).
//
// Shuffling is not stored as generator state: Fit replays `epochs_completed`
// shuffles from FitOptions::seed on resume, which reproduces the order the
// uninterrupted run would use given the same data and options. Dropout's mask
// streams are not stored: a resumed network with Dropout continues validly
// but not bit-identically.
//
// Thread-safety: the functions use the model and optimizer exclusively.

#ifndef MODELHOST_NN_CHECKPOINT_H_
#define MODELHOST_NN_CHECKPOINT_H_

#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "nn/matrix.h"
#include "nn/optimizer.h"
#include "nn/sequential.h"
#include "nn/trainer.h"

namespace modelhost::nn {

// What a checkpoint gives back besides the model's and optimizer's state.
struct CheckpointState {
  // The epochs completed so far (history.epochs.size() of them).
  History history;
  // Early stopping's best weights, one per model parameter in
  // model.parameters() order; empty when the checkpoint has none.
  std::vector<Matrix> best_weights;
};

// Writes the checkpoint of `model`, `optimizer` and `history` to `path`
// atomically (a crash leaves the previous checkpoint or the new one).
// `best_weights` is empty or one matrix per model parameter. Blocks on disk
// I/O. Errors of WriteWeightsFile naming the path.
core::Status WriteCheckpoint(const std::string& path, Sequential& model, Optimizer& optimizer,
                             const History& history, std::span<const Matrix> best_weights);

// Reads the checkpoint at `path` and loads it into `model` and `optimizer`.
// Everything is checked before anything is modified: on error the model and
// the optimizer are unchanged (except when memory runs out while importing
// the optimizer's state: ResourceExhausted, optimizer Reset). Errors, each
// message starting with `path`: NotFound etc. for an unreadable file;
// DataLoss for a corrupt file or metadata; InvalidArgument when the file is
// not a checkpoint, was written for another optimizer kind (naming both),
// another network or input width (naming what differs), or when a tensor is
// missing, unexpected or of another shape (naming it).
core::Result<CheckpointState> LoadCheckpoint(const std::string& path, Sequential& model,
                                             Optimizer& optimizer);

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_CHECKPOINT_H_

// `modelhost train`: reads a CSV or JSON Lines file, turns its columns into
// features — through a data pipeline (--pipeline), else its numeric columns
// as they are — and one column into the target (model/model_inputs.h), trains a Sequential network
// with jobs::TrainingRun (the core a server's training jobs share) and writes
// the model directory (model/model_directory.h). Progress goes to stdout
// (training_progress.h); SIGINT cancels between batches, leaving --out
// untouched.
//
// Thread-safety: RunTrain is called once, from the main thread (it installs
// signal handlers for its duration).

#ifndef MODELHOST_CLI_TRAIN_COMMAND_H_
#define MODELHOST_CLI_TRAIN_COMMAND_H_

#include <cstdint>
#include <optional>
#include <string>

namespace modelhost::cli {

struct TrainOptions {
  // The training data: .jsonl/.ndjson are JSON Lines, else CSV. Required.
  std::string data_file;
  // The column to predict. Required.
  std::string target;
  // A data pipeline spec JSON file (data/pipeline_spec.h): fitted on the
  // training rows, stored in the model, and applied to every later input.
  // Default: none (numeric, complete feature columns only).
  std::string pipeline_file;
  // A network spec JSON file (nn/network_spec.h). Default: Dense 10 relu,
  // Dense 10 relu, and an output layer fitting the target (1 sigmoid unit for
  // two classes, k softmax units for k classes, 1 linear unit for a number).
  std::string model_file;
  // A Keras loss name. Default: from the target (model::DefaultLoss).
  std::string loss;
  // A Keras optimizer name. Default "adam".
  std::string optimizer = "adam";
  // Default: the optimizer's own (0.001 for adam).
  std::optional<double> learning_rate;
  // Default 10.
  int epochs = 10;
  // Default 32.
  int64_t batch_size = 32;
  // Fraction of rows (the last ones) held out for validation. Default 0.
  double validation_split = 0.0;
  // Comma-separated Keras metric names. Default: "accuracy" for a class
  // target, "mae" for a number.
  std::string metrics;
  // Seeds the initial weights and the shuffling. Default 0.
  uint64_t seed = 0;
  // Threads of the matrix products (BLAS). Default 1: a model the size of the
  // classic example trains fastest on one thread; raise it for large layers.
  int compute_threads = 1;
  // The model directory to create; must not exist or be empty. Required.
  std::string out_dir;
};

// Trains and writes the model. Returns the exit code: 0 on success; 1 when
// the data, the network or training fail, or on cancellation ("cancelled"
// on stderr, nothing written); 2 for an invalid option value. Errors are one
// line on stderr.
int RunTrain(const TrainOptions& options);

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_TRAIN_COMMAND_H_

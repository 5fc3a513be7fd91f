// ModelDirectory: a trained model as a directory on disk — the seed of the
// model Bundle of DESIGN.md. Three files, and a fourth with a data pipeline:
//   network.json        the canonical network spec (nn::NetworkSpecToJson);
//   weights.safetensors the parameters (nn/weights_file.h);
//   model.json          format_version 1, the input schema, the target and
//                       its labels, the loss and metrics, and the lineage of
//                       training: per-epoch history, seed, optimizer and fit
//                       options, data file and its sha256, the metrics on
//                       the validation and test rows, the dataset and job
//                       ids (models trained by the server), modelhost
//                       version, created_at.
//   pipeline.json       the fitted data pipeline (data/fitted_pipeline.h),
//                       present iff model.json says "pipeline": true; then
//                       the schema's features are the pipeline's outputs.
// Format version 2 added the pipeline; version 1 directories still read.
// The directory is written whole or not at all: the files go into a temporary
// sibling directory, each fsynced, which is then renamed onto the target.
// Reading validates every field and names the file and the field at fault.
//
// Thread-safety: Write and Read are reentrant. A ModelDirectory is not
// thread-safe, except that network().Predict may be called concurrently.

#ifndef MODELHOST_MODEL_MODEL_DIRECTORY_H_
#define MODELHOST_MODEL_MODEL_DIRECTORY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "data/fitted_pipeline.h"
#include "model/input_schema.h"
#include "nn/loss.h"
#include "nn/network_spec.h"
#include "nn/sequential.h"
#include "nn/trainer.h"

namespace modelhost::model {

// The version of model.json this build writes and reads.
inline constexpr int kModelFormatVersion = 2;

// How the model was trained: the lineage kept in model.json.
struct TrainingRecord {
  std::string data_file;    // as given on the command line
  std::string data_sha256;  // lower-case hex of the data file's bytes
  std::string optimizer;    // the name given, e.g. "adam"
  double learning_rate = 0.0;
  int epochs = 0;  // requested; history may be shorter (early stop)
  uint64_t batch_size = 0;
  double validation_split = 0.0;
  uint64_t seed = 0;  // of the initial weights and the shuffling
  std::vector<nn::EpochLog> history;
  // "loss" and each metric of the final weights on the validation rows and
  // on the held-out test rows; empty when there were none.
  std::map<std::string, double> validation = {};
  std::map<std::string, double> test = {};
  // The server's stored dataset and training job it came from; "" for a
  // model trained from a file by `modelhost train`.
  std::string dataset_id = {};
  std::string job_id = {};
};

// Everything in model.json and network.json.
struct ModelDescription {
  InputSchema schema;
  nn::NetworkSpec network_spec;
  // What turns a table's raw columns into the network's inputs; none: the
  // numeric columns named by schema.features are the inputs as they are.
  std::optional<data::FittedPipeline> pipeline;
  nn::LossKind loss = nn::LossKind::kMeanSquaredError;
  std::vector<std::string> metrics;  // as given to Fit
  TrainingRecord training;
  std::string modelhost_version;  // of the build that trained it
  std::string created_at;         // UTC, RFC 3339 ("2026-01-02T03:04:05Z")
};

class ModelDirectory {
 public:
  // Writes `description` and the weights of `network` as the directory
  // `path`. `path` must not exist or be an empty directory (AlreadyExists
  // otherwise, so a finished model is never overwritten); its parent must
  // exist. On any error nothing is left at `path` (an empty directory that
  // was there stays). Blocks on disk I/O.
  static core::Status Write(const std::string& path, const ModelDescription& description,
                            const nn::Sequential& network);

  // Reads and validates the directory at `path` and builds its network with
  // the stored weights. Errors: NotFound naming a missing file; DataLoss or
  // InvalidArgument naming the file and field for anything malformed
  // (unknown format_version, wrong types, a network whose input or output
  // width does not fit the schema, weights that do not fit the network).
  static core::Result<std::unique_ptr<ModelDirectory>> Read(const std::string& path);

  const ModelDescription& description() const { return description_; }
  nn::Sequential& network() { return *network_; }

 private:
  struct PrivateTag {};

 public:
  ModelDirectory(PrivateTag, ModelDescription description, std::unique_ptr<nn::Sequential> network)
      : description_(std::move(description)), network_(std::move(network)) {}

 private:
  ModelDescription description_;
  std::unique_ptr<nn::Sequential> network_;
};

// The file names inside a model directory.
inline constexpr const char* kModelJsonFile = "model.json";
inline constexpr const char* kNetworkJsonFile = "network.json";
inline constexpr const char* kWeightsFile = "weights.safetensors";
inline constexpr const char* kPipelineJsonFile = "pipeline.json";

}  // namespace modelhost::model

#endif  // MODELHOST_MODEL_MODEL_DIRECTORY_H_

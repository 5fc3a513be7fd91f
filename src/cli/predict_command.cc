#include "cli/predict_command.h"

#include <algorithm>
#include <iostream>
#include <span>
#include <vector>

#include "cli/cli_app.h"
#include "cli/table_file.h"
#include "core/atomic_file.h"
#include "model/input_schema.h"
#include "model/model_directory.h"
#include "model/model_inputs.h"
#include "model/predictions.h"
#include "serve/batched_prediction.h"
#include "serve/batcher_options.h"

namespace modelhost::cli {
namespace {

core::Result<std::string> Predict(const PredictOptions& options) {
  MODELHOST_ASSIGN_OR_RETURN(auto directory, model::ModelDirectory::Read(options.model_dir));
  const model::ModelDescription& description = directory->description();
  const model::InputSchema& schema = description.schema;
  MODELHOST_ASSIGN_OR_RETURN(data::Table table, ReadTableFile(options.data_file));
  const data::FittedPipeline* pipeline = description.pipeline ? &*description.pipeline : nullptr;
  MODELHOST_ASSIGN_OR_RETURN(nn::Matrix features, model::ModelFeatures(table, schema, pipeline));
  if (features.rows() == 0) {
    nn::Matrix none;
    MODELHOST_RETURN_IF_ERROR(directory->network().Predict(features, &none));
    return model::FormatPredictionsCsv(none, schema.target);
  }
  // In batches of the server's default size, each padded as the server pads
  // a batch (serve/batched_prediction.h): every row's output is bit-identical
  // to what HTTP predict answers for it, and memory stays bounded.
  const size_t batch_rows = serve::BatcherOptions{}.max_batch_size;
  nn::Matrix outputs;
  for (size_t first = 0; first < features.rows(); first += batch_rows) {
    const size_t rows = std::min(batch_rows, features.rows() - first);
    nn::Matrix batch(rows, features.cols());
    std::copy_n(features.Row(first).data(), rows * features.cols(), batch.data());
    MODELHOST_ASSIGN_OR_RETURN(
        std::vector<nn::Matrix> answer,
        serve::PredictBatch(directory->network(), std::span<const nn::Matrix>(&batch, 1)));
    if (first == 0) outputs = nn::Matrix(features.rows(), answer.front().cols());
    std::copy_n(answer.front().data(), answer.front().size(), outputs.Row(first).data());
  }
  return model::FormatPredictionsCsv(outputs, schema.target);
}

}  // namespace

int RunPredict(const PredictOptions& options) {
  auto csv = Predict(options);
  core::Status status = csv.status();
  if (csv.ok()) {
    if (options.out_file.empty()) {
      std::cout << *csv << std::flush;
    } else {
      status = core::WriteFileAtomically(options.out_file, *csv);
    }
  }
  if (!status.ok()) {
    std::cerr << "modelhost predict: " << status.message() << "\n";
    return kExitRuntimeError;
  }
  return kExitOk;
}

}  // namespace modelhost::cli

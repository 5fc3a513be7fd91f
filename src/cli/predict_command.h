// `modelhost predict`: the predictions of a model directory for every row of
// a data file, as CSV (model/predictions.h) on stdout or into a file.
//
// Thread-safety: RunPredict is called once, from the main thread.

#ifndef MODELHOST_CLI_PREDICT_COMMAND_H_
#define MODELHOST_CLI_PREDICT_COMMAND_H_

#include <string>

namespace modelhost::cli {

struct PredictOptions {
  // A directory written by `modelhost train`. Required.
  std::string model_dir;
  // CSV or JSON Lines (by extension) holding the model's feature columns;
  // other columns are ignored. Required.
  std::string data_file;
  // Where to write the CSV, atomically. Default: stdout.
  std::string out_file;
};

// Returns 0, or 1 with one line on stderr when the model or the data cannot
// be used or the output cannot be written.
int RunPredict(const PredictOptions& options);

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_PREDICT_COMMAND_H_

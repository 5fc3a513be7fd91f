// `modelhost evaluate`: the loss and metrics of a model directory on a data
// file that holds the model's feature columns and its target.
//
// Thread-safety: RunEvaluate is called once, from the main thread.

#ifndef MODELHOST_CLI_EVALUATE_COMMAND_H_
#define MODELHOST_CLI_EVALUATE_COMMAND_H_

#include <string>

namespace modelhost::cli {

struct EvaluateOptions {
  // A directory written by `modelhost train`. Required.
  std::string model_dir;
  // CSV or JSON Lines (by extension), as for train. Required.
  std::string data_file;
  // Print one JSON object {"loss": …, "<metric>": …} instead of a table.
  // Default false.
  bool json = false;
};

// Prints "metric value" lines (or the JSON object) on stdout. Returns 0, or 1
// with one line on stderr when the model or the data cannot be used.
int RunEvaluate(const EvaluateOptions& options);

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_EVALUATE_COMMAND_H_

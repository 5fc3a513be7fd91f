// `modelhost predict NAME --data FILE|-`: predictions of a model served by
// the remote server (the offline `predict --model DIR` is predict_command.h;
// cli_app.cc chooses by whether a NAME or --model is given).
//
// The rows of FILE (CSV, JSON Lines or a stored .mhd dataset, as
// table_file.h reads them; "-" reads stdin, JSON Lines when its first
// non-blank byte is '{' unless --format says) are sent as records in
// requests of --batch-size rows. The first request goes to the model's
// production alias (else latest version), or to --version / --alias; the
// following ones to the version that answered it, so every row is predicted
// by one version. Predictions keep the rows' order and are written as CSV
// (the header of `modelhost predict --model`: probability,label /
// probability_<class>…,label / prediction), as JSON Lines (--output jsonl,
// one prediction object per line), or with --json as one answer shaped as
// the server's {"model", "model_version", "predictions"}.
//
// Thread-safety: constructed and run once, from main.

#ifndef MODELHOST_CLI_REMOTE_PREDICT_COMMAND_H_
#define MODELHOST_CLI_REMOTE_PREDICT_COMMAND_H_

#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/table.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace modelhost::cli {

class RemoteSession;

class RemotePredictCommand {
 public:
  // Adds the NAME positional and the remote-only options to `predict` (which
  // already has --data and --out, bound to *data_file and *out_file; all
  // must outlive this object).
  RemotePredictCommand(CLI::App* predict, const std::string* data_file,
                       const std::string* out_file);

  // Whether a model NAME was given (after CLI::App::parse).
  bool named() const { return !model_.empty(); }
  // The remote-only flags given, e.g. {"--batch-size"}, to refuse them offline.
  std::vector<std::string> RemoteFlagsGiven() const;
  // Predicts; returns the exit code.
  int Run() const;

 private:
  core::Status Predict(RemoteSession& session, const data::Table& table) const;

  const std::string* data_file_;
  const std::string* out_file_;
  std::string model_;
  int version_ = 0;
  std::string alias_;
  size_t batch_size_ = 256;
  std::string format_;
  std::string output_ = "csv";
  bool json_ = false;
  std::vector<CLI::Option*> remote_options_;
};

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_REMOTE_PREDICT_COMMAND_H_

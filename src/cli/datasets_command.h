// `modelhost datasets …`: the server's datasets (remote; remote_session.h has
// the output and exit-code conventions).
//
//   datasets upload FILE [--name N] [--format csv|jsonl] [--on-error fail|skip]
//       streams FILE to POST /v1/datasets (never whole in memory), with a
//       progress bar on stderr when stderr is a terminal; N defaults to the
//       file's name without its extension; the format to the extension's
//       (.jsonl/.ndjson: JSON Lines, else CSV)
//   datasets ls            every dataset
//   datasets show ID       schema, profile and lineage of one
//   datasets rm ID         deletes it
//
// Thread-safety: constructed and run once, from main.

#ifndef MODELHOST_CLI_DATASETS_COMMAND_H_
#define MODELHOST_CLI_DATASETS_COMMAND_H_

#include <string>

#include "core/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace modelhost::cli {

class RemoteSession;

class DatasetsCommand {
 public:
  // Adds `datasets` and its subcommands to `app`, which must outlive this object.
  explicit DatasetsCommand(CLI::App* app);

  // Whether argv named `datasets` (after CLI::App::parse).
  bool parsed() const;
  // Runs the subcommand argv named; returns the exit code.
  int Run() const;

 private:
  core::Status Upload(RemoteSession& session) const;
  core::Status List(RemoteSession& session) const;
  core::Status Show(RemoteSession& session) const;
  core::Status Remove(RemoteSession& session) const;

  CLI::App* datasets_ = nullptr;
  CLI::App* upload_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* show_ = nullptr;
  CLI::App* remove_ = nullptr;
  std::string file_;
  std::string name_;
  std::string format_;
  std::string on_error_;
  std::string id_;
  bool json_ = false;
};

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_DATASETS_COMMAND_H_

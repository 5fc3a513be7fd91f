// `modelhost models …`: the server's model registry (remote; remote_session.h
// has the output and exit-code conventions).
//
//   models ls                                   every model, latest version, aliases
//   models show NAME [VERSION]                  a model's versions, or one version's summary
//   models promote NAME VERSION [--alias A]     points alias A (default production) at VERSION
//   models rm NAME VERSION                      deletes a version (refused while an alias points at
//   it)
//
// Thread-safety: constructed and run once, from main.

#ifndef MODELHOST_CLI_MODELS_COMMAND_H_
#define MODELHOST_CLI_MODELS_COMMAND_H_

#include <string>

#include "core/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace modelhost::cli {

class RemoteSession;

class ModelsCommand {
 public:
  // Adds `models` and its subcommands to `app`, which must outlive this object.
  explicit ModelsCommand(CLI::App* app);

  // Whether argv named `models` (after CLI::App::parse).
  bool parsed() const;
  // Runs the subcommand argv named; returns the exit code.
  int Run() const;

 private:
  core::Status List(RemoteSession& session) const;
  core::Status Show(RemoteSession& session) const;
  core::Status Promote(RemoteSession& session) const;
  core::Status Remove(RemoteSession& session) const;

  CLI::App* models_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* show_ = nullptr;
  CLI::App* promote_ = nullptr;
  CLI::App* remove_ = nullptr;
  std::string name_;
  int version_ = 0;  // 0: not given (show)
  std::string alias_ = "production";
  bool json_ = false;
};

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_MODELS_COMMAND_H_

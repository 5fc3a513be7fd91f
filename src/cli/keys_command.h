// `modelhost keys …`: the server's API keys (remote, admin scope;
// remote_session.h has the output and exit-code conventions).
//
//   keys create --name N --scopes a,b   creates a key; its text is printed
//                                       this once (the server keeps a hash)
//   keys ls                             every key, without its text
//   keys rm ID                          deletes one (refused for the last admin key)
//
// Thread-safety: constructed and run once, from main.

#ifndef MODELHOST_CLI_KEYS_COMMAND_H_
#define MODELHOST_CLI_KEYS_COMMAND_H_

#include <string>
#include <vector>

#include "core/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace modelhost::cli {

class RemoteSession;

class KeysCommand {
 public:
  // Adds `keys` and its subcommands to `app`, which must outlive this object.
  explicit KeysCommand(CLI::App* app);

  // Whether argv named `keys` (after CLI::App::parse).
  bool parsed() const;
  // Runs the subcommand argv named; returns the exit code.
  int Run() const;

 private:
  core::Status Create(RemoteSession& session) const;
  core::Status List(RemoteSession& session) const;
  core::Status Remove(RemoteSession& session) const;

  CLI::App* keys_ = nullptr;
  CLI::App* create_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* remove_ = nullptr;
  std::string name_;
  std::vector<std::string> scopes_;
  std::string id_;
  bool json_ = false;
};

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_KEYS_COMMAND_H_

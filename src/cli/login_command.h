// `modelhost login` and `modelhost logout`: the server the remote commands
// talk to (remote_config.h).
//
//   login --url URL [--key-file FILE|-]
//       checks that URL answers and accepts the key (GET /v2; a key without
//       the read scope is accepted: the server knew it), then stores URL and
//       key in <config dir>/credentials.json (mode 0600). FILE holds the key
//       (surrounding white space ignored); "-" reads it from stdin. Without
//       --key-file no key is stored (a server running with --auth=off).
//   logout
//       removes the stored file (the environment's MODELHOST_URL /
//       MODELHOST_API_KEY, if set, still apply).
//
// Thread-safety: constructed and run once, from main.

#ifndef MODELHOST_CLI_LOGIN_COMMAND_H_
#define MODELHOST_CLI_LOGIN_COMMAND_H_

#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace modelhost::cli {

class LoginCommand {
 public:
  // Adds `login` and `logout` to `app`, which must outlive this object.
  explicit LoginCommand(CLI::App* app);

  // Whether argv named `login` or `logout` (after CLI::App::parse).
  bool parsed() const;
  // Runs the command argv named; returns the exit code.
  int Run() const;

 private:
  int RunLogin() const;
  int RunLogout() const;

  CLI::App* login_ = nullptr;
  CLI::App* logout_ = nullptr;
  std::string url_;
  std::string key_file_;
};

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_LOGIN_COMMAND_H_

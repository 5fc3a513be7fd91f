#include "cli/login_command.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <iterator>

#include "cli/cli_app.h"
#include "cli/http_client.h"
#include "cli/remote_config.h"
#include "cli/remote_session.h"
#include "core/file_reader.h"
#include "core/settings.h"

namespace modelhost::cli {
namespace {

constexpr long kUnauthenticated = 401;

core::Result<std::string> ReadKey(const std::string& key_file) {
  std::string text;
  if (key_file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    MODELHOST_ASSIGN_OR_RETURN(text, core::ReadFileToString(key_file));
  }
  const char* kSpace = " \t\r\n";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string::npos) {
    return core::InvalidArgument("key file " + key_file + " is empty");
  }
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

// Whether the server at config.url answers and knows the key.
core::Status CheckLogin(const RemoteConfig& config) {
  MODELHOST_ASSIGN_OR_RETURN(auto client, HttpClient::Create(config.url, config.api_key));
  MODELHOST_ASSIGN_OR_RETURN(HttpAnswer answer, client->Send("GET", "/v2"));
  // 403: the key is valid but lacks the read scope; it still works for its scopes.
  if (answer.status == kUnauthenticated || (answer.status >= 400 && answer.status != 403)) {
    return ServerError(answer);
  }
  return core::OkStatus();
}

}  // namespace

LoginCommand::LoginCommand(CLI::App* app) {
  login_ = app->add_subcommand("login", "Store the server URL and API key for the remote commands");
  login_->add_option("--url", url_, "Server URL, e.g. http://127.0.0.1:8080")->required();
  login_->add_option("--key-file", key_file_,
                     "File holding the API key ('-': stdin) [none: a server with --auth=off]");
  login_->footer(
      "Stored in $XDG_CONFIG_HOME/modelhost/credentials.json (else "
      "~/.config/modelhost/credentials.json), mode 0600. MODELHOST_URL and MODELHOST_API_KEY "
      "override it.");
  logout_ = app->add_subcommand("logout", "Forget the stored server URL and API key");
}

bool LoginCommand::parsed() const { return login_->parsed() || logout_->parsed(); }

int LoginCommand::Run() const { return login_->parsed() ? RunLogin() : RunLogout(); }

int LoginCommand::RunLogin() const {
  RemoteConfig config{url_, ""};
  if (!key_file_.empty()) {
    core::Result<std::string> key = ReadKey(key_file_);
    if (!key.ok()) return ReportFailure("login", key.status());
    config.api_key = *std::move(key);
  }
  core::Status status = CheckLogin(config);
  core::Result<std::string> directory = RemoteConfigDirectory(core::ProcessEnvironment());
  if (status.ok()) status = directory.status();
  if (status.ok()) status = SaveRemoteConfig(*directory, config);
  if (!status.ok()) return ReportFailure("login", status);
  std::cout << "logged in to " << config.url << " (saved in " << RemoteConfigPath(*directory)
            << ")\n";
  return kExitOk;
}

int LoginCommand::RunLogout() const {
  core::Result<std::string> directory = RemoteConfigDirectory(core::ProcessEnvironment());
  if (!directory.ok()) return ReportFailure("logout", directory.status());
  core::Result<bool> removed = RemoveRemoteConfig(*directory);
  if (!removed.ok()) return ReportFailure("logout", removed.status());
  std::cout << (*removed ? "logged out (removed " + RemoteConfigPath(*directory) + ")"
                         : "not logged in")
            << "\n";
  return kExitOk;
}

}  // namespace modelhost::cli

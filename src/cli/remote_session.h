// RemoteSession: what every remote command (login's siblings: datasets, jobs,
// models, keys, remote predict) does around its HTTP calls — find the server
// (remote_config.h), open the client (http_client.h), and turn an answer that
// is not 2xx into the server's error.
//
// Output conventions shared by those commands (cli_app.h has the exit codes):
// human tables on stdout, or with --json the server's JSON as sent; failures
// are one line on stderr, "modelhost <command>: <reason>", exit 1 — for a
// refusal the reason is the server's "<code>: <message>"; usage errors exit 2.
//
// Thread-safety: one thread per session.

#ifndef MODELHOST_CLI_REMOTE_SESSION_H_
#define MODELHOST_CLI_REMOTE_SESSION_H_

#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "cli/http_client.h"
#include "core/result.h"
#include "core/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace modelhost::cli {

class RemoteSession {
 public:
  // The server of the stored login with the environment's overrides. Errors:
  // ResolveRemoteConfig's (no server configured), HttpClient::Create's.
  static core::Result<std::unique_ptr<RemoteSession>> Open();

  explicit RemoteSession(std::unique_ptr<HttpClient> client) : client_(std::move(client)) {}

  HttpClient& client() { return *client_; }

  // Sends one request; the body of a 2xx answer, else ServerError(answer),
  // else the client's Unavailable.
  core::Result<std::string> Call(std::string_view method, std::string_view target,
                                 std::string_view json_body = {});

  // Call, with the answer parsed as JSON (Internal naming the target when it
  // is not JSON).
  core::Result<nlohmann::json> CallJson(std::string_view method, std::string_view target,
                                        std::string_view json_body = {});

 private:
  std::unique_ptr<HttpClient> client_;
};

// The error of an answer that is not 2xx: the server's {"error": {"code",
// "message"}} as a Status of the matching code with the message
// "<code>: <message>"; for another body, "HTTP <status>: <its start>".
core::Status ServerError(const HttpAnswer& answer);

// `text` parsed as JSON; Internal naming `what` when it is not JSON.
core::Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what);

// What a remote command's Run does: opens the session, runs `body` with it
// (under RunGuarded), and reports a failure as ReportFailure(command, …).
// Returns the exit code.
int RunRemote(const std::string& command, const std::function<core::Status(RemoteSession&)>& body);

// Prints `body` (the server's JSON) and a newline on stdout, for --json.
core::Status PrintJson(const std::string& body);

// Runs `body`, turning a JSON exception (an answer not shaped as the server
// documents) into Internal "unexpected answer from the server: …".
core::Status RunGuarded(const std::function<core::Status()>& body);

// Prints "modelhost <command>: <message>" on stderr; returns kExitRuntimeError.
int ReportFailure(std::string_view command, const core::Status& status);
// Prints "modelhost: <message> (see 'modelhost <command> --help')" on stderr;
// returns kExitUsage.
int ReportUsageError(std::string_view command, std::string_view message);

// Adds the `--json` flag ("print the server's JSON") to `command`.
void AddJsonFlag(CLI::App* command, bool* json);

// Whether the stream is a terminal (progress bars are drawn only there).
bool IsTerminal(std::FILE* stream);

// A JSON value as one table cell: strings as they are, null as "-", numbers
// in their shortest form (metrics with 4 decimals when `metric`), arrays
// joined by ",", objects as compact JSON.
std::string CellText(const nlohmann::json& value, bool metric = false);
// object[key]; a null when `object` is not an object or lacks `key`.
const nlohmann::json& Member(const nlohmann::json& object, std::string_view key);
// "name=value …" (values as metrics) of an object of numbers; "-" when empty.
std::string MetricsText(const nlohmann::json& values);
// CellText of object[key]; "-" when `object` is not an object or lacks `key`.
std::string Cell(const nlohmann::json& object, std::string_view key, bool metric = false);

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_REMOTE_SESSION_H_

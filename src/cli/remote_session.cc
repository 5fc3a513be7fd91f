#include "cli/remote_session.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_app.h"
#include "cli/remote_config.h"
#include "core/settings.h"

namespace modelhost::cli {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxQuotedBody = 200;

// The core code whose API name is `name`; by the HTTP status for the codes
// core has no twin of (method_not_allowed, not_implemented).
core::StatusCode CodeNamed(std::string_view name, long http_status) {
  for (int code = static_cast<int>(core::StatusCode::kInvalidArgument);
       code <= static_cast<int>(core::StatusCode::kInternal); ++code) {
    if (core::ToString(static_cast<core::StatusCode>(code)) == name) {
      return static_cast<core::StatusCode>(code);
    }
  }
  return http_status >= 500 ? core::StatusCode::kInternal : core::StatusCode::kInvalidArgument;
}

}  // namespace

core::Result<std::unique_ptr<RemoteSession>> RemoteSession::Open() {
  MODELHOST_ASSIGN_OR_RETURN(RemoteConfig config, ResolveRemoteConfig(core::ProcessEnvironment()));
  MODELHOST_ASSIGN_OR_RETURN(auto client, HttpClient::Create(config.url, config.api_key));
  return std::make_unique<RemoteSession>(std::move(client));
}

core::Result<std::string> RemoteSession::Call(std::string_view method, std::string_view target,
                                              std::string_view json_body) {
  MODELHOST_ASSIGN_OR_RETURN(HttpAnswer answer, client_->Send(method, target, json_body));
  if (answer.status < 200 || answer.status >= 300) return ServerError(answer);
  return std::move(answer.body);
}

core::Result<Json> RemoteSession::CallJson(std::string_view method, std::string_view target,
                                           std::string_view json_body) {
  MODELHOST_ASSIGN_OR_RETURN(std::string body, Call(method, target, json_body));
  return ParseJson(body, "the answer of " + std::string(method) + " " + std::string(target));
}

core::Status ServerError(const HttpAnswer& answer) {
  core::StatusCode fallback = CodeNamed("", answer.status);
  try {
    Json body = Json::parse(answer.body);
    const Json& error = body.at("error");
    // The /v2/models routes answer the KServe shape {"error": "..."}.
    if (error.is_string()) return core::Status(fallback, error.get<std::string>());
    std::string code = error.at("code").get<std::string>();
    return core::Status(CodeNamed(code, answer.status),
                        code + ": " + error.at("message").get<std::string>());
  } catch (const Json::exception&) {
    std::string start = answer.body.substr(0, kMaxQuotedBody);
    return core::Status(
        fallback, "HTTP " + std::to_string(answer.status) + (start.empty() ? "" : ": " + start));
  }
}

core::Result<Json> ParseJson(std::string_view text, std::string_view what) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& exception) {
    return core::Internal(std::string(what) + " is not JSON: " + exception.what());
  }
}

core::Status RunGuarded(const std::function<core::Status()>& body) {
  try {
    return body();
  } catch (const Json::exception& exception) {
    return core::Internal(std::string("unexpected answer from the server: ") + exception.what());
  }
}

int RunRemote(const std::string& command, const std::function<core::Status(RemoteSession&)>& body) {
  core::Result<std::unique_ptr<RemoteSession>> session = RemoteSession::Open();
  if (!session.ok()) {
    // No server named (no login, no MODELHOST_URL) is how the command was
    // used, not an answer: exit 2, with what to do.
    if (session.status().code() == core::StatusCode::kFailedPrecondition) {
      return ReportUsageError(command, session.status().message());
    }
    return ReportFailure(command, session.status());
  }
  core::Status status = RunGuarded([&] { return body(**session); });
  return status.ok() ? kExitOk : ReportFailure(command, status);
}

core::Status PrintJson(const std::string& body) {
  std::cout << body << "\n";
  return core::OkStatus();
}

int ReportFailure(std::string_view command, const core::Status& status) {
  std::cerr << "modelhost " << command << ": " << status.message() << "\n";
  return kExitRuntimeError;
}

int ReportUsageError(std::string_view command, std::string_view message) {
  std::string help =
      command.empty() ? "modelhost --help" : "modelhost " + std::string(command) + " --help";
  std::cerr << "modelhost: " << message << " (see '" << help << "')\n";
  return kExitUsage;
}

void AddJsonFlag(CLI::App* command, bool* json) {
  command->add_flag("--json", *json, "Print the server's JSON answer instead of a table");
}

bool IsTerminal(std::FILE* stream) { return ::isatty(::fileno(stream)) == 1; }

std::string CellText(const Json& value, bool metric) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float() && metric) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.4f", value.get<double>());
    return text;
  }
  if (value.is_array()) {
    std::string joined;
    for (const Json& item : value) {
      if (!joined.empty()) joined += ",";
      joined += CellText(item, metric);
    }
    return joined;
  }
  return value.dump();
}

const Json& Member(const Json& object, std::string_view key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto found = object.find(key);
  return found == object.end() ? kNull : *found;
}

std::string MetricsText(const Json& values) {
  if (!values.is_object() || values.empty()) return "-";
  std::string text;
  for (const auto& [name, value] : values.items()) {
    if (!text.empty()) text += " ";
    text += name + "=" + CellText(value, /*metric=*/true);
  }
  return text;
}

std::string Cell(const Json& object, std::string_view key, bool metric) {
  const Json& value = Member(object, key);
  return value.is_null() ? "-" : CellText(value, metric);
}

}  // namespace modelhost::cli

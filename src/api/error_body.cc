#include "api/error_body.h"

#include <nlohmann/json.hpp>

namespace modelhost::api {

int HttpStatusFor(const core::Status& status) {
  using core::StatusCode;
  switch (status.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kDataLoss: return 500;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

std::string ErrorBodyJson(const core::Status& status) {
  return ErrorBodyJson(core::ToString(status.code()), status.message());
}

std::string ErrorBodyJson(std::string_view code, std::string_view message) {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  // Replace invalid UTF-8 (a message may quote a client's bytes) instead of throwing.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace modelhost::api

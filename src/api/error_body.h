// The one mapping from a core::Status to an HTTP status code and JSON error
// body, used by every route so that clients see a single error shape:
//
//   {"error": {"code": "not_found", "message": "model 'pima' has no version 7"}}
//
// Thread-safety: pure functions.

#ifndef MODELHOST_API_ERROR_BODY_H_
#define MODELHOST_API_ERROR_BODY_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace modelhost::api {

// 400 invalid_argument, 401 unauthenticated, 403 permission_denied,
// 404 not_found, 409 already_exists / failed_precondition,
// 429 resource_exhausted, 503 unavailable, 500 data_loss / internal.
// REQUIRES: !status.ok().
int HttpStatusFor(const core::Status& status);

// The JSON error body for `status`: {"error":{"code":…,"message":…}}.
// REQUIRES: !status.ok().
std::string ErrorBodyJson(const core::Status& status);

// The same shape with an explicit code string, for the statuses the HTTP layer
// decides itself that no core::StatusCode names ("method_not_allowed",
// "not_implemented"). Invalid UTF-8 in `message` is replaced, never thrown on.
std::string ErrorBodyJson(std::string_view code, std::string_view message);

}  // namespace modelhost::api

#endif  // MODELHOST_API_ERROR_BODY_H_

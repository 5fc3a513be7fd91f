// The {version} path parameter of the model routes: a positive integer.
//
// Thread-safety: a pure function.

#ifndef MODELHOST_API_VERSION_PARAM_H_
#define MODELHOST_API_VERSION_PARAM_H_

#include <cstdint>
#include <string_view>

#include "core/result.h"

namespace modelhost::api {

// InvalidArgument ("version must be a positive integer, not '…'") otherwise.
core::Result<int64_t> ParseVersionParam(std::string_view text);

}  // namespace modelhost::api

#endif  // MODELHOST_API_VERSION_PARAM_H_

// Names of datasets, models and aliases: 1 to 64 of [A-Za-z0-9._-], and not
// "." or "..". They become path components under the data directory, so this
// rule is what keeps a name from escaping it.
//
// Thread-safety: a pure function.

#ifndef MODELHOST_STORE_RESOURCE_NAME_H_
#define MODELHOST_STORE_RESOURCE_NAME_H_

#include <string_view>

#include "core/status.h"

namespace modelhost::store {

// OK, or InvalidArgument naming `kind` ("model name", "alias") and the rule.
core::Status ValidateResourceName(std::string_view kind, std::string_view name);

}  // namespace modelhost::store

#endif  // MODELHOST_STORE_RESOURCE_NAME_H_

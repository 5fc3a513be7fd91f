// The modelhost version and build facts, as compiled into this binary.
// Thread-safety: pure functions returning static data.

#ifndef MODELHOST_CORE_VERSION_H_
#define MODELHOST_CORE_VERSION_H_

#include <string_view>

namespace modelhost::core {

// Semantic version of this build, e.g. "0.1.0" (from the CMake project version).
std::string_view ModelhostVersion();

// The product name reported in server metadata: "modelhost".
inline constexpr std::string_view kProductName = "modelhost";

}  // namespace modelhost::core

#endif  // MODELHOST_CORE_VERSION_H_

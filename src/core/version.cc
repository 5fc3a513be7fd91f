#include "core/version.h"

namespace modelhost::core {

std::string_view ModelhostVersion() { return MODELHOST_VERSION_STRING; }

}  // namespace modelhost::core

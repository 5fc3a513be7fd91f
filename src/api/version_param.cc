#include "api/version_param.h"

#include <charconv>
#include <string>

namespace modelhost::api {

core::Result<int64_t> ParseVersionParam(std::string_view text) {
  int64_t version = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (error != std::errc() || end != text.data() + text.size() || version < 1) {
    return core::InvalidArgument("version must be a positive integer, not '" + std::string(text) +
                                 "'");
  }
  return version;
}

}  // namespace modelhost::api

#include "store/resource_name.h"

#include <string>

namespace modelhost::store {
namespace {

constexpr size_t kMaxNameBytes = 64;

bool Allowed(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

core::Status ValidateResourceName(std::string_view kind, std::string_view name) {
  bool valid = !name.empty() && name.size() <= kMaxNameBytes && name != "." && name != "..";
  for (char c : name) valid = valid && Allowed(c);
  if (valid) return core::OkStatus();
  // The name is not echoed raw: it may hold bytes that garble a log line.
  return core::InvalidArgument(std::string(kind) +
                               " must be 1 to 64 characters of A-Z a-z 0-9 . _ - (and not '.' or "
                               "'..')");
}

}  // namespace modelhost::store

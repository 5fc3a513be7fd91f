#include "api/access.h"

#include <string>

namespace modelhost::api {

std::string_view ToString(Scope scope) {
  switch (scope) {
    case Scope::kRead: return "read";
    case Scope::kPredict: return "predict";
    case Scope::kWrite: return "write";
    case Scope::kAdmin: return "admin";
  }
  return "unknown";
}

core::Result<Scope> ParseScope(std::string_view name) {
  for (Scope scope : {Scope::kRead, Scope::kPredict, Scope::kWrite, Scope::kAdmin}) {
    if (ToString(scope) == name) return scope;
  }
  return core::InvalidArgument("unknown scope '" + std::string(name) +
                               "' (scopes: read, predict, write, admin)");
}

bool Grants(Scope held, Scope required) {
  if (held == required || held == Scope::kAdmin) return true;
  return held == Scope::kWrite && required == Scope::kRead;
}

}  // namespace modelhost::api

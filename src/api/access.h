// Access: who may call a route. Every route states it when it is added to the
// Router, so a route cannot be left open by forgetting a check.
//
// Scopes, as API keys carry them:
//   read     GET of datasets, jobs, models, metadata and /metrics
//   predict  the predict and infer routes
//   write    create and delete datasets, jobs and models (implies read)
//   admin    manage API keys (implies every other scope)
//
// Thread-safety: plain values.

#ifndef MODELHOST_API_ACCESS_H_
#define MODELHOST_API_ACCESS_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.h"

namespace modelhost::api {

enum class Scope : uint8_t { kRead, kPredict, kWrite, kAdmin };

// "read", "predict", "write", "admin".
std::string_view ToString(Scope scope);
// The inverse of ToString; InvalidArgument naming the word and the choices.
core::Result<Scope> ParseScope(std::string_view name);

// Whether a key holding `held` may do what `required` allows (see above).
bool Grants(Scope held, Scope required);

class Access {
 public:
  // No key needed (health probes only).
  static Access Public() { return Access(std::nullopt); }
  // A key holding `scope`, or a scope that implies it.
  static Access Requires(Scope scope) { return Access(scope); }

  bool is_public() const { return !scope_.has_value(); }
  // REQUIRES: !is_public().
  Scope scope() const { return *scope_; }

 private:
  explicit Access(std::optional<Scope> scope) : scope_(scope) {}
  std::optional<Scope> scope_;
};

}  // namespace modelhost::api

#endif  // MODELHOST_API_ACCESS_H_

// The server's own routes: liveness, readiness, server metadata and metrics.
//
//   GET /v2/health/live   200, empty body (as Triton does)           public
//   GET /v2/health/ready  200 when options.ready() says so, else 503  public
//   GET /v2               KServe server metadata                      read scope
//   GET /metrics          Prometheus text format 0.0.4                read scope
//
// Thread-safety: AddSystemRoutes is called while building a Router; the
// installed handlers may run on any I/O thread concurrently.

#ifndef MODELHOST_API_SYSTEM_ROUTES_H_
#define MODELHOST_API_SYSTEM_ROUTES_H_

#include <functional>

#include "api/router.h"
#include "core/metrics.h"

namespace modelhost::api {

struct SystemRoutesOptions {
  // Answers readiness; called on an I/O thread for every GET /v2/health/ready,
  // so it must be cheap and thread-safe. Default (empty): always ready.
  std::function<bool()> ready;
  // The registry GET /metrics renders; must outlive the server. Default
  // (null): /metrics answers an empty exposition.
  const core::MetricsRegistry* metrics = nullptr;
};

// Adds the four routes above to `router`.
void AddSystemRoutes(Router& router, SystemRoutesOptions options);

// The body of GET /v2 (computed once; the version is a build constant).
const std::string& ServerMetadataJson();

}  // namespace modelhost::api

#endif  // MODELHOST_API_SYSTEM_ROUTES_H_

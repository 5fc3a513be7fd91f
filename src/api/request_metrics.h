// RequestMetrics: the HTTP server's own metrics — requests by route, method
// and status code, and request latency by route — recorded for every request.
//
//   modelhost_http_requests_total{route,method,code}        counter
//   modelhost_http_request_duration_seconds{route}          histogram
//
// `route` is the matched pattern, or "unmatched", so cardinality is bounded by
// the routing table. Internal to api/.
//
// Thread-safety: a RequestMetrics is immutable after construction and shared
// by all I/O threads; each I/O thread records through its own
// RequestMetricsRecorder (not thread-safe), which caches resolved counters so
// that a request costs a hash lookup and relaxed atomic adds, no lock.

#ifndef MODELHOST_API_REQUEST_METRICS_H_
#define MODELHOST_API_REQUEST_METRICS_H_

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "api/http_request.h"
#include "api/router.h"
#include "core/metrics.h"

namespace modelhost::api {

class RequestMetrics {
 public:
  // Registers the families in `registry` (may be null: nothing is recorded)
  // and resolves one latency histogram per route label of `router`.
  // `registry` and `router` must outlive this object.
  RequestMetrics(core::MetricsRegistry* registry, const Router& router);

  bool enabled() const { return requests_ != nullptr; }
  core::Histogram* latency(int route_id) const { return latencies_[route_id]; }
  core::Counter& ResolveCounter(int route_id, Method method, int status) const;

 private:
  const Router& router_;
  core::CounterFamily* requests_ = nullptr;
  std::vector<core::Histogram*> latencies_;  // by route id
};

class RequestMetricsRecorder {
 public:
  explicit RequestMetricsRecorder(const RequestMetrics* metrics) : metrics_(metrics) {}

  // Counts one request and observes its latency.
  void Record(int route_id, Method method, int status, double seconds);

 private:
  const RequestMetrics* metrics_;
  std::unordered_map<uint64_t, core::Counter*> counters_;
};

}  // namespace modelhost::api

#endif  // MODELHOST_API_REQUEST_METRICS_H_

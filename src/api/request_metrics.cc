#include "api/request_metrics.h"

#include <string>

namespace modelhost::api {

RequestMetrics::RequestMetrics(core::MetricsRegistry* registry, const Router& router)
    : router_(router) {
  if (registry == nullptr) return;
  requests_ = &registry->AddCounter("modelhost_http_requests_total",
                                    "HTTP requests answered, by route pattern, method and status.",
                                    {"route", "method", "code"});
  core::HistogramFamily& latency = registry->AddHistogram(
      "modelhost_http_request_duration_seconds",
      "Time from a request's last byte read to its response written.", {"route"});
  for (int route = 0; route < router.route_label_count(); ++route) {
    latencies_.push_back(&latency.WithLabels({router.RouteLabel(route)}));
  }
}

core::Counter& RequestMetrics::ResolveCounter(int route_id, Method method, int status) const {
  return requests_->WithLabels(
      {router_.RouteLabel(route_id), ToString(method), std::to_string(status)});
}

void RequestMetricsRecorder::Record(int route_id, Method method, int status, double seconds) {
  if (!metrics_->enabled()) return;
  uint64_t key = (static_cast<uint64_t>(route_id) << 24) | (static_cast<uint64_t>(method) << 16) |
                 static_cast<uint16_t>(status);
  core::Counter*& counter = counters_[key];
  if (counter == nullptr) counter = &metrics_->ResolveCounter(route_id, method, status);
  counter->Increment();
  metrics_->latency(route_id)->Observe(seconds);
}

}  // namespace modelhost::api

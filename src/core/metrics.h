// MetricsRegistry: process metrics (counters, gauges, histograms with labels)
// rendered in the Prometheus text exposition format 0.0.4 for GET /metrics.
//
//   core::MetricsRegistry registry;
//   auto& requests = registry.AddCounter("modelhost_http_requests_total",
//                                        "HTTP requests served.", {"route", "code"});
//   core::Counter& ok = requests.WithLabels({"/v2", "200"});  // resolve once (takes a lock)
//   ok.Increment();                                             // hot path: one relaxed atomic
//
// A family is one metric name with a fixed list of label names; each distinct
// tuple of label values is a child (Counter, Gauge or Histogram). Families and
// children are never removed, so references to them stay valid for the life of
// the registry. Resolving a child takes the family's mutex; updating a child is
// lock-free (relaxed atomics). Rendering takes the locks and reads the atomics
// without stopping writers, so a scrape racing with updates may see a
// histogram's _sum one observation ahead of its buckets (Prometheus tolerates
// this); _count always equals the +Inf bucket.
//
// Thread-safety: every method of every class here may be called from any
// thread concurrently.

#ifndef MODELHOST_CORE_METRICS_H_
#define MODELHOST_CORE_METRICS_H_

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace modelhost::core {

// A monotonically increasing value (requests served, bytes read).
class Counter {
 public:
  // Adds `delta`. REQUIRES: delta >= 0 (negative deltas are ignored).
  void Increment(double delta = 1.0);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// A value that goes up and down (queue depth, loaded models).
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Increment(double delta = 1.0);
  void Decrement(double delta = 1.0) { Increment(-delta); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Counts observations into fixed buckets (upper bounds, inclusive) and keeps
// their sum, e.g. request latencies in seconds.
class Histogram {
 public:
  // REQUIRES: `upper_bounds` strictly increasing and finite (the registry checks).
  explicit Histogram(const std::vector<double>& upper_bounds);

  // Records one observation. Lock-free: two relaxed atomic adds.
  void Observe(double value);

  // Snapshot accessors, mainly for tests. Bucket `index` counts observations in
  // (bound[index-1], bound[index]]; index == number of bounds is the +Inf bucket.
  uint64_t BucketCount(size_t index) const;
  uint64_t Count() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& upper_bounds() const { return upper_bounds_; }

 private:
  std::vector<double> upper_bounds_;
  // One more than upper_bounds_: the last one is +Inf. Not cumulative.
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0.0};
};

enum class MetricType { kCounter, kGauge, kHistogram };
std::string_view ToString(MetricType type);

// One metric name, its help text and label names, and its children.
// `T` is Counter, Gauge or Histogram.
template <typename T>
class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names,
               std::vector<double> buckets);

  // Returns the child for these label values, creating it on first use. The
  // reference stays valid for the registry's lifetime; keep it to make later
  // updates lock-free. Takes the family mutex (does not block for long).
  // REQUIRES: values.size() == label_names().size(). In release builds a
  // mismatch is padded with "" or truncated rather than crashing.
  T& WithLabels(std::initializer_list<std::string_view> values);
  T& WithLabels(const std::vector<std::string>& values);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends this family in the exposition format (# HELP, # TYPE, samples).
  void Render(std::string* out) const;

 private:
  T& Resolve(std::vector<std::string> values);

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> buckets_;  // histograms only
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;  // GUARDED_BY(mu_)
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;
using HistogramFamily = MetricFamily<Histogram>;

// Bucket bounds (seconds) suited to HTTP latencies: 100 µs … 10 s.
std::vector<double> DefaultLatencyBuckets();

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Each Add* registers a family, or returns the existing one when a family of
  // the same name, type and label names exists (so two components may declare
  // the same metric). The returned reference lives as long as the registry.
  //
  // REQUIRES: `name` and every label name match [a-zA-Z_:][a-zA-Z0-9_:]* and no
  // family of that name exists with another type or other labels; histogram
  // buckets strictly increasing. These are programming errors: they assert in
  // debug builds, and in release the family is created under a name prefixed
  // "invalid_" so the error is visible in /metrics instead of crashing.
  CounterFamily& AddCounter(std::string_view name, std::string_view help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string_view name, std::string_view help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names,
                                std::vector<double> buckets = DefaultLatencyBuckets());

  // The whole registry in the text format 0.0.4, families in registration
  // order, children sorted by label values. Takes each family's lock in turn.
  std::string RenderText() const;

 private:
  struct Entry;
  template <typename T>
  MetricFamily<T>& Add(MetricType type, std::string_view name, std::string_view help,
                       std::vector<std::string> label_names, std::vector<double> buckets);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> families_;  // GUARDED_BY(mu_)
};

// Prometheus content type of RenderText's output.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace modelhost::core

#endif  // MODELHOST_CORE_METRICS_H_

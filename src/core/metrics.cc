#include "core/metrics.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <variant>

namespace modelhost::core {
namespace {

bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t pos = 0; pos < name.size(); ++pos) {
    char c = name[pos];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && pos > 0)) return false;
  }
  return true;
}

bool AreValidBuckets(const std::vector<double>& buckets) {
  for (size_t index = 0; index < buckets.size(); ++index) {
    if (!std::isfinite(buckets[index])) return false;
    if (index > 0 && buckets[index] <= buckets[index - 1]) return false;
  }
  return true;
}

// Go's strconv.FormatFloat(v, 'g', -1, 64) as Prometheus clients print values:
// the shortest text that reads back exactly; +Inf, -Inf and NaN spelled out.
void AppendValue(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("NaN");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "+Inf" : "-Inf");
  } else {
    char buffer[32];
    auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out->append(buffer, result.ptr);
  }
}

void AppendEscaped(std::string_view text, bool escape_quotes, std::string* out) {
  for (char c : text) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && escape_quotes) {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

// `{a="x",b="y"}` plus an optional extra label (the histogram's le); nothing
// when there are no labels at all.
void AppendLabels(const std::vector<std::string>& names, const std::vector<std::string>& values,
                  std::string_view extra_name, std::string_view extra_value, std::string* out) {
  if (names.empty() && extra_name.empty()) return;
  out->push_back('{');
  bool first = true;
  for (size_t label = 0; label < names.size(); ++label) {
    if (!first) out->push_back(',');
    first = false;
    out->append(names[label]).append("=\"");
    AppendEscaped(values[label], /*escape_quotes=*/true, out);
    out->push_back('"');
  }
  if (!extra_name.empty()) {
    if (!first) out->push_back(',');
    out->append(extra_name).append("=\"").append(extra_value).push_back('"');
  }
  out->push_back('}');
}

void AppendSample(std::string_view name, std::string_view suffix,
                  const std::vector<std::string>& names, const std::vector<std::string>& values,
                  std::string_view extra_name, std::string_view extra_value, double value,
                  std::string* out) {
  out->append(name).append(suffix);
  AppendLabels(names, values, extra_name, extra_value, out);
  out->push_back(' ');
  AppendValue(value, out);
  out->push_back('\n');
}

template <typename T>
constexpr MetricType TypeOf() {
  if constexpr (std::is_same_v<T, Counter>) return MetricType::kCounter;
  if constexpr (std::is_same_v<T, Gauge>) return MetricType::kGauge;
  return MetricType::kHistogram;
}

void AtomicAdd(std::atomic<double>& target, double delta) {
  target.fetch_add(delta, std::memory_order_relaxed);
}

}  // namespace

std::string_view ToString(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

void Counter::Increment(double delta) {
  if (!(delta >= 0)) return;
  AtomicAdd(value_, delta);
}

void Gauge::Increment(double delta) { AtomicAdd(value_, delta); }

Histogram::Histogram(const std::vector<double>& upper_bounds)
    : upper_bounds_(upper_bounds),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(upper_bounds.size() + 1)) {}

void Histogram::Observe(double value) {
  // Few buckets (≈ 15): a linear scan beats binary search on branch prediction.
  size_t index = 0;
  while (index < upper_bounds_.size() && value > upper_bounds_[index]) ++index;
  counts_[index].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, value);
}

uint64_t Histogram::BucketCount(size_t index) const {
  if (index > upper_bounds_.size()) return 0;
  return counts_[index].load(std::memory_order_relaxed);
}

uint64_t Histogram::Count() const {
  uint64_t total = 0;
  for (size_t index = 0; index <= upper_bounds_.size(); ++index) total += BucketCount(index);
  return total;
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0,  10.0};
}

template <typename T>
MetricFamily<T>::MetricFamily(std::string name, std::string help,
                              std::vector<std::string> label_names, std::vector<double> buckets)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      buckets_(std::move(buckets)) {}

template <typename T>
T& MetricFamily<T>::WithLabels(std::initializer_list<std::string_view> values) {
  std::vector<std::string> key;
  key.reserve(values.size());
  for (std::string_view value : values) key.emplace_back(value);
  return Resolve(std::move(key));
}

template <typename T>
T& MetricFamily<T>::WithLabels(const std::vector<std::string>& values) {
  return Resolve(values);
}

template <typename T>
T& MetricFamily<T>::Resolve(std::vector<std::string> values) {
  assert(values.size() == label_names_.size() && "label value count != label name count");
  values.resize(label_names_.size());
  std::lock_guard lock(mu_);
  auto it = children_.find(values);
  if (it != children_.end()) return *it->second;
  std::unique_ptr<T> child;
  if constexpr (std::is_same_v<T, Histogram>) {
    child = std::make_unique<Histogram>(buckets_);
  } else {
    child = std::make_unique<T>();
  }
  T& result = *child;
  children_.emplace(std::move(values), std::move(child));
  return result;
}

template <typename T>
void MetricFamily<T>::Render(std::string* out) const {
  out->append("# HELP ").append(name_).push_back(' ');
  AppendEscaped(help_, /*escape_quotes=*/false, out);
  out->append("\n# TYPE ").append(name_).push_back(' ');
  out->append(ToString(TypeOf<T>())).push_back('\n');
  std::lock_guard lock(mu_);
  for (const auto& [values, child] : children_) {
    if constexpr (std::is_same_v<T, Histogram>) {
      uint64_t cumulative = 0;
      for (size_t bucket = 0; bucket < buckets_.size(); ++bucket) {
        cumulative += child->BucketCount(bucket);
        std::string le;
        AppendValue(buckets_[bucket], &le);
        AppendSample(name_, "_bucket", label_names_, values, "le", le,
                     static_cast<double>(cumulative), out);
      }
      cumulative += child->BucketCount(buckets_.size());
      AppendSample(name_, "_bucket", label_names_, values, "le", "+Inf",
                   static_cast<double>(cumulative), out);
      AppendSample(name_, "_sum", label_names_, values, "", "", child->Sum(), out);
      AppendSample(name_, "_count", label_names_, values, "", "", static_cast<double>(cumulative),
                   out);
    } else {
      AppendSample(name_, "", label_names_, values, "", "", child->Value(), out);
    }
  }
}

template class MetricFamily<Counter>;
template class MetricFamily<Gauge>;
template class MetricFamily<Histogram>;

struct MetricsRegistry::Entry {
  MetricType type;
  std::variant<std::unique_ptr<CounterFamily>, std::unique_ptr<GaugeFamily>,
               std::unique_ptr<HistogramFamily>>
      family;

  const std::string& name() const {
    return std::visit([](const auto& f) -> const std::string& { return f->name(); }, family);
  }
  const std::vector<std::string>& label_names() const {
    return std::visit(
        [](const auto& f) -> const std::vector<std::string>& { return f->label_names(); }, family);
  }
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

template <typename T>
MetricFamily<T>& MetricsRegistry::Add(MetricType type, std::string_view name, std::string_view help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> buckets) {
  bool valid = IsValidName(name) && AreValidBuckets(buckets) &&
               std::all_of(label_names.begin(), label_names.end(),
                           [](const std::string& label) { return IsValidName(label); });
  std::lock_guard lock(mu_);
  for (const auto& entry : families_) {
    if (entry->name() != name) continue;
    if (entry->type == type && entry->label_names() == label_names) {
      return *std::get<std::unique_ptr<MetricFamily<T>>>(entry->family);
    }
    valid = false;  // same name, different shape
  }
  assert(valid && "invalid metric definition");
  std::string final_name = valid ? std::string(name) : "invalid_" + std::string(name);
  if (!valid) {
    // Keep the rendered output parseable whatever the caller passed.
    for (char& c : final_name) {
      if (!IsValidName(std::string_view(&c, 1)) && !(c >= '0' && c <= '9')) c = '_';
    }
    for (std::string& label : label_names) {
      if (!IsValidName(label)) label = "invalid_label";
    }
    if (!AreValidBuckets(buckets)) buckets = DefaultLatencyBuckets();
  }
  auto family = std::make_unique<MetricFamily<T>>(std::move(final_name), std::string(help),
                                                  std::move(label_names), std::move(buckets));
  MetricFamily<T>& result = *family;
  auto entry = std::make_unique<Entry>();
  entry->type = type;
  entry->family = std::move(family);
  families_.push_back(std::move(entry));
  return result;
}

CounterFamily& MetricsRegistry::AddCounter(std::string_view name, std::string_view help,
                                           std::vector<std::string> label_names) {
  return Add<Counter>(MetricType::kCounter, name, help, std::move(label_names), {});
}

GaugeFamily& MetricsRegistry::AddGauge(std::string_view name, std::string_view help,
                                       std::vector<std::string> label_names) {
  return Add<Gauge>(MetricType::kGauge, name, help, std::move(label_names), {});
}

HistogramFamily& MetricsRegistry::AddHistogram(std::string_view name, std::string_view help,
                                               std::vector<std::string> label_names,
                                               std::vector<double> buckets) {
  return Add<Histogram>(MetricType::kHistogram, name, help, std::move(label_names),
                        std::move(buckets));
}

std::string MetricsRegistry::RenderText() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& entry : families_) {
    std::visit([&out](const auto& family) { family->Render(&out); }, entry->family);
  }
  return out;
}

}  // namespace modelhost::core

#include "core/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace modelhost::core {
namespace {

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(MetricsRegistryTest, RendersCounterWithHelpTypeAndLabels) {
  MetricsRegistry registry;
  auto& family = registry.AddCounter("requests_total", "Requests served.", {"route", "code"});
  family.WithLabels({"/v2", "200"}).Increment();
  family.WithLabels({"/v2", "200"}).Increment(2);
  std::string text = registry.RenderText();
  EXPECT_TRUE(Contains(text, "# HELP requests_total Requests served.\n")) << text;
  EXPECT_TRUE(Contains(text, "# TYPE requests_total counter\n")) << text;
  EXPECT_TRUE(Contains(text, "requests_total{route=\"/v2\",code=\"200\"} 3\n")) << text;
}

TEST(MetricsRegistryTest, EscapesLabelValuesAndHelp) {
  MetricsRegistry registry;
  auto& family = registry.AddGauge("g", "line one\nback\\slash", {"name"});
  family.WithLabels({"a\"b\\c\nd"}).Set(1.5);
  std::string text = registry.RenderText();
  EXPECT_TRUE(Contains(text, "# HELP g line one\\nback\\\\slash\n")) << text;
  EXPECT_TRUE(Contains(text, "g{name=\"a\\\"b\\\\c\\nd\"} 1.5\n")) << text;
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry registry;
  auto& family = registry.AddHistogram("latency_seconds", "Latency.", {}, {0.1, 1.0});
  Histogram& histogram = family.WithLabels({});
  histogram.Observe(0.05);
  histogram.Observe(0.1);  // upper bounds are inclusive
  histogram.Observe(0.5);
  histogram.Observe(7.0);
  std::string text = registry.RenderText();
  EXPECT_TRUE(Contains(text, "# TYPE latency_seconds histogram\n")) << text;
  EXPECT_TRUE(Contains(text, "latency_seconds_bucket{le=\"0.1\"} 2\n")) << text;
  EXPECT_TRUE(Contains(text, "latency_seconds_bucket{le=\"1\"} 3\n")) << text;
  EXPECT_TRUE(Contains(text, "latency_seconds_bucket{le=\"+Inf\"} 4\n")) << text;
  EXPECT_TRUE(Contains(text, "latency_seconds_sum 7.65\n")) << text;
  EXPECT_TRUE(Contains(text, "latency_seconds_count 4\n")) << text;
}

TEST(MetricsRegistryTest, HistogramLabelsPrecedeLe) {
  MetricsRegistry registry;
  registry.AddHistogram("h", "H.", {"route"}, {1.0}).WithLabels({"/x"}).Observe(2);
  std::string text = registry.RenderText();
  EXPECT_TRUE(Contains(text, "h_bucket{route=\"/x\",le=\"1\"} 0\n")) << text;
  EXPECT_TRUE(Contains(text, "h_bucket{route=\"/x\",le=\"+Inf\"} 1\n")) << text;
  EXPECT_TRUE(Contains(text, "h_count{route=\"/x\"} 1\n")) << text;
}

TEST(MetricsRegistryTest, SameDefinitionReturnsSameFamilyAndChild) {
  MetricsRegistry registry;
  auto& first = registry.AddCounter("c", "C.", {"a"});
  auto& second = registry.AddCounter("c", "C.", {"a"});
  EXPECT_EQ(&first, &second);
  EXPECT_EQ(&first.WithLabels({"x"}), &second.WithLabels({"x"}));
  EXPECT_NE(&first.WithLabels({"x"}), &first.WithLabels({"y"}));
}

TEST(MetricsRegistryTest, GaugeGoesUpAndDown) {
  MetricsRegistry registry;
  Gauge& gauge = registry.AddGauge("queue_depth", "Depth.").WithLabels({});
  gauge.Increment(3);
  gauge.Decrement();
  EXPECT_DOUBLE_EQ(gauge.Value(), 2.0);
  EXPECT_TRUE(Contains(registry.RenderText(), "queue_depth 2\n"));
}

TEST(MetricsRegistryTest, CounterIgnoresNegativeDeltas) {
  Counter counter;
  counter.Increment(2);
  counter.Increment(-1);
  EXPECT_DOUBLE_EQ(counter.Value(), 2.0);
}

TEST(MetricsRegistryTest, ConcurrentIncrementsAreNotLost) {
  MetricsRegistry registry;
  auto& family = registry.AddCounter("hits_total", "Hits.", {"thread_group"});
  auto& histogram = registry.AddHistogram("obs", "Obs.", {}, {1.0}).WithLabels({});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10000;
  std::vector<std::thread> threads;
  for (int thread = 0; thread < kThreads; ++thread) {
    threads.emplace_back([&] {
      Counter& counter = family.WithLabels({"all"});
      for (int step = 0; step < kPerThread; ++step) {
        counter.Increment();
        histogram.Observe(0.5);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_DOUBLE_EQ(family.WithLabels({"all"}).Value(), kThreads * kPerThread);
  EXPECT_EQ(histogram.Count(), static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_DOUBLE_EQ(histogram.Sum(), 0.5 * kThreads * kPerThread);
}

TEST(MetricsRegistryTest, FamiliesRenderInRegistrationOrder) {
  MetricsRegistry registry;
  registry.AddCounter("zzz_total", "Z.").WithLabels({}).Increment();
  registry.AddCounter("aaa_total", "A.").WithLabels({}).Increment();
  std::string text = registry.RenderText();
  EXPECT_LT(text.find("zzz_total"), text.find("aaa_total"));
}

}  // namespace
}  // namespace modelhost::core

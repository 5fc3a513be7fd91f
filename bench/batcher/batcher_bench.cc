// batcher_bench: closed-loop clients against a DynamicBatcher whose RunBatch
// costs a fixed overhead plus a cost per row (a busy wait, as a forward pass
// keeps a core busy), with batching on (max_batch_size = --batch) and off
// (max_batch_size = 1), side by side in one run. Prints requests/s, mean batch
// rows and latency percentiles of each, and the on/off throughput ratio.
//
//   batcher_bench [--clients 64] [--seconds 2] [--rounds 3] [--overhead-us 200]
//                 [--row-us 2] [--batch 64] [--delay-us 200] [--goal 3]
//
// Exit 0 when the median on/off ratio reaches --goal (issue 5 asks batching to
// bring ≥ 3x throughput), 1 when it does not, 2 on a usage error.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <semaphore>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "serve/dynamic_batcher.h"

namespace {

using modelhost::serve::BatcherOptions;
using SteadyClock = std::chrono::steady_clock;
using Batcher = modelhost::serve::DynamicBatcher<int, int>;

struct Flags {
  int clients = 64;
  double seconds = 2.0;
  int rounds = 3;
  int64_t overhead_us = 200;
  int64_t row_us = 2;
  size_t batch = 64;
  int64_t delay_us = 200;
  double goal = 3.0;
};

struct Measurement {
  double requests_per_second = 0;
  double mean_batch_rows = 0;
  double p50_us = 0;
  double p99_us = 0;
};

void BusyWait(std::chrono::microseconds duration) {
  const auto until = SteadyClock::now() + duration;
  while (SteadyClock::now() < until) {
  }
}

double Percentile(std::vector<double>& values, double quantile) {
  if (values.empty()) return 0;
  const size_t index = static_cast<size_t>(quantile * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(index), values.end());
  return values[index];
}

Measurement Measure(const Flags& flags, size_t max_batch_size) {
  modelhost::core::Histogram batch_rows({1.0});
  auto created = Batcher::Create(
      BatcherOptions{.max_batch_size = max_batch_size,
                     .max_queue_delay_us = max_batch_size == 1 ? 0 : flags.delay_us,
                     .max_queue_size = static_cast<size_t>(flags.clients),
                     .name = "bench"},
      [&](std::span<int> requests) -> modelhost::core::Result<std::vector<int>> {
        BusyWait(std::chrono::microseconds(flags.overhead_us +
                                           flags.row_us * static_cast<int64_t>(requests.size())));
        return std::vector<int>(requests.begin(), requests.end());
      },
      {.batch_rows = &batch_rows});
  if (!created.ok()) {
    std::fprintf(stderr, "batcher_bench: %s\n", created.status().ToString().c_str());
    std::exit(2);
  }
  std::unique_ptr<Batcher> batcher = std::move(created).value();

  std::atomic<bool> running{true};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(flags.clients));
  std::vector<std::thread> clients;
  for (int client = 0; client < flags.clients; ++client) {
    clients.emplace_back([&, client] {
      std::binary_semaphore answered(0);
      std::vector<double>& mine = latencies[static_cast<size_t>(client)];
      while (running.load(std::memory_order_relaxed)) {
        const auto start = SteadyClock::now();
        const auto status =
            batcher->Submit(client, 1, [&](modelhost::core::Result<int>) { answered.release(); });
        if (!status.ok()) {
          std::fprintf(stderr, "batcher_bench: %s\n", status.ToString().c_str());
          std::exit(2);
        }
        answered.acquire();
        mine.push_back(
            std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count());
      }
    });
  }
  const auto started = SteadyClock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(flags.seconds));
  running = false;
  for (std::thread& client : clients) client.join();
  const double elapsed = std::chrono::duration<double>(SteadyClock::now() - started).count();
  batcher.reset();

  std::vector<double> all;
  for (const std::vector<double>& mine : latencies) all.insert(all.end(), mine.begin(), mine.end());
  Measurement result;
  result.requests_per_second = static_cast<double>(all.size()) / elapsed;
  result.mean_batch_rows =
      batch_rows.Sum() / static_cast<double>(std::max<uint64_t>(1, batch_rows.Count()));
  result.p50_us = Percentile(all, 0.50);
  result.p99_us = Percentile(all, 0.99);
  return result;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int index = 1; index + 1 < argc; index += 2) {
    const std::string name = argv[index];
    const char* value = argv[index + 1];
    if (name == "--clients")
      flags.clients = std::atoi(value);
    else if (name == "--seconds")
      flags.seconds = std::atof(value);
    else if (name == "--rounds")
      flags.rounds = std::atoi(value);
    else if (name == "--overhead-us")
      flags.overhead_us = std::atoll(value);
    else if (name == "--row-us")
      flags.row_us = std::atoll(value);
    else if (name == "--batch")
      flags.batch = static_cast<size_t>(std::atoll(value));
    else if (name == "--delay-us")
      flags.delay_us = std::atoll(value);
    else {
      std::fprintf(stderr, "batcher_bench: unknown flag %s\n", name.c_str());
      std::exit(2);
    }
  }
  if (flags.clients < 1 || flags.rounds < 1 || flags.seconds <= 0 || flags.batch < 1) {
    std::fprintf(stderr,
                 "batcher_bench: --clients, --rounds, --seconds, --batch must be positive\n");
    std::exit(2);
  }
  return flags;
}

void Print(const char* mode, const std::vector<Measurement>& rounds) {
  std::vector<double> rps, rows, p50, p99;
  for (const Measurement& round : rounds) {
    rps.push_back(round.requests_per_second);
    rows.push_back(round.mean_batch_rows);
    p50.push_back(round.p50_us);
    p99.push_back(round.p99_us);
  }
  std::printf("%-13s %12.0f %10.1f %10.0f %10.0f\n", mode, Median(rps), Median(rows), Median(p50),
              Median(p99));
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  std::printf(
      "fake RunBatch: %lld us + %lld us/row; %d closed-loop clients, 1 row each; "
      "%d rounds of %.1f s, medians\n",
      static_cast<long long>(flags.overhead_us), static_cast<long long>(flags.row_us),
      flags.clients, flags.rounds, flags.seconds);
  std::vector<Measurement> on, off;
  for (int round = 0; round < flags.rounds; ++round) {
    // Alternate which mode goes first, so drift of the machine hits both alike.
    if (round % 2 == 0) {
      on.push_back(Measure(flags, flags.batch));
      off.push_back(Measure(flags, 1));
    } else {
      off.push_back(Measure(flags, 1));
      on.push_back(Measure(flags, flags.batch));
    }
  }
  std::printf("%-13s %12s %10s %10s %10s\n", "mode", "requests/s", "batch rows", "p50 us",
              "p99 us");
  const std::string on_name = "on (" + std::to_string(flags.batch) + ")";
  Print(on_name.c_str(), on);
  Print("off (1)", off);
  std::vector<double> ratios;
  for (int round = 0; round < flags.rounds; ++round) {
    ratios.push_back(on[static_cast<size_t>(round)].requests_per_second /
                     off[static_cast<size_t>(round)].requests_per_second);
  }
  const double ratio = Median(ratios);
  std::printf("throughput ratio on/off: %.1fx (median of %d rounds)\n", ratio, flags.rounds);
  const bool met = ratio >= flags.goal;
  std::printf("goal (>= %.1fx): %s\n", flags.goal, met ? "MET" : "NOT MET");
  return met ? 0 : 1;
}

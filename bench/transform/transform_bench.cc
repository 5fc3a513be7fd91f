// transform_bench: fit + transform of impute(median) → standardize → minmax
// on ROWS × COLS float64 with 5 % missing, to the float32 feature matrix,
// through data::Pipeline::FitTransform — the path training takes. Also
// measures the machine's memory bandwidth (a read + write stream, like the
// transform's), so the transform's figure can be read as a fraction of it.
//
//   transform_bench [--rows N] [--cols N] [--rounds N] [--dump PATH]
//
// --dump writes the generated table (column-major float64, NaN = missing) to
// PATH for the scikit-learn peer, so both sides work on the same numbers.
// Prints one line: "transform rows=… cols=… best_ms=… median_ms=… cpu_ms=…
// touched_mb=… bandwidth_gbs=… achieved_gbs=… fraction=…" (cpu_ms: the
// median round's CPU time, which a loaded machine inflates less than wall
// time).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "data/column_builder.h"
#include "data/pipeline.h"

namespace {

using modelhost::data::Column;
using modelhost::data::ColumnBuilder;
using modelhost::data::ColumnType;

// CPU seconds of this process: on a shared machine, what the work cost
// regardless of how long it waited for a core.
double CpuSeconds() {
  timespec now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Column-major values: column c is values[c * rows .. (c + 1) * rows).
std::vector<double> Generate(size_t rows, size_t cols) {
  std::vector<double> values(rows * cols);
  std::mt19937_64 random(42);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (size_t col = 0; col < cols; ++col) {
    const double mean = 10.0 * static_cast<double>(col);
    const double scale = 1.0 + static_cast<double>(col);
    for (size_t row = 0; row < rows; ++row) {
      values[col * rows + row] = uniform(random) < 0.05 ? std::numeric_limits<double>::quiet_NaN()
                                                        : mean + scale * normal(random);
    }
  }
  return values;
}

modelhost::data::Table MakeTable(const std::vector<double>& values, size_t rows, size_t cols) {
  std::vector<Column> columns;
  for (size_t col = 0; col < cols; ++col) {
    ColumnBuilder builder("f" + std::to_string(col), ColumnType::kFloat64);
    builder.Reserve(rows);
    for (size_t row = 0; row < rows; ++row) {
      double value = values[col * rows + row];
      if (value != value) {
        builder.AppendMissing();
      } else {
        builder.AppendFloat64(value);
      }
    }
    columns.push_back(std::move(builder).Finish());
  }
  auto table = modelhost::data::Table::Make(std::move(columns));
  if (!table.ok()) std::abort();
  return std::move(table).value();
}

// Read + write bandwidth in GB/s (bytes read plus bytes written per second):
// the best of several copies of a buffer far larger than the caches.
double MeasureBandwidth() {
  const size_t count = size_t{64} << 20;  // 512 MiB of doubles each way
  std::vector<double> source(count, 1.0);
  std::vector<double> target(count, 0.0);
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    auto start = std::chrono::steady_clock::now();
    std::memcpy(target.data(), source.data(), count * sizeof(double));
    double seconds = Seconds(start);
    best = std::max(best, 2.0 * static_cast<double>(count * sizeof(double)) / seconds / 1e9);
    source[round] = target[count - 1 - round];  // keep the copies observable
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  size_t rows = 1000000;
  size_t cols = 20;
  int rounds = 5;
  std::string dump;
  for (int arg = 1; arg + 1 < argc; arg += 2) {
    std::string flag = argv[arg];
    if (flag == "--rows") rows = std::strtoull(argv[arg + 1], nullptr, 10);
    if (flag == "--cols") cols = std::strtoull(argv[arg + 1], nullptr, 10);
    if (flag == "--rounds") rounds = std::atoi(argv[arg + 1]);
    if (flag == "--dump") dump = argv[arg + 1];
  }
  std::vector<double> values = Generate(rows, cols);
  if (!dump.empty()) {
    std::ofstream out(dump, std::ios::binary);
    out.write(reinterpret_cast<const char*>(values.data()),
              static_cast<std::streamsize>(values.size() * sizeof(double)));
    return out ? 0 : 1;
  }
  const modelhost::data::Table table = MakeTable(values, rows, cols);
  values = {};
  auto pipeline = modelhost::data::Pipeline::FromJson(R"({"steps": [
    {"op": "impute", "columns": "numeric", "strategy": "median"},
    {"op": "standardize", "columns": "numeric"},
    {"op": "minmax", "columns": "numeric"}]})");
  if (!pipeline.ok()) std::abort();

  std::vector<double> times;
  std::vector<double> cpu_times;
  for (int round = 0; round < rounds; ++round) {
    auto start = std::chrono::steady_clock::now();
    double cpu_start = CpuSeconds();
    auto result = pipeline->FitTransform(table, std::nullopt);
    double seconds = Seconds(start);
    cpu_times.push_back(CpuSeconds() - cpu_start);
    if (!result.ok() || result->features.rows != rows || result->features.cols != cols) {
      std::fprintf(stderr, "transform_bench: %s\n", result.status().ToString().c_str());
      return 1;
    }
    times.push_back(seconds);
  }
  std::sort(times.begin(), times.end());
  std::sort(cpu_times.begin(), cpu_times.end());
  const double best = times.front();
  const double median = times[times.size() / 2];
  // What any implementation must move: each float64 input read once and each
  // float32 output written once.
  const double touched = static_cast<double>(rows * cols) * (sizeof(double) + sizeof(float));
  const double bandwidth = MeasureBandwidth();
  std::printf(
      "transform rows=%zu cols=%zu best_ms=%.1f median_ms=%.1f cpu_ms=%.1f touched_mb=%.0f "
      "bandwidth_gbs=%.1f achieved_gbs=%.2f fraction=%.3f\n",
      rows, cols, best * 1e3, median * 1e3, cpu_times[cpu_times.size() / 2] * 1e3, touched / 1e6,
      bandwidth, touched / best / 1e9, touched / best / 1e9 / bandwidth);
  return 0;
}

// compare_bench: the modelhost side of two bench/compare measurements that
// need the outputs, not just the time, so the peers' outputs can be checked
// against them (bench/compare/run.sh). One process per measurement.
//
//   compare_bench ingest CSV
//     One data::ReadCsvFile (file read included, 2 threads), timed. Prints
//     "seconds S", "rows N", "missing M" and "sum X" (the sum of every
//     present value of every numeric column, computed after the timing) —
//     what the ingest peers print too, so the sides can be seen to have read
//     the same numbers.
//   compare_bench transform INPUT ROWS COLS ROUNDS OUTPUT
//     INPUT: ROWS × COLS float64, column-major, NaN = missing (what
//     transform_bench --dump writes). ROUNDS fits + transforms of impute
//     (median) → standardize → minmax through data::Pipeline::FitTransform,
//     timed each; prints "seconds_i S" per round, then writes the last
//     round's float32 features, row-major, to OUTPUT for the peers to
//     compare with.
//
// Exit 0, or 1 with the error on stderr.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "data/column_builder.h"
#include "data/csv_reader.h"
#include "data/pipeline.h"

namespace {

using modelhost::data::Column;
using modelhost::data::ColumnType;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Ingest(const std::string& path) {
  modelhost::data::ReadCsvOptions options;
  options.threads = 2;
  const auto start = std::chrono::steady_clock::now();
  auto result = modelhost::data::ReadCsvFile(path, options);
  const double seconds = SecondsSince(start);
  if (!result.ok()) {
    std::fprintf(stderr, "compare_bench: %s\n", result.status().ToString().c_str());
    return 1;
  }
  const modelhost::data::Table& table = result->table;
  size_t missing = 0;
  double sum = 0;
  for (const Column& column : table.columns()) {
    for (size_t row = 0; row < column.size(); ++row) {
      if (column.IsMissing(row)) {
        ++missing;
      } else if (column.type() == ColumnType::kFloat64) {
        sum += column.float64_values()[row];
      } else if (column.type() == ColumnType::kInt64) {
        sum += static_cast<double>(column.int64_values()[row]);
      }
    }
  }
  std::printf("seconds %.4f\nrows %zu\nmissing %zu\nsum %.17g\n", seconds, table.num_rows(),
              missing, sum);
  return 0;
}

int Transform(const std::string& input, size_t rows, size_t cols, int rounds,
              const std::string& output) {
  std::vector<double> values(rows * cols);
  std::ifstream in(input, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(values.data()),
               static_cast<std::streamsize>(values.size() * sizeof(double)))) {
    std::fprintf(stderr, "compare_bench: cannot read %zu values from %s\n", values.size(),
                 input.c_str());
    return 1;
  }
  std::vector<Column> columns;
  for (size_t col = 0; col < cols; ++col) {
    modelhost::data::ColumnBuilder builder("f" + std::to_string(col), ColumnType::kFloat64);
    builder.Reserve(rows);
    for (size_t row = 0; row < rows; ++row) {
      const double value = values[col * rows + row];
      if (value != value) {
        builder.AppendMissing();
      } else {
        builder.AppendFloat64(value);
      }
    }
    columns.push_back(std::move(builder).Finish());
  }
  values = {};
  auto table = modelhost::data::Table::Make(std::move(columns));
  auto pipeline = modelhost::data::Pipeline::FromJson(R"({"steps": [
    {"op": "impute", "columns": "numeric", "strategy": "median"},
    {"op": "standardize", "columns": "numeric"},
    {"op": "minmax", "columns": "numeric"}]})");
  if (!table.ok() || !pipeline.ok()) {
    std::fprintf(stderr, "compare_bench: %s\n",
                 (table.ok() ? pipeline.status() : table.status()).ToString().c_str());
    return 1;
  }
  modelhost::data::FeatureMatrix features;
  for (int round = 0; round < rounds; ++round) {
    const auto start = std::chrono::steady_clock::now();
    auto result = pipeline->FitTransform(*table, std::nullopt);
    const double seconds = SecondsSince(start);
    if (!result.ok()) {
      std::fprintf(stderr, "compare_bench: %s\n", result.status().ToString().c_str());
      return 1;
    }
    std::printf("seconds_%d %.4f\n", round, seconds);
    features = std::move(result->features);
  }
  std::ofstream out(output, std::ios::binary);
  out.write(reinterpret_cast<const char*>(features.values.data()),
            static_cast<std::streamsize>(features.values.size() * sizeof(float)));
  if (!out) {
    std::fprintf(stderr, "compare_bench: cannot write %s\n", output.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "ingest" && argc == 3) return Ingest(argv[2]);
  if (command == "transform" && argc == 7) {
    return Transform(argv[2], std::strtoull(argv[3], nullptr, 10),
                     std::strtoull(argv[4], nullptr, 10), std::atoi(argv[5]), argv[6]);
  }
  std::fprintf(stderr,
               "usage: compare_bench ingest CSV\n"
               "       compare_bench transform INPUT ROWS COLS ROUNDS OUTPUT\n");
  return 1;
}

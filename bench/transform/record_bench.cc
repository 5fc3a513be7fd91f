// record_bench: one prediction request's pipeline work — a raw record through
// a fitted pipeline — for a pipeline with categorical inputs (Adult: impute,
// standardize, one-hot), two ways side by side in one run:
//   program: FittedPipeline::TransformRecordsInto, one record a call (the
//            predict routes' path; it runs the compiled RowProgram);
//   table:   the same record as a one-row Table through
//            FittedPipeline::Transform (kInference) — what a record took
//            before the RowProgram covered categorical columns, and what it
//            still takes when the program declines one.
// Both must give the same bits for every record (checked; exit 1 if not).
//
//   record_bench ADULT_CSV [--records N] [--rounds N]
//
// Prints one line: "records rows=… features=… program_us=… table_us=…
// speedup=…" (medians over rounds of the mean µs per record).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "data/column_builder.h"
#include "data/csv_reader.h"
#include "data/pipeline.h"

namespace {

using modelhost::data::Column;
using modelhost::data::ColumnBuilder;
using modelhost::data::ColumnType;
using modelhost::data::FieldValue;
using modelhost::data::FittedPipeline;
using modelhost::data::Record;
using modelhost::data::Table;

constexpr const char* kSpec = R"({"steps": [
  {"op": "impute", "columns": "numeric", "strategy": "median"},
  {"op": "impute", "columns": "categorical", "strategy": "most_frequent"},
  {"op": "standardize", "columns": "numeric"},
  {"op": "one_hot", "columns": "categorical", "unknown": "ignore"}]})";

// Row `row` of `table` as a prediction request sends it (the target left out).
Record RecordOf(const Table& table, size_t row, const std::string& target) {
  Record record;
  for (const Column& column : table.columns()) {
    if (column.name() == target || column.IsMissing(row)) continue;
    switch (column.type()) {
      case ColumnType::kFloat64: record[column.name()] = column.float64_values()[row]; break;
      case ColumnType::kInt64: record[column.name()] = column.int64_values()[row]; break;
      case ColumnType::kBool: record[column.name()] = column.bool_values()[row] != 0; break;
      case ColumnType::kCategorical:
        record[column.name()] = column.categories()[column.categorical_codes()[row]];
        break;
    }
  }
  return record;
}

// The record as a one-row table with the pipeline's input types.
Table OneRowTable(const FittedPipeline& fitted, const Record& record) {
  std::vector<Column> columns;
  for (const auto& input : fitted.input_columns()) {
    ColumnBuilder builder(input.name, input.type);
    auto field = record.find(input.name);
    if (field == record.end()) {
      builder.AppendMissing();
    } else if (const auto* text = std::get_if<std::string>(&field->second)) {
      (void)builder.AppendCategorical(*text);
    } else if (const auto* integer = std::get_if<int64_t>(&field->second)) {
      if (input.type == ColumnType::kInt64) {
        builder.AppendInt64(*integer);
      } else {
        builder.AppendFloat64(static_cast<double>(*integer));
      }
    } else {
      builder.AppendFloat64(std::get<double>(field->second));
    }
    columns.push_back(std::move(builder).Finish());
  }
  return *Table::Make(std::move(columns));
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: record_bench ADULT_CSV [--records N] [--rounds N]\n");
    return 2;
  }
  size_t count = 2000;
  int rounds = 5;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--records") == 0) count = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::atoi(argv[i + 1]);
  }
  auto read = modelhost::data::ReadCsvFile(argv[1], {});
  auto pipeline = modelhost::data::Pipeline::FromJson(kSpec);
  if (!read.ok() || !pipeline.ok()) {
    std::fprintf(stderr, "record_bench: %s\n",
                 (read.ok() ? pipeline.status() : read.status()).ToString().c_str());
    return 1;
  }
  const std::string target = "income";
  auto fitted = pipeline->Fit(
      read->table,
      modelhost::data::TargetSpec{target, modelhost::data::TargetKind::kClassification});
  if (!fitted.ok()) {
    std::fprintf(stderr, "record_bench: %s\n", fitted.status().ToString().c_str());
    return 1;
  }
  count = std::min(count, read->table.num_rows());
  std::vector<Record> records;
  for (size_t row = 0; row < count; ++row) records.push_back(RecordOf(read->table, row, target));

  const size_t features = fitted->feature_names().size();
  std::vector<float> by_program(count * features);
  std::vector<float> by_table(count * features);
  std::vector<double> program_us;
  std::vector<double> table_us;
  for (int round = 0; round <= rounds; ++round) {  // round 0 warms up
    auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < count; ++i) {
      auto status = fitted->TransformRecordsInto(std::span<const Record>(&records[i], 1),
                                                 std::span(&by_program[i * features], features));
      if (!status.ok()) {
        std::fprintf(stderr, "record_bench: %s\n", status.ToString().c_str());
        return 1;
      }
    }
    auto middle = std::chrono::steady_clock::now();
    for (size_t i = 0; i < count; ++i) {
      auto matrix = fitted->Transform(OneRowTable(*fitted, records[i]),
                                      modelhost::data::TransformMode::kInference);
      if (!matrix.ok()) {
        std::fprintf(stderr, "record_bench: %s\n", matrix.status().ToString().c_str());
        return 1;
      }
      std::memcpy(&by_table[i * features], matrix->values.data(), features * sizeof(float));
    }
    auto end = std::chrono::steady_clock::now();
    if (round == 0) continue;
    const auto n = static_cast<double>(count);
    program_us.push_back(std::chrono::duration<double, std::micro>(middle - start).count() / n);
    table_us.push_back(std::chrono::duration<double, std::micro>(end - middle).count() / n);
  }
  if (std::memcmp(by_program.data(), by_table.data(), by_program.size() * sizeof(float)) != 0) {
    std::fprintf(stderr, "record_bench: the two paths' features differ\n");
    return 1;
  }
  const double program = Median(program_us);
  const double table = Median(table_us);
  std::printf("records rows=%zu features=%zu program_us=%.3f table_us=%.3f speedup=%.1f\n", count,
              features, program, table, table / program);
  return 0;
}

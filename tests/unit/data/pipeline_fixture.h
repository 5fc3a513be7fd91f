// Helpers for the pipeline tests: tables from CSV text, fitting a spec given
// as JSON, and reading back errors.

#ifndef MODELHOST_TESTS_UNIT_DATA_PIPELINE_FIXTURE_H_
#define MODELHOST_TESTS_UNIT_DATA_PIPELINE_FIXTURE_H_

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/csv_reader.h"
#include "data/pipeline.h"

namespace modelhost::data {

inline Table CsvTable(std::string_view csv) {
  auto result = ReadCsvBuffer(csv, "test.csv");
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result->table) : Table();
}

inline Pipeline SpecPipeline(std::string_view spec) {
  auto pipeline = Pipeline::FromJson(spec);
  EXPECT_TRUE(pipeline.ok()) << pipeline.status().ToString();
  return pipeline.ok() ? std::move(pipeline).value() : Pipeline(PipelineSpec{});
}

// Fits `spec` on `csv` and returns the training features.
inline Pipeline::FitResult FitCsv(std::string_view csv, std::string_view spec,
                                  const std::optional<TargetSpec>& target = std::nullopt) {
  auto result = SpecPipeline(spec).FitTransform(CsvTable(csv), target);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (result.ok()) return std::move(result).value();
  return {FittedPipeline({}, std::nullopt, {}, {}), FeatureMatrix{}};
}

// The message of the error that fitting `spec` on `csv` must give.
inline std::string FitError(std::string_view csv, std::string_view spec,
                            const std::optional<TargetSpec>& target = std::nullopt) {
  auto result = SpecPipeline(spec).FitTransform(CsvTable(csv), target);
  EXPECT_FALSE(result.ok());
  if (result.ok()) return "";
  EXPECT_EQ(result.status().code(), core::StatusCode::kInvalidArgument);
  return result.status().message();
}

// One feature column of a matrix.
inline std::vector<float> FeatureColumn(const FeatureMatrix& matrix, std::string_view name) {
  std::vector<float> column;
  for (size_t feature = 0; feature < matrix.cols; ++feature) {
    if (matrix.names[feature] != name) continue;
    for (size_t row = 0; row < matrix.rows; ++row) {
      column.push_back(matrix.values[row * matrix.cols + feature]);
    }
    return column;
  }
  ADD_FAILURE() << "no feature " << name;
  return column;
}

}  // namespace modelhost::data

#endif  // MODELHOST_TESTS_UNIT_DATA_PIPELINE_FIXTURE_H_

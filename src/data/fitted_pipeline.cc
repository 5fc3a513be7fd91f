#include "data/fitted_pipeline.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <span>
#include <utility>

#include "data/column_builder.h"
#include "data/columnwise_run.h"

namespace modelhost::data {

namespace {

using core::InvalidArgument;

std::string_view KindName(const FieldValue& value) {
  switch (value.index()) {
    case 1: return "a bool";
    case 2: return "an integer";
    case 3: return "a number";
    case 4: return "a string";
  }
  return "null";
}

// Appends `value` to `builder` if its kind fits the builder's type.
core::Status AppendField(const FieldValue& value, ColumnBuilder& builder) {
  if (std::holds_alternative<std::monostate>(value)) {
    builder.AppendMissing();
    return core::OkStatus();
  }
  const ColumnType type = builder.type();
  if (type == ColumnType::kFloat64) {
    if (const double* number = std::get_if<double>(&value)) {
      builder.AppendFloat64(*number);
      return core::OkStatus();
    }
    if (const int64_t* integer = std::get_if<int64_t>(&value)) {
      builder.AppendFloat64(static_cast<double>(*integer));
      return core::OkStatus();
    }
  } else if (type == ColumnType::kInt64) {
    if (const int64_t* integer = std::get_if<int64_t>(&value)) {
      builder.AppendInt64(*integer);
      return core::OkStatus();
    }
    // JSON writers may put 3 as 3.0.
    const double* number = std::get_if<double>(&value);
    if (number != nullptr && std::trunc(*number) == *number && std::fabs(*number) < 0x1p63) {
      builder.AppendInt64(static_cast<int64_t>(*number));
      return core::OkStatus();
    }
  } else if (type == ColumnType::kBool) {
    if (const bool* flag = std::get_if<bool>(&value)) {
      builder.AppendBool(*flag);
      return core::OkStatus();
    }
  } else if (const std::string* text = std::get_if<std::string>(&value)) {
    return builder.AppendCategorical(*text);
  }
  return InvalidArgument("expected " + std::string(ToString(type)) + ", got " +
                         std::string(KindName(value)));
}

}  // namespace

FittedPipeline::FittedPipeline(std::vector<InputColumn> input, std::optional<TargetEncoding> target,
                               std::vector<FittedStep> steps, std::vector<std::string> features)
    : input_(std::move(input)),
      target_(std::move(target)),
      steps_(std::move(steps)),
      features_(std::move(features)) {
  for (size_t index = 0; index < input_.size(); ++index) sorted_input_.push_back(index);
  std::sort(sorted_input_.begin(), sorted_input_.end(),
            [this](size_t a, size_t b) { return input_[a].name < input_[b].name; });
  std::vector<std::string> input_names;
  std::vector<ColumnType> input_types;
  for (const InputColumn& input : input_) {
    input_names.push_back(input.name);
    input_types.push_back(input.type);
  }
  row_program_ = RowProgram::Compile(input_names, input_types, steps_, features_);
  column_slices_.reserve(steps_.size());
  for (const FittedStep& step : steps_) {
    column_slices_.push_back(IsColumnwise(step) ? SliceByColumn(step) : std::vector<FittedStep>());
  }
}

core::Result<Frame> FittedPipeline::MakeFrame(const Table& table, TransformMode mode) const {
  std::vector<FrameColumn> columns;
  for (const InputColumn& input : input_) {
    const Column* column = table.FindColumn(input.name);
    if (column == nullptr) return InvalidArgument("the input has no column '" + input.name + "'");
    bool numeric = input.type != ColumnType::kCategorical;
    if ((column->type() != ColumnType::kCategorical) != numeric &&
        column->missing_count() == column->size()) {
      // A reader types a column without a value float64: it is all missing
      // of its training type, as the same rows sent as records are.
      if (numeric) {
        columns.emplace_back(
            input.name, input.type,
            std::vector<double>(column->size(), std::numeric_limits<double>::quiet_NaN()));
      } else {
        columns.emplace_back(input.name, std::vector<int32_t>(column->size(), Column::kMissingCode),
                             std::vector<std::string>());
      }
      continue;
    }
    if ((column->type() != ColumnType::kCategorical) != numeric) {
      return InvalidArgument("column '" + input.name + "' is " +
                             std::string(ToString(column->type())) + ", it was " +
                             std::string(ToString(input.type)) + " in training");
    }
    columns.emplace_back(*column);
    // The training type, so that a step behaves the same whichever numeric
    // type this table inferred.
    if (numeric) columns.back().set_numeric_type(input.type);
  }
  std::string target_name;
  if (mode == TransformMode::kTraining && target_) {
    const Column* column = table.FindColumn(target_->column);
    if (column == nullptr) {
      return InvalidArgument("the input has no target column '" + target_->column + "'");
    }
    columns.emplace_back(*column);
    target_name = target_->column;
  }
  return Frame(std::move(columns), table.num_rows(), std::move(target_name));
}

core::Result<FeatureMatrix> FittedPipeline::Transform(const Table& table,
                                                      TransformMode mode) const {
  MODELHOST_ASSIGN_OR_RETURN(Frame frame, MakeFrame(table, mode));
  const RowDropping rows =
      mode == TransformMode::kTraining ? RowDropping::kApply : RowDropping::kSkip;
  for (size_t index = 0; index < steps_.size();) {
    if (IsColumnwise(steps_[index])) {
      size_t end = index + 1;
      while (end < steps_.size() && IsColumnwise(steps_[end])) ++end;
      MODELHOST_RETURN_IF_ERROR(
          ApplyColumnwiseRun(std::span(steps_).subspan(index, end - index),
                             std::span(column_slices_).subspan(index, end - index), index, frame));
      index = end;
      continue;
    }
    if (core::Status applied = ApplyStep(steps_[index], frame, rows); !applied.ok()) {
      return applied.WithContext(StepPlace(index, OpName(steps_[index])));
    }
    ++index;
  }
  const bool with_target = mode == TransformMode::kTraining && target_;
  MODELHOST_ASSIGN_OR_RETURN(FeatureMatrix matrix,
                             ToFeatureMatrix(frame, with_target ? &*target_ : nullptr));
  if (matrix.names != features_) {
    return InvalidArgument("the steps produce features other than the fitted pipeline lists");
  }
  return matrix;
}

core::Result<FeatureMatrix> FittedPipeline::TransformRecords(std::span<const Record> records,
                                                             std::string_view noun) const {
  FeatureMatrix matrix{.rows = records.size(),
                       .cols = features_.size(),
                       .values = std::vector<float>(records.size() * features_.size()),
                       .names = features_,
                       .target = {}};
  MODELHOST_RETURN_IF_ERROR(TransformRecordsInto(records, matrix.values, noun));
  return matrix;
}

core::Status FittedPipeline::TransformRecordsInto(std::span<const Record> records,
                                                  std::span<float> out,
                                                  std::string_view noun) const {
  assert(out.size() == records.size() * features_.size());
  core::Status status = TransformRecordTable(records, out);
  if (status.ok()) return status;
  // Slow, but only on failure: find the record that fails alone.
  const size_t cols = features_.size();
  for (size_t index = 0; index < records.size(); ++index) {
    core::Status one =
        TransformRecordTable(records.subspan(index, 1), out.subspan(index * cols, cols));
    if (!one.ok()) {
      return InvalidArgument(std::string(noun) + " " + std::to_string(index) + ": " +
                             one.message());
    }
  }
  return status;
}

core::Status FittedPipeline::MatchFields(const Record& record,
                                         std::vector<const FieldValue*>& values) const {
  // Both sorted by name: one merge finds each input's field and any field
  // that is neither an input nor the target.
  auto field = record.begin();
  // Fields before `limit` (all that are left when there is none).
  auto check_unknown_before = [&](std::optional<std::string_view> limit) -> core::Status {
    for (; field != record.end() && (!limit || field->first < *limit); ++field) {
      if (!target_ || field->first != target_->column) {
        return InvalidArgument("unknown field '" + field->first + "'");
      }
    }
    return core::OkStatus();
  };
  values.assign(input_.size(), nullptr);
  for (size_t index : sorted_input_) {
    const std::string& name = input_[index].name;
    MODELHOST_RETURN_IF_ERROR(check_unknown_before(name));
    if (field != record.end() && field->first == name) values[index] = &(field++)->second;
  }
  return check_unknown_before(std::nullopt);
}

core::Status FittedPipeline::TransformRecordTable(std::span<const Record> records,
                                                  std::span<float> out) const {
  std::vector<const FieldValue*> values;
  if (row_program_) {
    bool all_ran = true;
    for (size_t row = 0; row < records.size() && all_ran; ++row) {
      all_ran = MatchFields(records[row], values).ok() &&
                row_program_->Run(values, out.data() + row * features_.size());
    }
    if (all_ran) return core::OkStatus();
    // A record it declines: the table path gives the answer or the exact error.
  }
  std::vector<ColumnBuilder> builders;
  builders.reserve(input_.size());
  for (const InputColumn& input : input_) {
    builders.emplace_back(input.name, input.type);
    builders.back().Reserve(records.size());
  }
  for (const Record& record : records) {
    MODELHOST_RETURN_IF_ERROR(MatchFields(record, values));
    static const FieldValue kMissing;
    for (size_t index = 0; index < input_.size(); ++index) {
      core::Status appended =
          AppendField(values[index] != nullptr ? *values[index] : kMissing, builders[index]);
      if (!appended.ok()) return appended.WithContext("field '" + input_[index].name + "'");
    }
  }
  std::vector<Column> columns;
  columns.reserve(builders.size());
  for (ColumnBuilder& builder : builders) columns.push_back(std::move(builder).Finish());
  MODELHOST_ASSIGN_OR_RETURN(Table table, Table::Make(std::move(columns)));
  MODELHOST_ASSIGN_OR_RETURN(FeatureMatrix matrix, Transform(table, TransformMode::kInference));
  assert(matrix.values.size() == out.size());  // inference keeps every row
  std::copy(matrix.values.begin(), matrix.values.end(), out.begin());
  return core::OkStatus();
}

}  // namespace modelhost::data

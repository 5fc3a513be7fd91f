#include "data/csv_speculative_column.h"

#include <limits>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace modelhost::data {

void SpeculativeColumn::Start(Kind kind, std::string_view name) {
  kind_ = kind;
  const size_t reserve = std::max(expected_rows_, missing_before_ + 1);
  switch (kind) {
    case Kind::kFloat64:
      reals_.Reserve(reserve);
      for (size_t row = 0; row < missing_before_; ++row) reals_.PushBack(kMissingReal);
      break;
    case Kind::kInt64:
      ints_.Reserve(reserve);
      for (size_t row = 0; row < missing_before_; ++row) ints_.PushBack(0);
      break;
    case Kind::kBool:
      bools_.reserve(reserve);
      bools_.assign(missing_before_, 0);
      break;
    case Kind::kCategorical:
      categorical_.emplace(std::string(name), ColumnType::kCategorical);
      for (size_t row = 0; row < missing_before_; ++row) categorical_->AppendMissing();
      return;
    case Kind::kNone:
    case Kind::kLost: return;
  }
  validity_.Reserve(reserve);
  for (size_t row = 0; row < missing_before_; ++row) validity_.Append(false);
}

void SpeculativeColumn::Lose() {
  kind_ = Kind::kLost;
  reals_.Clear();
  ints_.Clear();
  bools_ = {};
  categorical_.reset();
  validity_ = ValidityBitmap();
}

bool SpeculativeColumn::WidenToFloat64() {
  if (negative_zero_) {
    Lose();
    return false;
  }
  reals_.Reserve(std::max(expected_rows_, ints_.size() + 1));
  for (size_t row = 0; row < ints_.size(); ++row) {
    reals_.PushBack(validity_.IsValid(row) ? static_cast<double>(ints_[row]) : kMissingReal);
  }
  ints_.Clear();
  kind_ = Kind::kFloat64;
  return true;
}

core::Status SpeculativeColumn::AppendSlowly(std::string_view value, TypeEvidence& evidence,
                                             std::string_view name) {
  const bool text_already = !evidence.can_be_bool && !evidence.can_be_int && !evidence.can_be_float;
  evidence.has_value = true;
  if (text_already) {  // categorical for sure: kept if it was from the first value on
    return kind_ == Kind::kCategorical ? categorical_->AppendCategorical(value) : core::OkStatus();
  }
  // What the value can be, as TypeEvidence::Observe decides it.
  std::optional<bool> flag;
  std::optional<int64_t> integer;
  std::optional<double> real;
  const PlainNumberValue number = ParsePlainNumber(value);
  if (number.kind == PlainNumber::kInt) {
    integer = number.integer;
    real = number.real;
  } else if (number.kind == PlainNumber::kDecimal) {
    real = number.real;
  } else {
    if (evidence.can_be_bool) flag = ParseBool(value);
    if (evidence.can_be_int) integer = ParseInt64(value);
    if (evidence.can_be_float) real = ParseFloat64(value);
  }
  evidence.can_be_bool = evidence.can_be_bool && flag.has_value();
  evidence.can_be_int = evidence.can_be_int && integer.has_value();
  evidence.can_be_float = evidence.can_be_float && real.has_value();

  if (kind_ == Kind::kNone) {
    Start(flag      ? Kind::kBool
          : integer ? Kind::kInt64
          : real    ? Kind::kFloat64
                    : Kind::kCategorical,
          name);
  }
  switch (kind_) {
    case Kind::kBool:
      if (!flag) break;
      bools_.push_back(*flag ? 1 : 0);
      validity_.Append(true);
      return core::OkStatus();
    case Kind::kInt64:
      if (integer) {
        if (*integer == 0 && value.find('-') != std::string_view::npos) negative_zero_ = true;
        ints_.PushBack(*integer);
        validity_.Append(true);
        return core::OkStatus();
      }
      if (!real || !WidenToFloat64()) break;
      reals_.PushBack(*real);
      validity_.Append(true);
      return core::OkStatus();
    case Kind::kFloat64:
      if (!real) break;
      reals_.PushBack(*real);
      validity_.Append(true);
      return core::OkStatus();
    case Kind::kCategorical: return categorical_->AppendCategorical(value);
    case Kind::kNone:
    case Kind::kLost: return core::OkStatus();
  }
  Lose();
  return core::OkStatus();
}

Column SpeculativeColumn::Finish(std::string name) && {
  switch (kind_) {
    case Kind::kFloat64:
      return ColumnBuilder::Assemble(std::move(name), std::move(reals_).TakeOwn(),
                                     std::move(validity_));
    case Kind::kInt64:
      return ColumnBuilder::Assemble(std::move(name), std::move(ints_).TakeOwn(),
                                     std::move(validity_));
    case Kind::kBool:
      return ColumnBuilder::Assemble(std::move(name), std::move(bools_), std::move(validity_));
    case Kind::kCategorical: return std::move(*categorical_).Finish();
    case Kind::kNone:
    case Kind::kLost: break;
  }
  return ColumnBuilder(std::move(name), ColumnType::kFloat64).Finish();  // REQUIRES excludes it
}

std::optional<Column> TakeSpeculatedColumn(CsvChunkResult& chunk, size_t column,
                                           const std::string& name, ColumnType type) {
  switch (chunk.speculation[column]) {
    case CsvSpeculation::kLost:
    case CsvSpeculation::kPlaced: return std::nullopt;  // not without the place
    case CsvSpeculation::kNoValue: {
      ColumnBuilder builder(name, type);
      builder.Reserve(chunk.good_rows);
      for (size_t row = 0; row < chunk.good_rows; ++row) builder.AppendMissing();
      return std::move(builder).Finish();
    }
    case CsvSpeculation::kConverted: break;
  }
  Column& part = chunk.columns[column];
  if (part.type() == type) return std::move(part);
  if (part.type() != ColumnType::kInt64 || type != ColumnType::kFloat64 ||
      chunk.negative_zero[column]) {
    return std::nullopt;
  }
  const std::span<const int64_t> ints = part.int64_values();
  std::vector<double> reals(ints.size());
  for (size_t row = 0; row < ints.size(); ++row) {
    reals[row] = part.validity().IsValid(row) ? static_cast<double>(ints[row])
                                              : std::numeric_limits<double>::quiet_NaN();
  }
  return ColumnBuilder::Assemble(name, std::move(reals), part.validity());
}

}  // namespace modelhost::data

#include "data/row_program.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string_view>

#include "data/value_maps.h"

namespace modelhost::data {

namespace {

// A column of the frame as the table path would hold it after the steps so
// far, and the register that holds its value.
struct Lane {
  std::string name;
  bool numeric = true;
  uint32_t reg = 0;
};

// The position of `name` among the lanes, as Frame::Require finds it.
std::optional<size_t> FindLane(const std::vector<Lane>& lanes, std::string_view name) {
  for (size_t index = 0; index < lanes.size(); ++index) {
    if (lanes[index].name == name) return index;
  }
  return std::nullopt;
}

// The lanes of a step's columns, as step_apply.cc's Lookup resolves them:
// nullopt when one is missing or not of the wanted kind (the table path
// fails there on every record).
std::optional<std::vector<size_t>> LookupLanes(const std::vector<Lane>& lanes,
                                               const std::vector<std::string>& columns,
                                               std::optional<bool> numeric) {
  std::vector<size_t> found;
  for (const std::string& name : columns) {
    std::optional<size_t> index = FindLane(lanes, name);
    if (!index || (numeric && lanes[*index].numeric != *numeric)) return std::nullopt;
    found.push_back(*index);
  }
  return found;
}

}  // namespace

std::optional<RowProgram> RowProgram::Compile(const std::vector<std::string>& input_names,
                                              const std::vector<ColumnType>& input_types,
                                              const std::vector<FittedStep>& steps,
                                              const std::vector<std::string>& features) {
  RowProgram program;
  program.input_types_ = input_types;
  std::vector<Lane> lanes;
  for (size_t index = 0; index < input_names.size(); ++index) {
    const bool numeric = input_types[index] != ColumnType::kCategorical;
    const uint32_t reg = numeric ? program.numeric_registers_++ : program.text_registers_++;
    lanes.push_back({.name = input_names[index], .numeric = numeric, .reg = reg});
    program.input_registers_.push_back(reg);
  }
  auto add = [&program](OpKind kind, const Lane& lane) -> Op& {
    Op& op = program.ops_.emplace_back();
    op.kind = kind;
    (lane.numeric ? op.target : op.source) = lane.reg;
    return op;
  };
  for (const FittedStep& step : steps) {
    if (std::holds_alternative<FittedDropMissing>(step) ||
        std::holds_alternative<FittedDropDuplicates>(step)) {
      continue;  // inference keeps every row
    }
    if (const auto* drop = std::get_if<FittedDropColumns>(&step)) {
      for (const std::string& name : drop->columns) {
        std::optional<size_t> index = FindLane(lanes, name);
        if (!index) return std::nullopt;
        lanes.erase(lanes.begin() + static_cast<std::ptrdiff_t>(*index));
      }
    } else if (const auto* marks = std::get_if<FittedMarkMissing>(&step)) {
      auto found = LookupLanes(lanes, marks->columns, std::nullopt);
      if (!found) return std::nullopt;
      for (size_t index : *found) {
        // Each kind of column ignores the marks of the other kind, as the
        // table path does.
        std::vector<std::string> texts;
        for (const SpecValue& value : marks->values) {
          if (const double* number = std::get_if<double>(&value)) {
            if (lanes[index].numeric) add(OpKind::kMarkMissing, lanes[index]).a = *number;
          } else if (!lanes[index].numeric) {
            texts.push_back(std::get<std::string>(value));
          }
        }
        if (!texts.empty()) add(OpKind::kMarkMissingText, lanes[index]).texts = std::move(texts);
      }
    } else if (const auto* impute = std::get_if<FittedImpute>(&step)) {
      auto found = LookupLanes(lanes, impute->columns, std::nullopt);
      if (!found) return std::nullopt;
      for (size_t position = 0; position < found->size(); ++position) {
        const Lane& lane = lanes[(*found)[position]];
        const SpecValue& fill = impute->fill[position];
        if (lane.numeric != std::holds_alternative<double>(fill)) return std::nullopt;
        if (lane.numeric) {
          add(OpKind::kImpute, lane).a = std::get<double>(fill);
        } else {
          add(OpKind::kImputeText, lane).texts = {std::get<std::string>(fill)};
        }
      }
    } else if (const auto* outliers = std::get_if<FittedOutliers>(&step)) {
      auto found = LookupLanes(lanes, outliers->columns, true);
      if (!found) return std::nullopt;
      // drop_outliers keeps every row in inference: only its columns are checked.
      if (outliers->action != OutlierAction::kClip) continue;
      for (size_t position = 0; position < found->size(); ++position) {
        Op& op = add(OpKind::kClip, lanes[(*found)[position]]);
        op.a = outliers->lower[position];
        op.b = outliers->upper[position];
      }
    } else if (const auto* scale = std::get_if<FittedScale>(&step)) {
      auto found = LookupLanes(lanes, scale->columns, true);
      if (!found) return std::nullopt;
      const bool minmax = scale->kind == ScaleKind::kMinMax;
      for (size_t position = 0; position < found->size(); ++position) {
        Op& op = add(minmax ? OpKind::kMinMax : OpKind::kCenterScale, lanes[(*found)[position]]);
        op.a = minmax ? scale->scale[position] : scale->center[position];
        op.b = minmax ? scale->offset[position] : scale->scale[position];
      }
    } else if (const auto* log1p = std::get_if<FittedLog1p>(&step)) {
      auto found = LookupLanes(lanes, log1p->columns, true);
      if (!found) return std::nullopt;
      for (size_t index : *found) add(OpKind::kLog1p, lanes[index]);
    } else if (const auto* rows = std::get_if<FittedNormalizeRows>(&step)) {
      auto found = LookupLanes(lanes, rows->columns, true);
      if (!found) return std::nullopt;
      Op& op = program.ops_.emplace_back();
      op.kind = OpKind::kNormalizeRows;
      op.l1 = rows->norm == RowNorm::kL1;
      for (size_t index : *found) op.registers.push_back(lanes[index].reg);
    } else if (const auto* text = std::get_if<FittedText>(&step)) {
      auto found = LookupLanes(lanes, text->columns, false);
      if (!found) return std::nullopt;
      for (size_t index : *found) {
        add(text->op == TextOp::kTrim ? OpKind::kTrim : OpKind::kLowercase, lanes[index]);
      }
    } else if (const auto* one_hot = std::get_if<FittedOneHot>(&step)) {
      if (!LookupLanes(lanes, one_hot->columns, false)) return std::nullopt;
      for (size_t position = 0; position < one_hot->columns.size(); ++position) {
        // Earlier columns' expansions shift positions: look the column up again.
        std::optional<size_t> index = FindLane(lanes, one_hot->columns[position]);
        if (!index || lanes[*index].numeric) return std::nullopt;
        const std::vector<std::string>& categories = one_hot->categories[position];
        Op& op = add(OpKind::kOneHot, lanes[*index]);
        op.target = program.numeric_registers_;
        op.texts = categories;
        op.refuse_unknown = one_hot->unknown == UnknownCategory::kError;
        std::vector<Lane> expanded;
        for (const std::string& category : categories) {
          std::string name = lanes[*index].name + "=" + category;
          std::optional<size_t> clash = FindLane(lanes, name);
          if (clash && *clash != *index) return std::nullopt;  // the table path refuses it
          expanded.push_back(
              {.name = std::move(name), .numeric = true, .reg = program.numeric_registers_++});
        }
        lanes.erase(lanes.begin() + static_cast<std::ptrdiff_t>(*index));
        lanes.insert(lanes.begin() + static_cast<std::ptrdiff_t>(*index), expanded.begin(),
                     expanded.end());
      }
    } else if (const auto* ordinal = std::get_if<FittedOrdinal>(&step)) {
      auto found = LookupLanes(lanes, ordinal->columns, false);
      if (!found) return std::nullopt;
      for (size_t position = 0; position < found->size(); ++position) {
        Lane& lane = lanes[(*found)[position]];
        if (lane.numeric) return std::nullopt;  // named twice: the table path refuses it
        Op& op = add(OpKind::kOrdinal, lane);
        op.target = program.numeric_registers_++;
        op.texts = ordinal->categories[position];
        op.refuse_unknown = !ordinal->unknown_value.has_value();
        op.a = ordinal->unknown_value.value_or(0);
        lane.numeric = true;
        lane.reg = op.target;
      }
    } else {
      return std::nullopt;  // cast
    }
  }
  if (lanes.size() != features.size()) return std::nullopt;
  for (size_t index = 0; index < lanes.size(); ++index) {
    if (!lanes[index].numeric || lanes[index].name != features[index]) return std::nullopt;
    program.feature_registers_.push_back(lanes[index].reg);
  }
  return program;
}

namespace {

// The value a column of `type` holds for `field`, as a one-row table holds it
// (ColumnBuilder, then widened to double); nullopt where the table path
// refuses the field's kind.
std::optional<double> NumericValue(const FieldValue* field, ColumnType type) {
  if (field == nullptr || std::holds_alternative<std::monostate>(*field)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  const double* number = std::get_if<double>(field);
  const int64_t* integer = std::get_if<int64_t>(field);
  switch (type) {
    case ColumnType::kFloat64:
      if (number != nullptr) return *number;
      if (integer != nullptr) return static_cast<double>(*integer);
      return std::nullopt;
    case ColumnType::kInt64:
      if (integer != nullptr) return static_cast<double>(*integer);
      if (number != nullptr && std::trunc(*number) == *number && std::fabs(*number) < 0x1p63) {
        return static_cast<double>(static_cast<int64_t>(*number));
      }
      return std::nullopt;
    case ColumnType::kBool:
      if (const bool* flag = std::get_if<bool>(field)) return *flag ? 1.0 : 0.0;
      return std::nullopt;
    case ColumnType::kCategorical: break;
  }
  return std::nullopt;
}

// A categorical column's value: missing, or the text `view` shows (the
// record's field, a fill of the program, or `owned` after lowercasing).
struct TextRegister {
  bool present = false;
  std::string_view view;
  std::string owned;
};

// The category's position in a one_hot / ordinal step's categories, found as
// FrameColumn::PositionsIn finds it; -1 when it is not among them.
int64_t PositionOf(const std::vector<std::string>& categories, std::string_view category) {
  auto found = std::lower_bound(categories.begin(), categories.end(), category);
  return found != categories.end() && *found == category ? found - categories.begin() : -1;
}

}  // namespace

bool RowProgram::Run(std::span<const FieldValue* const> fields, float* out) const {
  // Per thread, so that a prediction allocates nothing once warm.
  thread_local std::vector<double> numbers;
  thread_local std::vector<TextRegister> texts;
  numbers.resize(numeric_registers_);
  texts.resize(text_registers_);
  for (size_t column = 0; column < input_types_.size(); ++column) {
    const FieldValue* field = fields[column];
    if (input_types_[column] != ColumnType::kCategorical) {
      std::optional<double> value = NumericValue(field, input_types_[column]);
      if (!value) return false;
      numbers[input_registers_[column]] = *value;
      continue;
    }
    TextRegister& text = texts[input_registers_[column]];
    text.present = field != nullptr && !std::holds_alternative<std::monostate>(*field);
    if (!text.present) continue;
    const std::string* string = std::get_if<std::string>(field);
    if (string == nullptr) return false;
    text.view = *string;
  }
  for (const Op& op : ops_) {
    // Each op reads the register of its kind only.
    double* x = numbers.data() + op.target;
    TextRegister* text = texts.data() + op.source;
    switch (op.kind) {
      case OpKind::kMarkMissing: *x = MarkMissingValue(*x, op.a); break;
      case OpKind::kImpute: *x = ImputeValue(*x, op.a); break;
      case OpKind::kClip: *x = ClipValue(*x, op.a, op.b); break;
      case OpKind::kMinMax: *x = MinMaxValue(*x, op.a, op.b); break;
      case OpKind::kCenterScale: *x = CenterScaleValue(*x, op.a, op.b); break;
      case OpKind::kLog1p:
        if (!InLog1pDomain(*x)) return false;
        *x = Log1pValue(*x);
        break;
      case OpKind::kNormalizeRows: {
        // As step_apply.cc: the sum in column order; a missing value refuses.
        double norm = 0.0;
        for (uint32_t reg : op.registers) {
          norm += op.l1 ? std::fabs(numbers[reg]) : numbers[reg] * numbers[reg];
        }
        if (norm != norm) return false;
        if (!op.l1) norm = std::sqrt(norm);
        if (norm == 0) norm = 1;
        for (uint32_t reg : op.registers) numbers[reg] /= norm;
        break;
      }
      case OpKind::kMarkMissingText:
        if (text->present &&
            std::find(op.texts.begin(), op.texts.end(), text->view) != op.texts.end()) {
          text->present = false;
        }
        break;
      case OpKind::kImputeText:
        if (!text->present) {
          text->present = true;
          text->view = op.texts[0];
        }
        break;
      case OpKind::kTrim:
        if (text->present) text->view = TrimmedText(text->view);
        break;
      case OpKind::kLowercase:
        if (text->present && std::any_of(text->view.begin(), text->view.end(),
                                         [](char c) { return LowercaseAscii(c) != c; })) {
          std::string lowered(text->view);
          for (char& c : lowered) c = LowercaseAscii(c);
          text->owned = std::move(lowered);
          text->view = text->owned;
        }
        break;
      case OpKind::kOneHot: {
        if (!text->present) return false;  // "missing value (impute it first)"
        const int64_t position = PositionOf(op.texts, text->view);
        if (position < 0 && op.refuse_unknown) return false;
        std::fill_n(numbers.begin() + op.target, op.texts.size(), 0.0);
        if (position >= 0) numbers[op.target + static_cast<size_t>(position)] = 1.0;
        break;
      }
      case OpKind::kOrdinal: {
        if (!text->present) {
          *x = std::numeric_limits<double>::quiet_NaN();
          break;
        }
        const int64_t position = PositionOf(op.texts, text->view);
        if (position < 0 && op.refuse_unknown) return false;
        *x = position >= 0 ? static_cast<double>(position) : op.a;
        break;
      }
    }
  }
  for (size_t feature = 0; feature < feature_registers_.size(); ++feature) {
    // As ToFeatureMatrix: false for NaN (missing) and beyond float range alike.
    const float value = static_cast<float>(numbers[feature_registers_[feature]]);
    if (!(std::fabs(value) <= FLT_MAX)) return false;
    out[feature] = value;
  }
  return true;
}

}  // namespace modelhost::data

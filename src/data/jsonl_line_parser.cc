#include "data/jsonl_line_parser.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

#include "data/field_parser.h"

namespace modelhost::data {

namespace {

// ordered_json keeps a line's keys in their written order: columns come in order of
// first appearance, within a line too (nlohmann::json would sort them).
using Json = nlohmann::ordered_json;

// The column type a scalar JSON value is; nullopt for null.
std::optional<ColumnType> KindOf(const Json& value) {
  switch (value.type()) {
    case Json::value_t::boolean: return ColumnType::kBool;
    case Json::value_t::number_integer: return ColumnType::kInt64;
    case Json::value_t::number_unsigned:
      return value.get<uint64_t>() > uint64_t{std::numeric_limits<int64_t>::max()}
                 ? ColumnType::kFloat64
                 : ColumnType::kInt64;
    case Json::value_t::number_float: return ColumnType::kFloat64;
    case Json::value_t::string: return ColumnType::kCategorical;
    default: return std::nullopt;
  }
}

std::string_view KindName(ColumnType kind) {
  switch (kind) {
    case ColumnType::kBool: return "a bool";
    case ColumnType::kInt64: return "an integer";
    case ColumnType::kFloat64: return "a number";
    case ColumnType::kCategorical: return "a string";
  }
  return "a value";
}

// Whether a column of `type` takes a value of `kind`; `widen` says an int64
// column must first become float64.
bool Accepts(ColumnType type, ColumnType kind, bool may_widen, bool& widen) {
  widen = false;
  if (type == kind) return true;
  if (type == ColumnType::kFloat64 && kind == ColumnType::kInt64) return true;
  if (may_widen && type == ColumnType::kInt64 && kind == ColumnType::kFloat64) {
    widen = true;
    return true;
  }
  return false;
}

}  // namespace

struct JsonLinesParser::Row {
  Json object;
  // The line's keys as (column index, value), in the object's order.
  std::vector<std::pair<size_t, const Json*>> values;
};

JsonLinesParser::JsonLinesParser(std::string_view source, const ReadJsonLinesOptions& options)
    : source_(source), options_(options), row_(std::make_unique<Row>()) {}

JsonLinesParser::~JsonLinesParser() = default;

std::string JsonLinesParser::Place(size_t line) const {
  return std::string(source_) + ": line " + std::to_string(line);
}

std::string JsonLinesParser::Place(size_t line, std::string_view key) const {
  return Place(line) + ", key '" + std::string(key) + "'";
}

core::Status JsonLinesParser::ParseLine(std::string_view text, size_t line) {
  if (auto bad = FindInvalidUtf8(text)) {
    return core::InvalidArgument(Place(line) + ": invalid UTF-8 at byte " +
                                 std::to_string(*bad + 1) + " of the line");
  }
  Json& object = row_->object;
  row_->values.clear();
  try {
    object = Json::parse(text);
  } catch (const Json::exception& error) {
    return core::InvalidArgument(Place(line) + ": not valid JSON: " + error.what());
  }
  if (!object.is_object()) {
    return core::InvalidArgument(Place(line) + ": expected a JSON object, found " +
                                 std::string(object.type_name()));
  }
  // Check every value before changing any column: a bad row changes nothing.
  for (const auto& [key, value] : object.items()) {
    if (value.is_object() || value.is_array()) {
      return core::InvalidArgument(Place(line, key) + ": nested value (" +
                                   std::string(value.type_name()) +
                                   ") is not supported; flatten it into scalar keys");
    }
    std::optional<ColumnType> kind = KindOf(value);
    if (!kind) continue;  // null
    std::optional<ColumnType> type;
    bool may_widen = true;
    std::string origin;
    if (auto override = options_.column_types.find(key); override != options_.column_types.end()) {
      type = override->second;
      may_widen = false;
      origin = "set by an override";
    } else if (auto found = index_by_name_.find(key);
               found != index_by_name_.end() && columns_[found->second].type) {
      type = columns_[found->second].type;
      origin = "set by line " + std::to_string(columns_[found->second].type_line);
    }
    bool widen;
    if (type && !Accepts(*type, *kind, may_widen, widen)) {
      return core::InvalidArgument(Place(line, key) + ": " + std::string(KindName(*kind)) +
                                   " contradicts the column's type " +
                                   std::string(ToString(*type)) + " (" + origin + ")");
    }
  }
  for (const auto& [key, value] : object.items()) {
    auto [found, inserted] = index_by_name_.emplace(key, columns_.size());
    if (inserted) {
      JsonLinesColumn column;
      column.name = key;
      if (auto override = options_.column_types.find(key);
          override != options_.column_types.end()) {
        column.override_type = override->second;
        column.type = override->second;
        column.type_line = line;
      }
      columns_.push_back(std::move(column));
    }
    JsonLinesColumn& column = columns_[found->second];
    const std::optional<ColumnType> kind = KindOf(value);
    if (kind && !column.type) {
      column.type = kind;
      column.type_line = line;
    } else if (kind == ColumnType::kFloat64 && column.type == ColumnType::kInt64) {
      column.type = ColumnType::kFloat64;
    }
    row_->values.emplace_back(found->second, &value);
  }
  return core::OkStatus();
}

core::Status JsonLinesParser::CheckOverridesUsed() const {
  for (const auto& [name, type] : options_.column_types) {
    if (!index_by_name_.contains(name)) {
      return core::InvalidArgument(std::string(source_) + ": a type override names key '" + name +
                                   "', which no line has");
    }
  }
  return core::OkStatus();
}

JsonLinesRows::JsonLinesRows(std::vector<JsonLinesColumn> final_columns)
    : final_columns_(std::move(final_columns)) {}

JsonLinesRows::Slot& JsonLinesRows::SlotFor(size_t column) {
  while (slots_.size() <= column) {
    Slot& slot = slots_.emplace_back();
    const size_t index = slots_.size() - 1;
    if (index < final_columns_.size()) {
      slot.builder.emplace(final_columns_[index].name, final_columns_[index].FinalType());
      for (size_t row = 0; row < rows_; ++row) slot.builder->AppendMissing();
    } else {
      slot.pending_missing = rows_;
    }
  }
  return slots_[column];
}

core::Status JsonLinesRows::Append(const JsonLinesParser& parser) {
  const size_t row = rows_ + 1;  // 1-based, as Slot::last_row
  for (const auto& [index, value] : parser.row_->values) {
    Slot& slot = SlotFor(index);
    slot.last_row = row;
    const JsonLinesColumn& column = parser.columns()[index];
    const std::optional<ColumnType> kind = KindOf(*value);
    if (!slot.builder) {
      if (!kind && !column.override_type) {
        ++slot.pending_missing;
        continue;
      }
      slot.builder.emplace(column.name, column.override_type.value_or(*kind));
      for (; slot.pending_missing > 0; --slot.pending_missing) slot.builder->AppendMissing();
    }
    ColumnBuilder& builder = *slot.builder;
    if (!kind) {
      builder.AppendMissing();
      continue;
    }
    if (builder.type() == ColumnType::kInt64 && *kind == ColumnType::kFloat64) {
      builder.ConvertInt64ToFloat64();
    }
    switch (builder.type()) {
      case ColumnType::kBool: builder.AppendBool(value->get<bool>()); break;
      case ColumnType::kInt64: builder.AppendInt64(value->get<int64_t>()); break;
      case ColumnType::kFloat64: builder.AppendFloat64(value->get<double>()); break;
      case ColumnType::kCategorical:
        MODELHOST_RETURN_IF_ERROR(builder.AppendCategorical(value->get_ref<const std::string&>()));
        break;
    }
  }
  for (Slot& slot : slots_) {
    if (slot.last_row == row) continue;
    if (slot.builder) {
      slot.builder->AppendMissing();
    } else {
      ++slot.pending_missing;
    }
  }
  rows_ = row;
  return core::OkStatus();
}

std::vector<Column> JsonLinesRows::Take(const JsonLinesParser& parser) {
  const size_t count = std::max(parser.columns().size(), final_columns_.size());
  if (count > 0) SlotFor(count - 1);
  std::vector<Column> columns;
  columns.reserve(count);
  for (size_t index = 0; index < count; ++index) {
    Slot& slot = slots_[index];
    if (!slot.builder) {  // only nulls: float64 with every row missing
      slot.builder.emplace(parser.columns()[index].name, ColumnType::kFloat64);
      for (; slot.pending_missing > 0; --slot.pending_missing) slot.builder->AppendMissing();
    }
    columns.push_back(std::move(*slot.builder).Finish());
  }
  slots_.clear();
  rows_ = 0;
  return columns;
}

}  // namespace modelhost::data

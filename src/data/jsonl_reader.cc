#include "data/jsonl_reader.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/file_reader.h"
#include "data/column_builder.h"
#include "data/field_parser.h"

namespace modelhost::data {

namespace {

using Json = nlohmann::json;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// A column as it is being read: the builder exists once its type is known.
struct JsonColumn {
  std::string name;
  std::optional<ColumnBuilder> builder;
  size_t pending_missing = 0;  // rows to prepend as missing when the builder is made
  size_t type_line = 0;        // the line whose value fixed the type (0: an override did)
  std::optional<ColumnType> override_type;
  size_t last_row = std::numeric_limits<size_t>::max();  // the last row that had this key
};

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

class JsonLinesReader {
 public:
  JsonLinesReader(std::string_view source, const ReadJsonLinesOptions& options)
      : source_(source),
        options_(options),
        bad_rows_(options.bad_rows, options.max_reported_bad_rows) {}

  core::Result<ReadResult> Read(std::string_view content);

 private:
  // Parses and checks one line; on success `object` holds it.
  core::Status CheckLine(std::string_view text, size_t line, Json& object);
  core::Status AppendRow(const Json& object, size_t line);
  std::string Place(size_t line, std::string_view key) const {
    return std::string(source_) + ": line " + std::to_string(line) + ", key '" + std::string(key) +
           "'";
  }
  std::string Place(size_t line) const {
    return std::string(source_) + ": line " + std::to_string(line);
  }

  std::string_view source_;
  const ReadJsonLinesOptions& options_;
  BadRowLog bad_rows_;
  std::vector<JsonColumn> columns_;
  std::map<std::string, size_t, std::less<>> index_by_name_;
  size_t rows_ = 0;
};

core::Status JsonLinesReader::CheckLine(std::string_view text, size_t line, Json& object) {
  if (auto bad = FindInvalidUtf8(text)) {
    return core::InvalidArgument(Place(line) + ": invalid UTF-8 at byte " +
                                 std::to_string(*bad + 1) + " of the line");
  }
  try {
    object = Json::parse(text);
  } catch (const Json::exception& error) {
    return core::InvalidArgument(Place(line) + ": not valid JSON: " + error.what());
  }
  if (!object.is_object()) {
    return core::InvalidArgument(Place(line) + ": expected a JSON object, found " +
                                 std::string(object.type_name()));
  }
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
    auto found = index_by_name_.find(key);
    if (auto override = options_.column_types.find(key); override != options_.column_types.end()) {
      type = override->second;
      may_widen = false;
      origin = "set by an override";
    } else if (found != index_by_name_.end() && columns_[found->second].builder) {
      type = columns_[found->second].builder->type();
      origin = "set by line " + std::to_string(columns_[found->second].type_line);
    }
    bool widen;
    if (type && !Accepts(*type, *kind, may_widen, widen)) {
      return core::InvalidArgument(Place(line, key) + ": " + std::string(KindName(*kind)) +
                                   " contradicts the column's type " +
                                   std::string(ToString(*type)) + " (" + origin + ")");
    }
  }
  return core::OkStatus();
}

core::Status JsonLinesReader::AppendRow(const Json& object, size_t line) {
  const size_t row = rows_++;
  for (const auto& [key, value] : object.items()) {
    auto [found, inserted] = index_by_name_.emplace(key, columns_.size());
    if (inserted) {
      JsonColumn column;
      column.name = key;
      column.pending_missing = row;
      if (auto override = options_.column_types.find(key);
          override != options_.column_types.end()) {
        column.override_type = override->second;
      }
      columns_.push_back(std::move(column));
    }
    JsonColumn& column = columns_[found->second];
    column.last_row = row;
    std::optional<ColumnType> kind = KindOf(value);
    if (!column.builder) {
      if (!kind && !column.override_type) {
        ++column.pending_missing;
        continue;
      }
      column.builder.emplace(column.name, column.override_type.value_or(*kind));
      column.type_line = line;
      for (; column.pending_missing > 0; --column.pending_missing) column.builder->AppendMissing();
    }
    ColumnBuilder& builder = *column.builder;
    if (!kind) {
      builder.AppendMissing();
      continue;
    }
    if (builder.type() == ColumnType::kInt64 && *kind == ColumnType::kFloat64) {
      builder.ConvertInt64ToFloat64();
    }
    switch (builder.type()) {
      case ColumnType::kBool: builder.AppendBool(value.get<bool>()); break;
      case ColumnType::kInt64: builder.AppendInt64(value.get<int64_t>()); break;
      case ColumnType::kFloat64: builder.AppendFloat64(value.get<double>()); break;
      case ColumnType::kCategorical:
        MODELHOST_RETURN_IF_ERROR(builder.AppendCategorical(value.get_ref<const std::string&>()));
        break;
    }
  }
  for (JsonColumn& column : columns_) {
    if (column.last_row == row) continue;
    if (column.builder) {
      column.builder->AppendMissing();
    } else {
      ++column.pending_missing;
    }
  }
  return core::OkStatus();
}

core::Result<ReadResult> JsonLinesReader::Read(std::string_view content) {
  if (content.starts_with(kUtf8Bom)) content.remove_prefix(kUtf8Bom.size());
  size_t line = 0;
  Json object;
  while (!content.empty()) {
    ++line;
    size_t end = content.find('\n');
    std::string_view text = content.substr(0, end);
    content.remove_prefix(end == std::string_view::npos ? content.size() : end + 1);
    if (text.ends_with('\r')) text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
    if (core::Status error = CheckLine(text, line, object); !error.ok()) {
      MODELHOST_RETURN_IF_ERROR(bad_rows_.Record(std::move(error)));
      continue;
    }
    MODELHOST_RETURN_IF_ERROR(AppendRow(object, line));
  }
  for (const auto& [name, type] : options_.column_types) {
    if (!index_by_name_.contains(name)) {
      return core::InvalidArgument(std::string(source_) + ": a type override names key '" + name +
                                   "', which no line has");
    }
  }
  std::vector<Column> columns;
  columns.reserve(columns_.size());
  for (JsonColumn& column : columns_) {
    if (!column.builder) {  // only nulls: float64 with every row missing
      column.builder.emplace(column.name, ColumnType::kFloat64);
      for (; column.pending_missing > 0; --column.pending_missing) column.builder->AppendMissing();
    }
    columns.push_back(std::move(*column.builder).Finish());
  }
  MODELHOST_ASSIGN_OR_RETURN(Table table, Table::Make(std::move(columns)));
  ReadResult result;
  result.table = std::move(table);
  bad_rows_.MoveInto(result);
  return result;
}

}  // namespace

core::Result<ReadResult> ReadJsonLinesBuffer(std::string_view content, std::string_view source_name,
                                             const ReadJsonLinesOptions& options) {
  return JsonLinesReader(source_name, options).Read(content);
}

core::Result<ReadResult> ReadJsonLinesFile(const std::string& path,
                                           const ReadJsonLinesOptions& options) {
  MODELHOST_ASSIGN_OR_RETURN(std::string content, core::ReadFileToString(path));
  return ReadJsonLinesBuffer(content, path, options);
}

}  // namespace modelhost::data

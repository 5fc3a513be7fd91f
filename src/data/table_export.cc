#include "data/table_export.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace modelhost::data {
namespace {

void AppendDouble(double value, std::string* out) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out->append(buffer, end);
}

void AppendInt(int64_t value, std::string* out) {
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out->append(buffer, end);
}

std::string_view NonFiniteName(double value) {
  if (std::isnan(value)) return "nan";
  return value > 0 ? "inf" : "-inf";
}

// The JSON string literal of `text`; invalid UTF-8 (which the readers never
// let in) is replaced rather than thrown on.
void AppendJsonString(std::string_view text, std::string* out) {
  *out += nlohmann::json(std::string(text))
              .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Appends row `row` of `column` in the form `csv` or JSON asks for; nothing
// for a missing CSV value, null for a missing JSON one.
void AppendValue(const Column& column, size_t row, bool csv, std::string* out) {
  if (column.IsMissing(row)) {
    if (!csv) *out += "null";
    return;
  }
  switch (column.type()) {
    case ColumnType::kFloat64: {
      double value = column.float64_values()[row];
      if (std::isfinite(value)) {
        AppendDouble(value, out);
      } else if (csv) {
        *out += NonFiniteName(value);
      } else {
        *out += '"';
        *out += NonFiniteName(value);
        *out += '"';
      }
      return;
    }
    case ColumnType::kInt64: AppendInt(column.int64_values()[row], out); return;
    case ColumnType::kBool: *out += column.bool_values()[row] != 0 ? "true" : "false"; return;
    case ColumnType::kCategorical:
      if (csv) {
        AppendCsvField(column.CategoryAt(row), out);
      } else {
        AppendJsonString(column.CategoryAt(row), out);
      }
      return;
  }
}

}  // namespace

void AppendCsvField(std::string_view text, std::string* out) {
  const bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) {
    out->append(text);
    return;
  }
  *out += '"';
  for (char c : text) {
    if (c == '"') *out += '"';
    *out += c;
  }
  *out += '"';
}

void AppendCsvHeader(const Table& table, std::string* out) {
  for (size_t column = 0; column < table.num_columns(); ++column) {
    if (column > 0) *out += ',';
    AppendCsvField(table.column(column).name(), out);
  }
  *out += '\n';
}

void AppendCsvRows(const Table& table, size_t begin, size_t end, std::string* out) {
  for (size_t row = begin; row < end; ++row) {
    for (size_t column = 0; column < table.num_columns(); ++column) {
      if (column > 0) *out += ',';
      AppendValue(table.column(column), row, /*csv=*/true, out);
    }
    *out += '\n';
  }
}

void AppendJsonRows(const Table& table, size_t begin, size_t end, std::string_view separator,
                    std::string* out) {
  // Each name's literal once, not once per row.
  std::vector<std::string> keys;
  keys.reserve(table.num_columns());
  for (size_t column = 0; column < table.num_columns(); ++column) {
    std::string key;
    AppendJsonString(table.column(column).name(), &key);
    keys.push_back(std::move(key) + ":");
  }
  const bool lines = separator == "\n";
  for (size_t row = begin; row < end; ++row) {
    if (row > begin && !lines) out->append(separator);
    *out += '{';
    for (size_t column = 0; column < table.num_columns(); ++column) {
      if (column > 0) *out += ',';
      *out += keys[column];
      AppendValue(table.column(column), row, /*csv=*/false, out);
    }
    *out += '}';
    if (lines) *out += '\n';
  }
}

}  // namespace modelhost::data

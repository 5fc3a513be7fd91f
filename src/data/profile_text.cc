#include "data/profile_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace modelhost::data {
namespace {

constexpr size_t kTopCategoriesShown = 3;

std::string FormatNumber(double value, bool approximate = false) {
  if (std::isnan(value)) return "";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return (approximate ? "~" : "") + std::string(buffer);
}

enum class Align { kLeft, kRight };

struct TextColumn {
  const char* header;
  Align align;
};

constexpr TextColumn kTextColumns[] = {
    {"column", Align::kLeft},   {"type", Align::kLeft},      {"count", Align::kRight},
    {"missing", Align::kRight}, {"distinct", Align::kRight}, {"mean", Align::kRight},
    {"std", Align::kRight},     {"min", Align::kRight},      {"p01", Align::kRight},
    {"p25", Align::kRight},     {"p50", Align::kRight},      {"p75", Align::kRight},
    {"p99", Align::kRight},     {"max", Align::kRight},      {"top", Align::kLeft},
};
constexpr size_t kNumTextColumns = std::size(kTextColumns);

using Row = std::vector<std::string>;

Row RowOf(const ColumnProfile& column) {
  Row row{column.name, std::string(ToString(column.type)), std::to_string(column.count),
          std::to_string(column.missing_count),
          (column.distinct_approximate ? "~" : "") + std::to_string(column.distinct_count)};
  row.resize(kNumTextColumns);
  if (const auto* numeric = std::get_if<NumericStats>(&column.stats)) {
    row[5] = FormatNumber(numeric->mean);
    row[6] = FormatNumber(numeric->sample_std);
    row[7] = FormatNumber(numeric->min);
    for (size_t index = 0; index < numeric->quantiles.size(); ++index) {
      row[8 + index] = FormatNumber(numeric->quantiles[index], numeric->quantiles_approximate);
    }
    row[13] = FormatNumber(numeric->max);
  } else if (const auto* boolean = std::get_if<BoolStats>(&column.stats)) {
    row[14] = "true " + std::to_string(boolean->true_count);
  } else if (const auto* categorical = std::get_if<CategoricalStats>(&column.stats)) {
    const size_t shown = std::min(kTopCategoriesShown, categorical->top_categories.size());
    for (size_t index = 0; index < shown; ++index) {
      const CategoryCount& category = categorical->top_categories[index];
      if (index > 0) row[14] += ", ";
      row[14] += category.value + " " + std::to_string(category.count);
    }
    if (column.distinct_count > shown) row[14] += ", ...";
  }
  return row;
}

}  // namespace

std::string RenderProfileText(const TableProfile& profile) {
  std::vector<Row> rows;
  Row header;
  for (const TextColumn& column : kTextColumns) header.push_back(column.header);
  rows.push_back(std::move(header));
  for (const ColumnProfile& column : profile.columns) rows.push_back(RowOf(column));

  std::vector<size_t> widths(kNumTextColumns, 0);
  for (const Row& row : rows) {
    for (size_t cell = 0; cell < kNumTextColumns; ++cell) {
      widths[cell] = std::max(widths[cell], row[cell].size());
    }
  }
  std::string text;
  for (const Row& row : rows) {
    std::string line;
    for (size_t cell = 0; cell < kNumTextColumns; ++cell) {
      if (cell > 0) line += "  ";
      const std::string padding(widths[cell] - row[cell].size(), ' ');
      line += kTextColumns[cell].align == Align::kRight ? padding + row[cell] : row[cell] + padding;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    text += line + "\n";
  }
  text += std::to_string(profile.num_rows) +
          " rows. std: sample (ddof 1); quantiles: linear interpolation; ~ approximate.\n";
  return text;
}

}  // namespace modelhost::data

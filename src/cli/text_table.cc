#include "cli/text_table.h"

#include <algorithm>
#include <cassert>

namespace modelhost::cli {
namespace {

// Code points of UTF-8 `text`: every byte but continuation bytes (10xxxxxx).
size_t DisplayWidth(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char byte) {
    return (static_cast<unsigned char>(byte) & 0xC0) != 0x80;
  }));
}

}  // namespace

TextTable::TextTable(std::vector<TableColumn> columns) : columns_(std::move(columns)) {}

void TextTable::AddRow(std::vector<std::string> cells) {
  assert(cells.size() == columns_.size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::Render() const {
  std::vector<size_t> widths;
  for (const TableColumn& column : columns_) widths.push_back(DisplayWidth(column.header));
  for (const auto& row : rows_) {
    for (size_t column = 0; column < row.size(); ++column) {
      widths[column] = std::max(widths[column], DisplayWidth(row[column]));
    }
  }
  std::string out;
  auto append_line = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t column = 0; column < cells.size(); ++column) {
      if (column > 0) line += "  ";
      std::string padding(widths[column] - DisplayWidth(cells[column]), ' ');
      if (columns_[column].align == Align::kRight) {
        line += padding + cells[column];
      } else {
        line += cells[column] + padding;
      }
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  };
  std::vector<std::string> headers;
  for (const TableColumn& column : columns_) headers.push_back(column.header);
  append_line(headers);
  for (const auto& row : rows_) append_line(row);
  return out;
}

std::string FormatFields(const std::vector<std::pair<std::string, std::string>>& fields) {
  size_t width = 0;
  for (const auto& [name, value] : fields) width = std::max(width, DisplayWidth(name));
  std::string out;
  for (const auto& [name, value] : fields) {
    out += name + ":" + std::string(width - DisplayWidth(name) + 2, ' ') + value + "\n";
  }
  return out;
}

}  // namespace modelhost::cli

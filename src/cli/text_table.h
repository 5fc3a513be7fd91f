// TextTable: rows of text cells laid out in aligned columns, the human form
// of the remote commands' answers (`--json` prints the server's JSON instead):
//
//   ID                   NAME  ROWS
//   ds_f57d2b5f4539c09d  pima   768
//
// and FormatFields for one resource's fields ("name:  pima").
//
// Columns are separated by two spaces; widths count UTF-8 code points; no
// line has trailing spaces.
//
// Thread-safety: not thread-safe; Render is const.

#ifndef MODELHOST_CLI_TEXT_TABLE_H_
#define MODELHOST_CLI_TEXT_TABLE_H_

#include <string>
#include <utility>
#include <vector>

namespace modelhost::cli {

enum class Align { kLeft, kRight };

struct TableColumn {
  std::string header;
  Align align = Align::kLeft;  // kRight for numbers
};

class TextTable {
 public:
  explicit TextTable(std::vector<TableColumn> columns);

  // Appends one row. REQUIRES: cells.size() == number of columns.
  void AddRow(std::vector<std::string> cells);

  // The header line and one line per row, each ending in '\n'.
  std::string Render() const;

 private:
  std::vector<TableColumn> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Named values, one per line, the values aligned: "name:     pima\n".
std::string FormatFields(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_TEXT_TABLE_H_

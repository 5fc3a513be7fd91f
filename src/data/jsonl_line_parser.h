// The line-by-line work of the JSON Lines readers (jsonl_reader.h), shared by
// ReadJsonLinesBuffer (one pass over a buffer) and ImportJsonLinesFile (two
// passes over a file, dataset_import.h):
//
//   JsonLinesParser parses one line at a time and checks it against the
//   columns the good lines before it made (a line's verdict depends on
//   them: the first value of a key fixes its column's type). A good line
//   adds its new keys as columns and may widen an int64 column to float64.
//   Fed the same lines, two parsers reach the same verdicts and columns —
//   which lets the importer's second pass find the same bad rows again
//   without keeping a list of them.
//
//   JsonLinesRows appends the good lines, as the parser holds them, to one
//   ColumnBuilder per column: either with types as they come (created at a
//   column's first non-null value, widened in place) or with the file's final
//   types given up front (the importer's second pass, chunk by chunk).
//
// Thread-safety: not thread-safe; each object belongs to one thread.

#ifndef MODELHOST_DATA_JSONL_LINE_PARSER_H_
#define MODELHOST_DATA_JSONL_LINE_PARSER_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/column.h"
#include "data/column_builder.h"
#include "data/jsonl_reader.h"

namespace modelhost::data {

// A UTF-8 byte order mark, skipped at the start of a JSON Lines input.
inline constexpr std::string_view kJsonLinesBom = "\xEF\xBB\xBF";

// Splits `content` into lines at '\n' (a '\r' before it is dropped) and calls
// `on_line(text, line)` for each line that is not blank (only spaces and
// tabs). `line` is the number of the first line on entry and one past the
// last on return (a last line without '\n' counts). Stops at the first error
// on_line returns.
template <typename OnLine>
core::Status ForEachJsonLine(std::string_view content, size_t& line, OnLine on_line) {
  while (!content.empty()) {
    const size_t end = content.find('\n');
    std::string_view text = content.substr(0, end);
    content.remove_prefix(end == std::string_view::npos ? content.size() : end + 1);
    if (text.ends_with('\r')) text.remove_suffix(1);
    if (text.find_first_not_of(" \t") != std::string_view::npos) {
      MODELHOST_RETURN_IF_ERROR(on_line(text, line));
    }
    ++line;
  }
  return core::OkStatus();
}

// A column as the good lines so far made it.
struct JsonLinesColumn {
  std::string name;
  // Fixed by the column's first non-null value (or by an override), widened
  // from int64 to float64 by a fraction; nullopt while only nulls came.
  std::optional<ColumnType> type;
  size_t type_line = 0;  // the line whose value fixed `type`
  std::optional<ColumnType> override_type;

  // The type of the column in a finished table: float64 for only nulls.
  ColumnType FinalType() const { return type.value_or(ColumnType::kFloat64); }
};

class JsonLinesParser {
 public:
  // `source` names the input in messages; both arguments must outlive the
  // parser.
  JsonLinesParser(std::string_view source, const ReadJsonLinesOptions& options);
  ~JsonLinesParser();
  JsonLinesParser(const JsonLinesParser&) = delete;
  JsonLinesParser& operator=(const JsonLinesParser&) = delete;

  // Parses `text` (one non-blank line without its line end) as line number
  // `line`. OK: a good row, held for JsonLinesRows::Append until the next
  // call; its new keys are columns now. Else the bad row's InvalidArgument
  // ("<source>: line L[, key 'K']: …") and nothing changes.
  core::Status ParseLine(std::string_view text, size_t line);

  // The columns in order of first appearance in good lines.
  const std::vector<JsonLinesColumn>& columns() const { return columns_; }

  // After the last line: InvalidArgument when a type override names a key no
  // good line had.
  core::Status CheckOverridesUsed() const;

 private:
  friend class JsonLinesRows;
  struct Row;  // the parsed good line (JSON values stay in the .cc file)

  std::string Place(size_t line) const;
  std::string Place(size_t line, std::string_view key) const;

  std::string_view source_;
  const ReadJsonLinesOptions& options_;
  std::vector<JsonLinesColumn> columns_;
  std::map<std::string, size_t, std::less<>> index_by_name_;
  std::unique_ptr<Row> row_;
};

class JsonLinesRows {
 public:
  // Types as the values come (ReadJsonLinesBuffer).
  JsonLinesRows() = default;
  // The final columns (a parser's columns after the whole input): each
  // builder has its final type from the start (the importer's second pass).
  explicit JsonLinesRows(std::vector<JsonLinesColumn> final_columns);

  // Appends the good line `parser` holds now: a value per key, missing for
  // the columns the line lacks. Errors: as ColumnBuilder::AppendCategorical.
  core::Status Append(const JsonLinesParser& parser);

  size_t rows() const { return rows_; }

  // The rows appended since the last Take, one Column per column (the
  // final columns, else the parser's), and starts over.
  std::vector<Column> Take(const JsonLinesParser& parser);

 private:
  struct Slot {
    std::optional<ColumnBuilder> builder;
    size_t pending_missing = 0;  // rows to prepend as missing once the type is known
    size_t last_row = 0;         // 1 + the last row that had this key
  };
  // The slot of `column`, made (with the rows so far missing) if new.
  Slot& SlotFor(size_t column);

  std::vector<JsonLinesColumn> final_columns_;
  std::vector<Slot> slots_;
  size_t rows_ = 0;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_JSONL_LINE_PARSER_H_

// Writing a Table's rows back out as text: CSV (RFC 4180, a header row, fields
// quoted only when they must be, missing values as empty fields) and JSON
// (one object per row, missing values as null), for exporting a stored
// dataset and for showing its rows. A number is written in the shortest form
// that reads back to the same value, so ReadCsvBuffer / ReadJsonLinesBuffer of
// the output gives the same values (and, for CSV, the same types when the
// file's values allow the reader to infer them).
//
// Non-finite floats have no JSON number: +inf, -inf and nan are written as
// the strings "inf", "-inf" and "nan" (a missing value is null).
//
// Thread-safety: pure functions of immutable inputs.

#ifndef MODELHOST_DATA_TABLE_EXPORT_H_
#define MODELHOST_DATA_TABLE_EXPORT_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "data/table.h"

namespace modelhost::data {

// `text` as one CSV field: quoted (quotes doubled) when it holds a comma, a
// quote, a line break, or leading/trailing spaces; else as is.
void AppendCsvField(std::string_view text, std::string* out);

// The header line of `table`'s columns, ending in "\n".
void AppendCsvHeader(const Table& table, std::string* out);

// Rows [begin, end) of `table` as CSV lines. REQUIRES: begin <= end <= rows.
void AppendCsvRows(const Table& table, size_t begin, size_t end, std::string* out);

// Rows [begin, end) as JSON objects {"column": value, …}: one per line
// (JSON Lines) when `separator` is "\n", else joined by `separator` (",",
// for a JSON array). REQUIRES: begin <= end <= rows.
void AppendJsonRows(const Table& table, size_t begin, size_t end, std::string_view separator,
                    std::string* out);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_TABLE_EXPORT_H_

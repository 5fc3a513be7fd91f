// Reading JSON Lines (one JSON object per line) into a Table.
//
// Each key is a column, in order of first appearance; a key that first shows
// up on a later line adds a column whose earlier rows are missing. A missing
// key and a null are missing values. Types come from the JSON values: true /
// false → bool, integers → int64 (past int64's range: float64), other numbers
// → float64, strings → categorical. A column holding both integers and
// fractions is float64; any other mix (a string among numbers, a bool among
// strings) makes the row that brings it bad, as do nested values (objects and
// arrays), a line that is not an object, invalid JSON and invalid UTF-8.
// Blank lines are skipped; CRLF line ends and a UTF-8 byte order mark are
// accepted.
//
// One pass: each line is parsed (nlohmann/json), checked, and appended to the
// column builders; an int64 column becomes float64 in place when a fraction
// arrives.
//
// Thread-safety: the functions are reentrant; each call blocks until the
// whole input is read.

#ifndef MODELHOST_DATA_JSONL_READER_H_
#define MODELHOST_DATA_JSONL_READER_H_

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/result.h"
#include "data/column.h"
#include "data/read_result.h"

namespace modelhost::data {

struct ReadJsonLinesOptions {
  // Key → type, replacing inference for that column: a value the type cannot
  // hold (float64 takes integers too; categorical takes only strings) makes
  // its row bad. Default: none.
  std::map<std::string, ColumnType, std::less<>> column_types;

  // What a bad row does (read_result.h). Default: kFail.
  BadRowPolicy bad_rows = BadRowPolicy::kFail;

  // Under kSkip, how many bad rows' errors ReadResult::bad_rows keeps. Default 10.
  size_t max_reported_bad_rows = 10;
};

// Reads the JSON Lines file at `path`; messages name it by `path`. Errors: as
// core::ReadFileToString for the file, else as ReadJsonLinesBuffer.
core::Result<ReadResult> ReadJsonLinesFile(const std::string& path,
                                           const ReadJsonLinesOptions& options = {});

// Reads JSON Lines from `content`; `source_name` stands for the file in
// messages. Errors, all InvalidArgument: a bad row under kFail, named
// "<source>: line L, key '<key>': …" (or "<source>: line L: …" for a line
// that is no JSON object); a column_types entry for a key no line has.
core::Result<ReadResult> ReadJsonLinesBuffer(std::string_view content, std::string_view source_name,
                                             const ReadJsonLinesOptions& options = {});

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_JSONL_READER_H_

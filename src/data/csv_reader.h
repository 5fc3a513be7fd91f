// Reading a CSV file into a Table.
//
// The reader tokenizes every record once: it checks it (field count, UTF-8,
// values of overridden columns), gathers evidence of each column's type from
// all of the file's good rows — bool, else int64, else float64, else
// categorical; a column with no values at all is float64 — and converts each
// field at once with the type the values of its piece suggest so far
// (numbers exactly as std::from_chars reads them, text through the column's
// dictionary, no per-field allocation). Only a piece's column whose values
// contradict the file's final type (text after numbers, say) is tokenized
// and converted again; int64 under a float64 column is cast. Memory is the
// input plus the table: float64 and int64 columns are written in place by
// the pieces (csv_column_placement.h); other columns, or those whose rows or
// types the file's start foretold wrongly, are joined from the pieces' parts
// (twice those columns, briefly).
//
// An input larger than ReadCsvOptions::parallel_chunk_bytes is cut into
// pieces at record boundaries and the pieces are parsed on
// ReadCsvOptions::threads threads (csv_block_parser.h); the result — table,
// errors, line numbers — is the same as on one thread. See
// docs/design/data.md. For files larger than memory, see dataset_import.h.
//
// Thread-safety: the functions are reentrant; each call blocks until the
// whole input is read.

#ifndef MODELHOST_DATA_CSV_READER_H_
#define MODELHOST_DATA_CSV_READER_H_

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "data/column.h"
#include "data/read_result.h"

namespace modelhost::data {

struct ReadCsvOptions {
  // The field separator. '\0' (default): detected from the first 20 lines
  // among ',' ';' '\t' '|' (see DetectCsvDelimiter). Must not be '"', '\n' or
  // '\r'.
  char delimiter = '\0';

  // Whether the first record names the columns (default true). Without a
  // header the columns are named column_1 … column_N, N being the field count
  // of the first record. An empty header cell is named the same way.
  bool has_header = true;

  // A field whose value (quotes removed, not trimmed) equals one of these is
  // missing. Default: "", "NA", "N/A", "null", "NaN", "?".
  std::vector<std::string> missing_values = {"", "NA", "N/A", "null", "NaN", "?"};

  // Column name → type, replacing inference for that column. A value that
  // the type cannot hold makes its row bad. Default: none (all inferred).
  std::map<std::string, ColumnType, std::less<>> column_types;

  // What a bad row does (read_result.h). Default: kFail.
  BadRowPolicy bad_rows = BadRowPolicy::kFail;

  // Under kSkip, how many bad rows' errors ReadResult::bad_rows keeps. Default 10.
  size_t max_reported_bad_rows = 10;

  // Threads that parse an input cut into pieces; 0 (default): one per core.
  size_t threads = 0;

  // Inputs are cut into pieces of about this many bytes (at most 4 per
  // thread); an input no larger is parsed on the calling thread alone.
  // Default 4 MiB. REQUIRES: > 0.
  size_t parallel_chunk_bytes = size_t{4} << 20;
};

// Reads the CSV file at `path` (on ReadCsvOptions::threads threads, as
// core::ReadWholeFile does); error messages name it by `path`. Errors: as
// core::ReadWholeFile for the file, else as ReadCsvBuffer.
core::Result<ReadResult> ReadCsvFile(const std::string& path, const ReadCsvOptions& options = {});

// Reads CSV text from `content` (a leading UTF-8 byte order mark is skipped);
// `source_name` stands for the file in error messages. Errors, all
// InvalidArgument with "<source>: line L, column C '<name>': …":
//   - invalid options (a delimiter of '"' or a line end);
//   - an empty input when has_header, an unreadable or repeated header name,
//     a column_types entry the header lacks — whatever the policy;
//   - a bad row (ragged, unterminated quote, text after a closing quote,
//     invalid UTF-8, a value contradicting an overridden type) under kFail.
core::Result<ReadResult> ReadCsvBuffer(std::string_view content, std::string_view source_name,
                                       const ReadCsvOptions& options = {});

// The delimiter among ',' ';' '\t' '|' that splits the first 20 non-blank
// lines of `content` (quotes respected) into the same number of fields, the
// one giving the most fields if several do; failing that the one most frequent
// in the first line; ',' when none occurs.
char DetectCsvDelimiter(std::string_view content);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_CSV_READER_H_

// The per-chunk work of the CSV readers: a CSV body cut at record boundaries
// into chunks is parsed chunk by chunk — on different threads, in any order —
// and the chunks' results are merged in file order (csv_block_parser.h does
// the cutting and merging; csv_reader.h and csv_import.h drive it).
//
// Pass 1 (kCheck) checks each record (field count, UTF-8, values of
// overridden columns) and gathers TypeEvidence per column; pass 2 (kConvert)
// converts the good records of a chunk into Columns of the final types, with
// the chunk's own dictionaries. kCheckAndConvert is pass 1 that also converts
// each column speculatively, with the type the chunk's own values so far
// suggest (the in-memory reader's way to tokenize once): a column whose
// values outgrow what the chunk converted them to (a number after "true",
// text after numbers) is lost for the chunk and converted again later, alone,
// by kConvert; an int64 column widens to float64 in place (values past 2^53
// round as ParseFloat64 rounds them; a "-0" makes it lost, as its sign would be). A chunk does not
// know its first line number until the chunks before it are parsed, so its errors keep lines
// relative to the chunk and become messages only at the merge.
//
// Thread-safety: CsvLayout is immutable once made and shared by all chunks;
// ParseCsvChunk is reentrant.

#ifndef MODELHOST_DATA_CSV_CHUNK_PARSER_H_
#define MODELHOST_DATA_CSV_CHUNK_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "data/column.h"
#include "data/csv_placed_values.h"
#include "data/csv_reader.h"
#include "data/validity_bitmap.h"

namespace modelhost::data {

// A UTF-8 byte order mark, skipped at the start of a CSV input.
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// What the values seen so far in a column could all be.
struct TypeEvidence {
  bool can_be_bool = true;
  bool can_be_int = true;
  bool can_be_float = true;
  bool has_value = false;

  void Observe(std::string_view value);
  // What the values of both this and `other` could all be.
  void Merge(const TypeEvidence& other);
  // bool, else int64, else float64, else categorical; float64 with no value.
  ColumnType Type() const;
};

// Everything about a CSV file that is fixed once its header is read.
struct CsvLayout {
  std::string source;  // names the file in messages
  char delimiter = ',';
  bool has_header = true;
  std::vector<std::string> names;
  // Overrides before pass 1; the final types after it.
  std::vector<ColumnType> types;
  std::vector<bool> overridden;
  std::vector<std::string> missing_values;
  size_t max_missing_size = 0;
  size_t max_reported_bad_rows = 10;
  BadRowPolicy bad_rows = BadRowPolicy::kFail;

  bool IsMissing(std::string_view value) const {
    if (value.size() > max_missing_size) return false;
    for (const std::string& token : missing_values) {
      if (value == token) return true;
    }
    return false;
  }
  // "<source>: line L, column C 'name'" (C is 1-based; the name when known).
  std::string Place(size_t line, size_t column) const;
};

// Reads the header record at the start of `content` (BOM already removed) and
// makes the layout. `body_start` and `body_line` receive where the records
// begin (the header's own record again without a header). `content_is_whole`
// says whether `content` is the whole input (else a header running past it
// is an error). Errors: InvalidArgument as ReadCsvBuffer documents for
// options and header.
core::Result<CsvLayout> ReadCsvLayout(std::string_view content, bool content_is_whole,
                                      std::string_view source, const ReadCsvOptions& options,
                                      size_t& body_start, size_t& body_line);

enum class CsvPass { kCheck, kCheckAndConvert, kConvert };

// What kCheckAndConvert made of a chunk's column.
enum class CsvSpeculation : uint8_t {
  kNoValue,    // every good row missing: no column was built
  kConverted,  // `columns[c]` holds the good rows, typed as the chunk's values suggest
  kLost,       // the values outgrew the type: kConvert must convert this column again
  kPlaced,     // the good rows' values lie in the column's place (ParseCsvChunk's `places`)
};

// A bad row found in a chunk; `line` counts from 1 at the chunk's first line.
struct CsvChunkError {
  size_t line = 0;
  size_t column = 0;
  core::StatusCode code = core::StatusCode::kInvalidArgument;
  std::string detail;  // the message after "<place>: "
};

// What one chunk's parse found.
struct CsvChunkResult {
  // Offsets in the block: where the chunk began and the end of its last
  // record (or where its unfinished record starts); the line breaks between.
  size_t begin = 0;
  size_t end = 0;
  size_t line_breaks = 0;
  // The block ends inside a record that starts at `end` (not the last block).
  bool incomplete = false;

  // Bad rows: the first few (under kFail, the first) and how many.
  std::vector<CsvChunkError> errors;
  size_t error_count = 0;

  // Pass 1: evidence per column, good rows, and the offsets (in the whole
  // body) of records that tokenized but failed the checks.
  std::vector<TypeEvidence> evidence;
  size_t good_rows = 0;
  std::vector<uint64_t> bad_records;

  // Pass 2: the chunk's rows, one Column per layout column (an empty one
  // for a column left out by `only_columns`).
  std::vector<Column> columns;

  // kCheckAndConvert: `columns` as above where speculation says kConverted;
  // negative_zero[c]: the int64 column holds a "-0" (a float64 column must
  // then be converted again from the text, to keep its sign); where it says
  // kPlaced, placed_validity[c] is the validity of the values in the place.
  std::vector<CsvSpeculation> speculation;
  std::vector<uint8_t> negative_zero;
  std::vector<ValidityBitmap> placed_validity;
};

// Parses the records of `block` that start in [begin, stop): `begin` is a
// record boundary; the first record starting at or after `stop` is left to
// the next chunk. `block_offset` is the block's offset in the body (for
// bad_records); `ends_input` says whether the block is the end of the input.
// In pass 2, `bad_records` (ascending) lists the records pass 1 found bad,
// and a non-empty `only_columns` (one flag per column) limits the conversion
// to the flagged columns. In kCheckAndConvert, a non-empty `places` (one per
// column) says where each column's float64 or int64 values may go
// (csv_placed_values.h).
CsvChunkResult ParseCsvChunk(const CsvLayout& layout, CsvPass pass, std::string_view block,
                             size_t begin, size_t stop, uint64_t block_offset, bool ends_input,
                             std::span<const uint64_t> bad_records,
                             std::span<const uint8_t> only_columns = {},
                             std::span<const CsvColumnPlace> places = {});

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_CSV_CHUNK_PARSER_H_

// CsvTokenizer: splits a buffer of CSV bytes into records of fields, RFC 4180
// plus what real files contain — quoted fields holding delimiters, doubled
// quotes ("") and line breaks; CRLF, LF or lone CR line ends; blank lines
// (skipped). It only finds boundaries: no copying, no unescaping, no type
// conversion; a field is a view into the buffer.
//
// A quote opens a quoted field only as the field's first byte; elsewhere in an
// unquoted field it is an ordinary byte (`5" disk` stays as written). After a
// closing quote only a delimiter or a line end may follow.
//
// Chunked input: constructed with `buffer_ends_input` false, the tokenizer
// returns kIncomplete instead of guessing when the buffer ends inside a
// record; position() is then where that record starts, and the caller hands
// the rest of the buffer plus the next chunk (and line()) to a new tokenizer.
// Records never straddle the boundary this way, which is also what a parallel
// reader needs to split a file.
//
// Thread-safety: not thread-safe; the buffer must outlive the tokenizer and
// the fields it returned.

#ifndef MODELHOST_DATA_CSV_TOKENIZER_H_
#define MODELHOST_DATA_CSV_TOKENIZER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace modelhost::data {

struct CsvField {
  // The field's bytes; for a quoted field, those between the quotes, with any
  // doubled quotes still doubled.
  std::string_view raw;
  bool quoted = false;
  // True when `raw` holds "" pairs that stand for one quote each.
  bool has_doubled_quotes = false;

  // The field's value: `raw`, or for has_doubled_quotes a copy in `scratch`
  // with each "" made ". The view is valid until scratch next changes.
  std::string_view Value(std::string& scratch) const {
    return has_doubled_quotes ? Unescape(scratch) : raw;
  }

 private:
  std::string_view Unescape(std::string& scratch) const;
};

// The offset of the first delimiter, '\n' or '\r' in data[at, size), or
// size — where an unquoted field starting at `at` ends. Sixteen bytes a
// compare where SSE2 is there (every x86-64).
size_t FindCsvFieldEnd(const char* data, size_t at, size_t size, char delimiter);

// Line breaks in `text`: "\r\n", "\n" and a lone "\r" count one each — the
// tokenizer's way of counting lines.
size_t CountCsvLineBreaks(std::string_view text);

enum class CsvTokenStatus {
  kRecord,             // a record was read into the fields
  kEnd,                // no record is left in the buffer
  kIncomplete,         // (chunked input only) the buffer ends inside a record
  kUnterminatedQuote,  // a quoted field runs to the end of the input
  kTextAfterQuote,  // a closing quote is followed by something other than a delimiter or line end
};

class CsvTokenizer {
 public:
  // REQUIRES: delimiter is none of '"', '\n', '\r'. `first_line` is the line
  // number of the buffer's first byte (1 for a whole file).
  CsvTokenizer(std::string_view buffer, char delimiter, bool buffer_ends_input = true,
               size_t first_line = 1);

  // Reads the next record into `fields` (cleared first). On kRecord the
  // fields are views into the buffer. On an error status, record_line() and
  // error_field() say where; call SkipLine() to resume past it.
  CsvTokenStatus Next(std::vector<CsvField>& fields);

  // Moves past the line on which the last record (the bad one) began, so
  // reading resumes at the next line: a stray quote costs one line, not the
  // rest of the file.
  void SkipLine();

  // Continues after a record the caller read itself (ScanCsvPlainRecord,
  // csv_plain_record.h): the next record starts at `position`, on `line`.
  void Resume(size_t position, size_t line) {
    position_ = position;
    line_ = line;
  }

  // 1-based line on which the last record returned (or failed) began.
  size_t record_line() const { return record_line_; }
  // Offset of the first byte of the last record returned (or failed, or
  // found incomplete).
  size_t record_start() const { return record_start_; }
  // 0-based index of the field that caused kUnterminatedQuote / kTextAfterQuote.
  size_t error_field() const { return error_field_; }
  // Offset of the next unread byte (the start of the record on kIncomplete)
  // and its line number.
  size_t position() const { return position_; }
  size_t line() const { return line_; }

 private:
  CsvTokenStatus Fail(CsvTokenStatus status, size_t field);

  std::string_view buffer_;
  char delimiter_;
  bool buffer_ends_input_;
  size_t position_ = 0;
  size_t line_;
  size_t record_start_ = 0;
  size_t record_line_ = 0;
  size_t error_field_ = 0;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_CSV_TOKENIZER_H_

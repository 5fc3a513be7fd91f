// ScanCsvPlainRecord: the CSV readers' fast path for one record whose
// fields are all unquoted — the common case of a machine-written file. One
// pass over the record's bytes finds each field's end and, where the field
// is a plain number (field_parser.h), converts it on the way: the bytes of a
// numeric field are read once, not once by the tokenizer and again by the
// number parser.
//
// It accepts exactly the records CsvTokenizer would return as kRecord with
// the expected number of unquoted fields, and splits them into the same
// fields; anything else — a blank line, a quote opening a field, a field
// count other than expected, a record the buffer cuts short, any record when
// the delimiter is a byte a number holds (a digit, sign or point) — it declines,
// and the caller hands the record to the tokenizer, which knows the rules
// (and the errors) for it.
//
// Thread-safety: a pure function.

#ifndef MODELHOST_DATA_CSV_PLAIN_RECORD_H_
#define MODELHOST_DATA_CSV_PLAIN_RECORD_H_

#include <cstddef>
#include <span>
#include <string_view>

#include "data/field_parser.h"

namespace modelhost::data {

struct CsvPlainField {
  std::string_view text;  // the field's bytes (a view into the buffer)
  // ParsePlainNumber(text): kind kOther when the field is no plain number.
  PlainNumberValue number;
};

struct CsvPlainRecordEnd {
  size_t position = 0;      // the offset just past the record and its line end
  bool line_break = false;  // whether it ended with a line break (else with the input)
};

// Scans the record starting at `at` in `buffer` into `fields` (one per
// expected field). Returns false, with `fields` and `end` unspecified, when
// the record is not plain as above. `ends_input` says whether the buffer is
// the end of the input (else a record reaching its end, or a CR as its last
// byte, is declined: the next bytes decide it). REQUIRES: `fields` is not
// empty.
bool ScanCsvPlainRecord(std::string_view buffer, size_t at, char delimiter, bool ends_input,
                        std::span<CsvPlainField> fields, CsvPlainRecordEnd& end);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_CSV_PLAIN_RECORD_H_

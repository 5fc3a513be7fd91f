#include "data/csv_plain_record.h"

#include "data/csv_tokenizer.h"

namespace modelhost::data {

bool ScanCsvPlainRecord(std::string_view buffer, size_t at, char delimiter, bool ends_input,
                        std::span<CsvPlainField> fields, CsvPlainRecordEnd& end) {
  const char* const data = buffer.data();
  const char* const limit = data + buffer.size();
  const char* cursor = data + at;
  // A number's own bytes as the delimiter ("1-2" with '-') would need the
  // number scan to stop at it: the tokenizer reads such files.
  if ((delimiter >= '0' && delimiter <= '9') || delimiter == '-' || delimiter == '+' ||
      delimiter == '.') {
    return false;
  }
  // A blank line is no record, and a quoted field has rules of its own.
  if (cursor == limit || *cursor == '\n' || *cursor == '\r') return false;
  const size_t last = fields.size() - 1;
  for (size_t index = 0; index <= last; ++index) {
    CsvPlainField& field = fields[index];
    const char* const start = cursor;
    if (cursor < limit && *cursor == '"') return false;
    const char* stop = nullptr;
    field.number = ScanPlainNumber(cursor, limit, stop);
    const bool ends_here = stop == limit || *stop == delimiter || *stop == '\n' || *stop == '\r';
    if (field.number.kind == PlainNumber::kOther || !ends_here) {
      field.number.kind = PlainNumber::kOther;
      stop =
          data + FindCsvFieldEnd(data, static_cast<size_t>(start - data), buffer.size(), delimiter);
    }
    field.text = std::string_view(start, static_cast<size_t>(stop - start));
    if (stop == limit) {
      // The input's last record may end without a line break.
      if (index != last || !ends_input) return false;
      end = {buffer.size(), false};
      return true;
    }
    if (*stop == delimiter) {
      if (index == last) return false;  // more fields than expected
      cursor = stop + 1;
      continue;
    }
    if (index != last) return false;  // fewer fields than expected
    if (*stop == '\n') {
      end = {static_cast<size_t>(stop + 1 - data), true};
    } else if (stop + 1 < limit) {  // CR, alone or in CR LF
      end = {static_cast<size_t>(stop + (stop[1] == '\n' ? 2 : 1) - data), true};
    } else {
      if (!ends_input) return false;  // the next block may start with the LF
      end = {buffer.size(), true};
    }
  }
  return true;
}

}  // namespace modelhost::data

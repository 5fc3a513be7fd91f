#include "data/csv_tokenizer.h"

#include <cassert>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace modelhost::data {

size_t FindCsvFieldEnd(const char* data, size_t at, size_t size, char delimiter) {
#if defined(__SSE2__)
  const __m128i delimiters = _mm_set1_epi8(delimiter);
  const __m128i newlines = _mm_set1_epi8('\n');
  const __m128i returns = _mm_set1_epi8('\r');
  for (; at + 16 <= size; at += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + at));
    const __m128i hits =
        _mm_or_si128(_mm_cmpeq_epi8(bytes, delimiters),
                     _mm_or_si128(_mm_cmpeq_epi8(bytes, newlines), _mm_cmpeq_epi8(bytes, returns)));
    const int mask = _mm_movemask_epi8(hits);
    if (mask != 0) return at + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  while (at < size && data[at] != delimiter && data[at] != '\n' && data[at] != '\r') ++at;
  return at;
}

size_t CountCsvLineBreaks(std::string_view text) {
  size_t breaks = 0;
  for (size_t at = 0; at < text.size(); ++at) {
    if (text[at] == '\n') {
      ++breaks;
    } else if (text[at] == '\r' && (at + 1 == text.size() || text[at + 1] != '\n')) {
      ++breaks;
    }
  }
  return breaks;
}

std::string_view CsvField::Unescape(std::string& scratch) const {
  scratch.clear();
  for (size_t at = 0; at < raw.size(); ++at) {
    scratch.push_back(raw[at]);
    if (raw[at] == '"') ++at;  // the second quote of the pair
  }
  return scratch;
}

CsvTokenizer::CsvTokenizer(std::string_view buffer, char delimiter, bool buffer_ends_input,
                           size_t first_line)
    : buffer_(buffer),
      delimiter_(delimiter),
      buffer_ends_input_(buffer_ends_input),
      line_(first_line) {
  assert(delimiter != '"' && delimiter != '\n' && delimiter != '\r');
}

CsvTokenStatus CsvTokenizer::Fail(CsvTokenStatus status, size_t field) {
  error_field_ = field;
  position_ = record_start_;
  line_ = record_line_;
  return status;
}

CsvTokenStatus CsvTokenizer::Next(std::vector<CsvField>& fields) {
  fields.clear();
  const char* data = buffer_.data();
  const size_t size = buffer_.size();
  size_t at = position_;
  size_t line = line_;

  // Blank lines hold no record.
  while (at < size && (data[at] == '\n' || data[at] == '\r')) {
    if (data[at] == '\r' && at + 1 == size && !buffer_ends_input_) break;  // CR|LF split
    at += (data[at] == '\r' && at + 1 < size && data[at + 1] == '\n') ? 2 : 1;
    ++line;
  }
  position_ = at;
  line_ = line;
  record_start_ = at;
  record_line_ = line;
  if (at == size) return CsvTokenStatus::kEnd;
  if (data[at] == '\r') return CsvTokenStatus::kIncomplete;  // only the CR|LF split gets here

  const auto incomplete = [&] {
    position_ = record_start_;
    line_ = record_line_;
    return CsvTokenStatus::kIncomplete;
  };

  for (;;) {  // one field per iteration
    if (at < size && data[at] == '"') {
      const size_t content = at + 1;
      bool doubled = false;
      size_t close;
      for (size_t search = content;; search = close + 2) {
        const void* quote = std::memchr(data + search, '"', size - search);
        if (quote == nullptr) {
          if (!buffer_ends_input_) return incomplete();
          return Fail(CsvTokenStatus::kUnterminatedQuote, fields.size());
        }
        close = static_cast<const char*>(quote) - data;
        if (close + 1 == size && !buffer_ends_input_) return incomplete();
        if (close + 1 < size && data[close + 1] == '"') {
          doubled = true;
          continue;
        }
        break;
      }
      std::string_view raw(data + content, close - content);
      line += CountCsvLineBreaks(raw);
      fields.push_back({raw, true, doubled});
      at = close + 1;
      if (at < size && data[at] != delimiter_ && data[at] != '\n' && data[at] != '\r') {
        return Fail(CsvTokenStatus::kTextAfterQuote, fields.size() - 1);
      }
    } else {
      const size_t start = at;
      at = FindCsvFieldEnd(data, at, size, delimiter_);
      fields.push_back({std::string_view(data + start, at - start), false, false});
    }
    if (at == size) {
      if (!buffer_ends_input_) return incomplete();
      break;
    }
    if (data[at] == delimiter_) {
      ++at;
      continue;
    }
    // A line end closes the record.
    if (data[at] == '\r') {
      if (at + 1 == size && !buffer_ends_input_) return incomplete();
      at += (at + 1 < size && data[at + 1] == '\n') ? 2 : 1;
    } else {
      ++at;
    }
    ++line;
    break;
  }
  position_ = at;
  line_ = line;
  return CsvTokenStatus::kRecord;
}

void CsvTokenizer::SkipLine() {
  size_t at = record_start_;
  const size_t size = buffer_.size();
  while (at < size && buffer_[at] != '\n' && buffer_[at] != '\r') ++at;
  if (at < size) at += (buffer_[at] == '\r' && at + 1 < size && buffer_[at + 1] == '\n') ? 2 : 1;
  position_ = at;
  line_ = record_line_ + 1;
}

}  // namespace modelhost::data

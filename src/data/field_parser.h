// Parsing one field's text into a typed value, as both readers and type
// inference need it: strict, locale-free (std::from_chars), allocation-free.
//
// Numbers: an optional sign ('+' or '-'), then what std::from_chars accepts
// (decimal integers; for float64 also fractions, exponents, "inf" and "nan"),
// with surrounding spaces and tabs ignored and nothing else allowed — "12abc",
// "1,5" and "" are not numbers. Bools: true/True/TRUE and false/False/FALSE.
//
// Thread-safety: pure functions.

#ifndef MODELHOST_DATA_FIELD_PARSER_H_
#define MODELHOST_DATA_FIELD_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace modelhost::data {

// Each returns the value, or nullopt when `text` is not one.
std::optional<int64_t> ParseInt64(std::string_view text);
std::optional<double> ParseFloat64(std::string_view text);
std::optional<bool> ParseBool(std::string_view text);

// The offset of the first byte of `text` that does not begin a well-formed
// UTF-8 sequence (overlong forms, surrogates and code points past U+10FFFF
// are ill-formed), or nullopt when all of `text` is valid.
std::optional<size_t> FindInvalidUtf8(std::string_view text);

// Whether every byte of `text` is ASCII (below 0x80): then it is valid UTF-8
// and FindInvalidUtf8 need not look at its fields one by one.
bool IsAscii(std::string_view text);

// What a field plainly is, found by one scan: kInt for an optional sign and
// 1–18 digits, kDecimal for the same followed by '.' and 1–18 digits — both
// certainly parse (ParseInt64 / ParseFloat64 accept them, in range) — and
// kOther for anything else, which needs the full parsers. Type inference's
// fast path.
enum class PlainNumber { kInt, kDecimal, kOther };
PlainNumber ClassifyPlainNumber(std::string_view text);

// A field classified and, when plain, converted in the same scan: `kind` as
// ClassifyPlainNumber says; for kInt `integer` is ParseInt64's value; for
// kInt and kDecimal `real` is ParseFloat64's value, bit for bit (exact
// integer arithmetic and one correctly rounded division where the digits
// fit in 2^53, else ParseFloat64 itself). The CSV reader's per-field path.
struct PlainNumberValue {
  PlainNumber kind = PlainNumber::kOther;
  int64_t integer = 0;
  double real = 0;
};
PlainNumberValue ParsePlainNumber(std::string_view text);

// `text` quoted for an error message: at most 40 bytes, with bytes outside
// printable ASCII written as \xHH, so a message stays one readable line.
std::string QuoteForMessage(std::string_view text);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_FIELD_PARSER_H_

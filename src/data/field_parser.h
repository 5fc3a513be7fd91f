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

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
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

// The plain number at the start of [at, end): reads a sign, digits, and '.'
// with digits, and stops at the first byte that cannot continue them, setting
// `stop` there. Returns what ParsePlainNumber returns for [at, stop) — so a
// field that ends where the scan stops is converted by the same scan that
// finds its end (the CSV reader's record fast path). Inline: it runs once per
// field.
inline PlainNumberValue ScanPlainNumber(const char* at, const char* end, const char*& stop);

// Implementation details of ScanPlainNumber.
namespace plain_number_internal {
inline constexpr size_t kMaxDigits = 18;  // below 2^63, and exact enough for a double to exist
inline constexpr uint64_t kExactInDouble = uint64_t{1} << 53;
inline constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                          1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                          1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
inline constexpr uint64_t kIntegerPowersOfTen[] = {1,      10,      100,      1000,     10000,
                                                   100000, 1000000, 10000000, 100000000};
// ParseFloat64 of [start, stop), for the mantissas a double cannot hold exactly.
double RoundDecimal(const char* start, const char* stop);

// How many of the 8 bytes at `at` are leading ASCII digits, and their value
// in `value`, without a branch per digit: a field's digit count is what a
// byte loop mispredicts. The bit tricks are the usual SWAR ones: a byte is a
// digit when neither b - '0' nor b + ('9' ^ 0x7F) sets its top bit (a borrow
// or carry only reaches bytes above the first non-digit, which are dropped);
// the digits, moved to the top of the word, combine pairwise into 2-, 4- and
// 8-digit lanes.
inline size_t LeadingEightDigits(const char* at, uint64_t& value) {
  uint64_t bytes;
  std::memcpy(&bytes, at, sizeof bytes);
  if constexpr (std::endian::native == std::endian::big) bytes = __builtin_bswap64(bytes);
  const uint64_t digits = bytes - 0x3030303030303030ULL;
  const uint64_t non_digits = (digits | (bytes + 0x4646464646464646ULL)) & 0x8080808080808080ULL;
  const size_t count = non_digits == 0 ? 8 : static_cast<size_t>(std::countr_zero(non_digits)) / 8;
  if (count == 0) {
    value = 0;
    return 0;
  }
  uint64_t lanes = digits << (64 - 8 * count);  // leading zeros fill the low bytes
  lanes = (lanes * 10 + (lanes >> 8)) & 0x00FF00FF00FF00FFULL;
  lanes = (lanes * 100 + (lanes >> 16)) & 0x0000FFFF0000FFFFULL;
  value = (lanes * 10000 + (lanes >> 32)) & 0xFFFFFFFFULL;
  return count;
}

// Reads the digits at `at` into `mantissa` (times ten per digit, wrapping
// past 19 digits) and returns where they stop.
inline const char* ReadDigits(const char* at, const char* end, uint64_t& mantissa) {
  while (end - at >= 8) {
    uint64_t value;
    const size_t count = LeadingEightDigits(at, value);
    mantissa = mantissa * kIntegerPowersOfTen[count] + value;
    at += count;
    if (count < 8) return at;
  }
  while (at < end && static_cast<unsigned char>(*at - '0') <= 9) {
    mantissa = mantissa * 10 + static_cast<unsigned char>(*at - '0');
    ++at;
  }
  return at;
}
}  // namespace plain_number_internal

inline PlainNumberValue ScanPlainNumber(const char* at, const char* end, const char*& stop) {
  using namespace plain_number_internal;
  PlainNumberValue result;
  const char* const start = at;
  const char first = at < end ? *at : '\0';
  const bool negative = first == '-';
  at += static_cast<size_t>(negative | (first == '+'));
  // Signs applied without a branch: in real data they are as random as coin flips.
  const uint64_t sign_bit = static_cast<uint64_t>(negative) << 63;
  const uint64_t sign_mask = uint64_t{0} - static_cast<uint64_t>(negative);
  const char* const whole_start = at;
  uint64_t mantissa = 0;
  at = ReadDigits(at, end, mantissa);
  stop = at;
  const auto whole = static_cast<size_t>(at - whole_start);
  if (whole == 0 || whole > kMaxDigits) return result;
  if (at == end || *at != '.') {
    result.kind = PlainNumber::kInt;
    result.integer = static_cast<int64_t>((mantissa ^ sign_mask) - sign_mask);
    // Up to 18 digits: exact in uint64, and the conversion rounds as
    // from_chars does; the sign applies after, so "-0" is -0.0 as there.
    result.real =
        std::bit_cast<double>(std::bit_cast<uint64_t>(static_cast<double>(mantissa)) | sign_bit);
    return result;
  }
  ++at;
  const char* const fraction_start = at;
  // Past 19 digits the mantissa wraps, harmlessly: RoundDecimal takes over.
  at = ReadDigits(at, end, mantissa);
  stop = at;
  const auto fraction = static_cast<size_t>(at - fraction_start);
  if (fraction == 0 || fraction > kMaxDigits) return result;
  result.kind = PlainNumber::kDecimal;
  if (whole + fraction <= 19 && mantissa <= kExactInDouble) {
    // Both operands exact: one IEEE division rounds correctly, as from_chars.
    const double real = static_cast<double>(mantissa) / kPowersOfTen[fraction];
    result.real = std::bit_cast<double>(std::bit_cast<uint64_t>(real) | sign_bit);
  } else {
    result.real = RoundDecimal(start, at);
  }
  return result;
}

// `text` quoted for an error message: at most 40 bytes, with bytes outside
// printable ASCII written as \xHH, so a message stays one readable line.
std::string QuoteForMessage(std::string_view text);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_FIELD_PARSER_H_

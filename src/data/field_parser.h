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

// `text` quoted for an error message: at most 40 bytes, with bytes outside
// printable ASCII written as \xHH, so a message stays one readable line.
std::string QuoteForMessage(std::string_view text);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_FIELD_PARSER_H_

#include "data/field_parser.h"

#include <charconv>
#include <cstring>

namespace modelhost::data {

namespace {

std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// from_chars takes '-' but not '+'; a '+' before another sign is not a number.
std::string_view StripPlus(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') {
    text.remove_prefix(1);
  }
  return text;
}

}  // namespace

std::optional<int64_t> ParseInt64(std::string_view text) {
  text = StripPlus(TrimBlanks(text));
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> ParseFloat64(std::string_view text) {
  text = StripPlus(TrimBlanks(text));
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  // result_out_of_range (1e999, 1e-999) is not a value we can hold faithfully.
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> ParseBool(std::string_view text) {
  text = TrimBlanks(text);
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

std::optional<size_t> FindInvalidUtf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  size_t at = 0;
  while (at < size) {
    // Fast path: eight ASCII bytes at a time.
    if (at + 8 <= size) {
      uint64_t word;
      std::memcpy(&word, bytes + at, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        at += 8;
        continue;
      }
    }
    unsigned char lead = bytes[at];
    if (lead < 0x80) {
      ++at;
      continue;
    }
    size_t length;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
    } else {
      return at;
    }
    if (at + length > size) return at;
    if (bytes[at + 1] < low || bytes[at + 1] > high) return at;
    for (size_t next = 2; next < length; ++next) {
      if (bytes[at + next] < 0x80 || bytes[at + next] > 0xBF) return at;
    }
    at += length;
  }
  return std::nullopt;
}

bool IsAscii(std::string_view text) {
  size_t at = 0;
  uint64_t bits = 0;
  for (; at + 8 <= text.size(); at += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + at, 8);
    bits |= word;
  }
  for (; at < text.size(); ++at) bits |= static_cast<unsigned char>(text[at]);
  return (bits & 0x8080808080808080ULL) == 0;
}

PlainNumber ClassifyPlainNumber(std::string_view text) {
  constexpr size_t kMaxDigits = 18;  // below 2^63, and exact enough for a double to exist
  size_t at = 0;
  if (at < text.size() && (text[at] == '-' || text[at] == '+')) ++at;
  const auto digits = [&] {
    const size_t start = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    return at - start;
  };
  const size_t whole = digits();
  if (whole == 0 || whole > kMaxDigits) return PlainNumber::kOther;
  if (at == text.size()) return PlainNumber::kInt;
  if (text[at] != '.') return PlainNumber::kOther;
  ++at;
  const size_t fraction = digits();
  if (fraction == 0 || fraction > kMaxDigits || at != text.size()) return PlainNumber::kOther;
  return PlainNumber::kDecimal;
}

PlainNumberValue ParsePlainNumber(std::string_view text) {
  const char* stop = nullptr;
  const PlainNumberValue number = ScanPlainNumber(text.data(), text.data() + text.size(), stop);
  if (stop != text.data() + text.size()) return {};
  return number;
}

double plain_number_internal::RoundDecimal(const char* start, const char* stop) {
  return *ParseFloat64(std::string_view(start, static_cast<size_t>(stop - start)));
}

std::string QuoteForMessage(std::string_view text) {
  constexpr size_t kMaxShown = 40;
  std::string quoted = "'";
  for (size_t at = 0; at < text.size() && at < kMaxShown; ++at) {
    auto byte = static_cast<unsigned char>(text[at]);
    if (byte >= 0x20 && byte < 0x7F) {
      quoted.push_back(static_cast<char>(byte));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      quoted += "\\x";
      quoted.push_back(kHex[byte >> 4]);
      quoted.push_back(kHex[byte & 0xF]);
    }
  }
  quoted += text.size() > kMaxShown ? "'..." : "'";
  return quoted;
}

}  // namespace modelhost::data

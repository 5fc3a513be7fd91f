#include "data/field_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace modelhost::data {
namespace {

TEST(FieldParserTest, Int64IsStrict) {
  EXPECT_EQ(ParseInt64("42"), 42);
  EXPECT_EQ(ParseInt64("-7"), -7);
  EXPECT_EQ(ParseInt64("+7"), 7);
  EXPECT_EQ(ParseInt64(" 12 "), 12);
  EXPECT_EQ(ParseInt64("9223372036854775807"), INT64_MAX);
  EXPECT_FALSE(ParseInt64("9223372036854775808"));
  EXPECT_FALSE(ParseInt64("2.5"));
  EXPECT_FALSE(ParseInt64("12abc"));
  EXPECT_FALSE(ParseInt64(""));
  EXPECT_FALSE(ParseInt64("+"));
  EXPECT_FALSE(ParseInt64("+-1"));
}

TEST(FieldParserTest, Float64AcceptsFractionsExponentsAndInfinity) {
  EXPECT_EQ(ParseFloat64("2.5"), 2.5);
  EXPECT_EQ(ParseFloat64("-1e3"), -1000.0);
  EXPECT_EQ(ParseFloat64(".5"), 0.5);
  EXPECT_EQ(ParseFloat64("+0.25"), 0.25);
  EXPECT_TRUE(std::isinf(*ParseFloat64("inf")));
  EXPECT_FALSE(ParseFloat64("1,5"));
  EXPECT_FALSE(ParseFloat64("info"));
  EXPECT_FALSE(ParseFloat64("1e999"));
  EXPECT_FALSE(ParseFloat64(" "));
}

TEST(FieldParserTest, BoolTakesThreeSpellings) {
  EXPECT_EQ(ParseBool("true"), true);
  EXPECT_EQ(ParseBool("True"), true);
  EXPECT_EQ(ParseBool("FALSE"), false);
  EXPECT_FALSE(ParseBool("tRuE"));
  EXPECT_FALSE(ParseBool("1"));
  EXPECT_FALSE(ParseBool("yes"));
}

TEST(FieldParserTest, FindsInvalidUtf8) {
  EXPECT_FALSE(FindInvalidUtf8("plain ascii that is longer than eight bytes"));
  EXPECT_FALSE(FindInvalidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_EQ(FindInvalidUtf8("abc\xFF"), 3u);
  EXPECT_EQ(FindInvalidUtf8("abcdefghij\xC3"), 10u);   // truncated sequence
  EXPECT_EQ(FindInvalidUtf8("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("x\xED\xA0\x80"), 1u);     // surrogate
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // past U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("ok\xE2\x28\xA1"), 2u);    // bad continuation
}

TEST(FieldParserTest, QuoteForMessageEscapesAndTruncates) {
  EXPECT_EQ(QuoteForMessage("a\xFF\n"), "'a\\xff\\x0a'");
  EXPECT_EQ(QuoteForMessage(std::string(50, 'x')), "'" + std::string(40, 'x') + "'...");
}

}  // namespace
}  // namespace modelhost::data

namespace modelhost::data {
namespace {

TEST(FieldParserTest, PlainNumbersAreWhatTheFullParsersAccept) {
  for (std::string_view text :
       {"0", "-0", "+7", "007", "123456789012345678", "-1.5", "+0.25", "3.14159", "1.0"}) {
    const PlainNumber kind = ClassifyPlainNumber(text);
    ASSERT_NE(kind, PlainNumber::kOther) << text;
    EXPECT_TRUE(ParseFloat64(text).has_value()) << text;
    EXPECT_EQ(ParseInt64(text).has_value(), kind == PlainNumber::kInt) << text;
  }
  // Left to the full parsers (some are numbers, some are not).
  for (std::string_view text : {"", "+", "-", "1.", ".5", "1e5", " 1", "1 ", "+-1", "1.2.3",
                                "1234567890123456789", "0x10", "nan", "inf", "1,5", "true"}) {
    EXPECT_EQ(ClassifyPlainNumber(text), PlainNumber::kOther) << text;
  }
}

// ParsePlainNumber's values are the full parsers', bit for bit: every shape of
// plain number (signs, zeros, 1-18 digits on each side, past 2^53) and many
// random decimals.
TEST(FieldParserTest, PlainNumberValuesAreTheFullParsersBitForBit) {
  std::vector<std::string> texts = {"0",
                                    "-0",
                                    "+0",
                                    "-0.0",
                                    "0.000",
                                    "-0.5",
                                    "007",
                                    "+7",
                                    "123456789012345678",
                                    "-123456789012345678",
                                    "9007199254740993",
                                    "9007199254740993.5",
                                    "0.1",
                                    "0.3",
                                    "123456789.123456789",
                                    "999999999999999999.999999999999999999",
                                    "0.000000000000000001",
                                    "4503599627370497.5",
                                    "1.7976931348623157"};
  std::mt19937_64 random(7);
  for (int draw = 0; draw < 200000; ++draw) {
    std::string text = random() % 2 ? "-" : "";
    text += std::to_string(random() % (uint64_t{1} << (random() % 60)));
    if (random() % 4 != 0) {
      std::string fraction = std::to_string(random() % 1000000000000000000ULL);
      text += "." + fraction.substr(0, 1 + random() % fraction.size());
    }
    texts.push_back(text);
  }
  for (const std::string& text : texts) {
    const PlainNumberValue parsed = ParsePlainNumber(text);
    ASSERT_EQ(parsed.kind, ClassifyPlainNumber(text)) << text;
    if (parsed.kind == PlainNumber::kOther) continue;
    const double expected = *ParseFloat64(text);
    ASSERT_EQ(std::memcmp(&parsed.real, &expected, sizeof(double)), 0)
        << text << ": " << parsed.real << " vs " << expected;
    if (parsed.kind == PlainNumber::kInt) {
      ASSERT_EQ(parsed.integer, *ParseInt64(text)) << text;
    }
  }
  for (std::string_view text : {"", "+", "-", "1.", ".5", "1e5", " 1", "1 ", "+-1", "1.2.3",
                                "1234567890123456789", "nan", "inf", "1,5"}) {
    EXPECT_EQ(ParsePlainNumber(text).kind, PlainNumber::kOther) << text;
  }
}

TEST(FieldParserTest, IsAsciiLooksAtEveryByte) {
  EXPECT_TRUE(IsAscii(""));
  EXPECT_TRUE(IsAscii("plain text, longer than eight bytes"));
  EXPECT_FALSE(IsAscii("\xC3\xA9"));
  EXPECT_FALSE(IsAscii("eight by\x80"));
  EXPECT_FALSE(IsAscii("\x80 then eight more bytes"));
}

}  // namespace
}  // namespace modelhost::data

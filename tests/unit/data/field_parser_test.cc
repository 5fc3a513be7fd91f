#include "data/field_parser.h"

#include <gtest/gtest.h>

#include <cmath>

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

TEST(FieldParserTest, IsAsciiLooksAtEveryByte) {
  EXPECT_TRUE(IsAscii(""));
  EXPECT_TRUE(IsAscii("plain text, longer than eight bytes"));
  EXPECT_FALSE(IsAscii("\xC3\xA9"));
  EXPECT_FALSE(IsAscii("eight by\x80"));
  EXPECT_FALSE(IsAscii("\x80 then eight more bytes"));
}

}  // namespace
}  // namespace modelhost::data

#include "data/csv_plain_record.h"

#include <gtest/gtest.h>

#include <cstring>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "data/csv_tokenizer.h"
#include "data/field_parser.h"

namespace modelhost::data {
namespace {

// The fields of the record at `at`, or nullopt when the scan declines it.
std::optional<std::vector<CsvPlainField>> Scan(std::string_view buffer, size_t columns,
                                               size_t at = 0, bool ends_input = true,
                                               CsvPlainRecordEnd* end = nullptr) {
  std::vector<CsvPlainField> fields(columns);
  CsvPlainRecordEnd ignored;
  if (!ScanCsvPlainRecord(buffer, at, ',', ends_input, fields, end ? *end : ignored)) {
    return std::nullopt;
  }
  return fields;
}

TEST(CsvPlainRecordTest, SplitsAndConvertsOneRecord) {
  CsvPlainRecordEnd end;
  const std::string buffer = "-1234.567,42,,NA,12ab,x\"y\nnext";
  auto fields = Scan(buffer, 6, 0, true, &end);
  ASSERT_TRUE(fields);
  EXPECT_EQ(end.position, buffer.find("next"));
  EXPECT_TRUE(end.line_break);
  EXPECT_EQ((*fields)[0].number.kind, PlainNumber::kDecimal);
  EXPECT_EQ((*fields)[0].number.real, -1234.567);
  EXPECT_EQ((*fields)[1].number.kind, PlainNumber::kInt);
  EXPECT_EQ((*fields)[1].number.integer, 42);
  const std::vector<std::string> others = {"", "NA", "12ab", "x\"y"};
  for (size_t field = 2; field < 6; ++field) {
    EXPECT_EQ((*fields)[field].number.kind, PlainNumber::kOther) << field;
    EXPECT_EQ((*fields)[field].text, others[field - 2]);
  }
}

TEST(CsvPlainRecordTest, EndsWithCrLfLoneCrOrTheInput) {
  CsvPlainRecordEnd end;
  ASSERT_TRUE(Scan("1,2\r\n3", 2, 0, true, &end));
  EXPECT_EQ(end.position, 5u);
  ASSERT_TRUE(Scan("1,2\r3", 2, 0, true, &end));
  EXPECT_EQ(end.position, 4u);
  ASSERT_TRUE(Scan("1,2", 2, 0, true, &end));
  EXPECT_EQ(end.position, 3u);
  EXPECT_FALSE(end.line_break);
  ASSERT_TRUE(Scan("1,2\r", 2, 0, true, &end));
  EXPECT_EQ(end.position, 4u);
  EXPECT_TRUE(end.line_break);
}

TEST(CsvPlainRecordTest, DeclinesWhatTheTokenizerMustDecide) {
  EXPECT_FALSE(Scan("\n1,2\n", 2));          // a blank line
  EXPECT_FALSE(Scan("\r\n1,2\n", 2));        // a blank line
  EXPECT_FALSE(Scan("", 1));                 // nothing left
  EXPECT_FALSE(Scan("1,\"2\"\n", 2));        // a quoted field
  EXPECT_FALSE(Scan("1,2,3\n", 2));          // a field too many
  EXPECT_FALSE(Scan("1\n2\n", 2));           // a field too few
  EXPECT_FALSE(Scan("1,2", 2, 0, false));    // the next block may continue it
  EXPECT_FALSE(Scan("1,2\r", 2, 0, false));  // the next block may hold the LF
  EXPECT_TRUE(Scan("1,2\n", 2, 0, false));
}

// Random CSV-like text: short fields from an alphabet that includes every
// byte with a role (delimiter, quote, CR, LF, sign, dot) and non-ASCII,
// fields separated by `delimiter`.
std::string RandomCsv(std::mt19937& random, size_t columns, char delimiter) {
  static const std::vector<std::string> kPieces = {
      "0", "7",  "12", "-",  "+",    ".",        "5", "123456789",        "00",
      "a", "NA", " ",  "\"", "\"\"", "\xC3\xA9", "e", "9007199254740993", "1234567890123456789",
      "-0"};
  std::string text;
  const size_t records = 1 + random() % 8;
  for (size_t record = 0; record < records; ++record) {
    // Mostly the expected field count, sometimes one more or one less.
    size_t fields = columns;
    if (random() % 8 == 0) fields = random() % 2 ? fields + 1 : std::max<size_t>(1, fields - 1);
    for (size_t field = 0; field < fields; ++field) {
      if (field > 0) text += delimiter;
      const size_t parts = random() % 4;
      for (size_t part = 0; part < parts; ++part) text += kPieces[random() % kPieces.size()];
    }
    switch (random() % 6) {
      case 0: text += "\r\n"; break;
      case 1: text += "\r"; break;
      case 2: text += "\n\n"; break;
      default: text += "\n"; break;
    }
  }
  if (random() % 3 == 0) text.resize(random() % (text.size() + 1));  // cut anywhere
  return text;
}

// The value the full parsers give a plain number's text, independently of
// the scan: ParseInt64 for an integer, ParseFloat64's double for both.
void ExpectFullParsersAgree(const CsvPlainField& field) {
  const std::string_view text = field.text;
  ASSERT_EQ(field.number.kind, ClassifyPlainNumber(text)) << text;
  if (field.number.kind == PlainNumber::kOther) return;  // the values mean nothing then
  const std::optional<double> real = ParseFloat64(text);
  ASSERT_TRUE(real.has_value()) << text;
  ASSERT_EQ(std::memcmp(&field.number.real, &*real, sizeof(double)), 0) << text;
  if (field.number.kind == PlainNumber::kInt) {
    ASSERT_EQ(field.number.integer, ParseInt64(text)) << text;
  }
}

// Wherever the tokenizer would start a record, the scan accepts exactly the
// records the tokenizer returns with `columns` unquoted fields, with the same
// field views, end and line count, and numbers the full parsers agree with;
// with a delimiter a number could hold (a digit, sign or point) it declines
// every record, which the tokenizer then splits.
TEST(CsvPlainRecordTest, AgreesWithTheTokenizerOnRandomText) {
  std::mt19937 random(2026);
  size_t accepted = 0;
  size_t declined = 0;
  for (int draw = 0; draw < 30000; ++draw) {
    const size_t columns = 1 + random() % 4;
    static constexpr char kDelimiters[] = {',', ',', ',', ';', '\t', '|', '-', '+', '.', '5'};
    const char delimiter = kDelimiters[random() % std::size(kDelimiters)];
    const std::string text = RandomCsv(random, columns, delimiter);
    const bool ends_input = random() % 4 != 0;
    CsvTokenizer tokenizer(text, delimiter, ends_input);
    std::vector<CsvField> fields;
    std::vector<CsvPlainField> plain(columns);
    for (;;) {
      const size_t at = tokenizer.position();
      const size_t line = tokenizer.line();
      CsvPlainRecordEnd end;
      const bool scanned = ScanCsvPlainRecord(text, at, delimiter, ends_input, plain, end);
      const CsvTokenStatus status = tokenizer.Next(fields);
      const bool number_delimiter = delimiter == '-' || delimiter == '+' || delimiter == '.' ||
                                    (delimiter >= '0' && delimiter <= '9');
      bool plain_record = status == CsvTokenStatus::kRecord && tokenizer.record_start() == at &&
                          fields.size() == columns && !number_delimiter;
      for (const CsvField& field : fields) plain_record = plain_record && !field.quoted;
      ASSERT_EQ(scanned, plain_record)
          << "draw " << draw << ", delimiter '" << delimiter << "', at " << at << ": " << text;
      if (scanned) {
        ++accepted;
        ASSERT_EQ(end.position, tokenizer.position()) << text;
        ASSERT_EQ(line + (end.line_break ? 1 : 0), tokenizer.line()) << text;
        for (size_t column = 0; column < columns; ++column) {
          ASSERT_EQ(plain[column].text.data(), fields[column].raw.data()) << text;
          ASSERT_EQ(plain[column].text.size(), fields[column].raw.size()) << text;
          ASSERT_NO_FATAL_FAILURE(ExpectFullParsersAgree(plain[column]));
        }
      } else {
        ++declined;
      }
      if (status == CsvTokenStatus::kEnd || status == CsvTokenStatus::kIncomplete) break;
      if (status != CsvTokenStatus::kRecord) tokenizer.SkipLine();
    }
  }
  // Both outcomes are exercised, not one alone.
  EXPECT_GT(accepted, 20000u);
  EXPECT_GT(declined, 20000u);
}

}  // namespace
}  // namespace modelhost::data

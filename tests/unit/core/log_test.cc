#include "core/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace modelhost::core {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// Captures every line for the duration of a test and restores the defaults.
class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogSinkForTesting([this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mutex_);
      lines_.emplace_back(line);
    });
  }
  void TearDown() override {
    SetLogSinkForTesting(nullptr);
    ConfigureLogging(LogOptions{});
  }

  std::vector<std::string> Lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }

  // The only captured line, parsed as JSON (fails the test if it is not JSON).
  nlohmann::json OnlyJsonLine() {
    std::vector<std::string> lines = Lines();
    EXPECT_EQ(lines.size(), 1u);
    if (lines.empty()) return nullptr;
    nlohmann::json parsed = nlohmann::json::parse(lines[0], nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << lines[0];
    return parsed;
  }

  std::mutex mutex_;
  std::vector<std::string> lines_;
};

TEST_F(LogTest, TextFormatHasTimestampLevelMessageAndFields) {
  ConfigureLogging({.level = LogLevel::kInfo, .format = LogFormat::kText});
  LogInfo("listening", {{"url", "http://127.0.0.1:8080"}, {"threads", 2}});
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(
      lines[0],
      MatchesRegex(
          R"([0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]{3}Z INFO listening )"
          R"(url=http://127\.0\.0\.1:8080 threads=2)"));
}

TEST_F(LogTest, TextFormatQuotesAmbiguousValuesAndKeepsOneLine) {
  ConfigureLogging({.level = LogLevel::kDebug, .format = LogFormat::kText});
  LogWarn("two\nlines", {{"path", "a b"}, {"empty", ""}, {"quote", "say \"hi\""}});
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr(" WARN two\\nlines path=\"a b\" empty=\"\" "
                                  "quote=\"say \\\"hi\\\"\""));
  EXPECT_EQ(lines[0].find('\n'), std::string::npos);
}

TEST_F(LogTest, JsonFormatHasTypedFields) {
  ConfigureLogging({.level = LogLevel::kInfo, .format = LogFormat::kJson});
  LogError("failed", {{"model", "pima"},
                      {"rows", int64_t{-12}},
                      {"bytes", uint64_t{18446744073709551615u}},
                      {"loss", 0.25}});
  nlohmann::json line = OnlyJsonLine();
  ASSERT_TRUE(line.is_object());
  EXPECT_THAT(line["ts"].get<std::string>(),
              MatchesRegex(
                  R"([0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]{3}Z)"));
  EXPECT_EQ(line["level"], "error");
  EXPECT_EQ(line["msg"], "failed");
  EXPECT_EQ(line["model"], "pima");
  EXPECT_EQ(line["rows"], -12);
  EXPECT_EQ(line["bytes"], 18446744073709551615u);
  EXPECT_EQ(line["loss"], 0.25);
}

TEST_F(LogTest, JsonFormatEscapesStringsAndKeys) {
  ConfigureLogging({.level = LogLevel::kInfo, .format = LogFormat::kJson});
  // Quote, backslash, newline, tab, control bytes, DEL, NUL and multi-byte UTF-8.
  const std::string nasty = std::string("q\"b\\n\nt\tc\x01z\x7f") + std::string(1, '\0') + "é€😀";
  LogInfo(nasty, {{"k\"ey", nasty}});
  nlohmann::json line = OnlyJsonLine();
  ASSERT_TRUE(line.is_object());
  EXPECT_EQ(line["msg"], nasty);
  EXPECT_EQ(line["k\"ey"], nasty);
  EXPECT_THAT(Lines()[0], HasSubstr(R"(\u0001)"));
}

TEST_F(LogTest, JsonFormatReplacesInvalidUtf8) {
  ConfigureLogging({.level = LogLevel::kInfo, .format = LogFormat::kJson});
  // A lone continuation byte, a truncated sequence, an overlong '/' and a surrogate.
  LogInfo("bad", {{"v",
                   "a\x80"
                   "b\xE2\x82"
                   "c\xC0\xAF"
                   "d\xED\xA0\x80"}});
  nlohmann::json line = OnlyJsonLine();
  ASSERT_TRUE(line.is_object());
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(line["v"].get<std::string>().substr(0, 4), "a" + replacement);
  EXPECT_THAT(line["v"].get<std::string>(), HasSubstr("b" + replacement));
  EXPECT_THAT(line["v"].get<std::string>(), HasSubstr("c" + replacement));
  EXPECT_THAT(line["v"].get<std::string>(), HasSubstr("d" + replacement));
}

TEST_F(LogTest, NonFiniteDoublesStayValidJson) {
  ConfigureLogging({.level = LogLevel::kInfo, .format = LogFormat::kJson});
  LogInfo(
      "loss",
      {{"nan", std::nan("")}, {"inf", std::numeric_limits<double>::infinity()}, {"tenth", 0.1}});
  nlohmann::json line = OnlyJsonLine();
  ASSERT_TRUE(line.is_object());
  EXPECT_EQ(line["nan"], "nan");
  EXPECT_EQ(line["inf"], "inf");
  EXPECT_EQ(line["tenth"], 0.1);
}

TEST_F(LogTest, LevelFiltering) {
  ConfigureLogging({.level = LogLevel::kWarn, .format = LogFormat::kText});
  EXPECT_FALSE(LogEnabled(LogLevel::kDebug));
  EXPECT_FALSE(LogEnabled(LogLevel::kInfo));
  EXPECT_TRUE(LogEnabled(LogLevel::kWarn));
  EXPECT_TRUE(LogEnabled(LogLevel::kError));
  LogDebug("debug");
  LogInfo("info");
  LogWarn("warn");
  LogError("error");
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr(" WARN warn"));
  EXPECT_THAT(lines[1], HasSubstr(" ERROR error"));

  ConfigureLogging({.level = LogLevel::kOff, .format = LogFormat::kText});
  EXPECT_FALSE(LogEnabled(LogLevel::kError));
  LogError("dropped");
  EXPECT_EQ(Lines().size(), 2u);

  ConfigureLogging({.level = LogLevel::kDebug, .format = LogFormat::kText});
  EXPECT_TRUE(LogEnabled(LogLevel::kDebug));
  EXPECT_FALSE(LogEnabled(LogLevel::kOff));
}

// Through the real stderr sink (not the test sink, which receives whole lines
// by construction): lines from several threads must not interleave in the file.
TEST(LogStderrTest, ConcurrentLinesAreNeverInterleaved) {
  ConfigureLogging({.level = LogLevel::kInfo, .format = LogFormat::kJson});
  constexpr int kThreads = 4;
  constexpr int kLinesPerThread = 200;
  ::testing::internal::CaptureStderr();
  std::vector<std::thread> threads;
  for (int thread = 0; thread < kThreads; ++thread) {
    threads.emplace_back([thread] {
      for (int line = 0; line < kLinesPerThread; ++line) {
        LogInfo("tick", {{"thread", thread}, {"line", line}, {"padding", std::string(200, 'x')}});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::string captured = ::testing::internal::GetCapturedStderr();
  ConfigureLogging(LogOptions{});
  std::istringstream stream(captured);
  std::string line;
  int count = 0;
  while (std::getline(stream, line)) {
    ++count;
    EXPECT_TRUE(nlohmann::json::accept(line)) << line;
  }
  EXPECT_EQ(count, kThreads * kLinesPerThread);
}

TEST(LogStderrTest, WritesOneLineToStderrByDefault) {
  ConfigureLogging(LogOptions{});
  ::testing::internal::CaptureStderr();
  LogInfo("to stderr", {{"n", 1}});
  const std::string captured = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(captured, MatchesRegex(".*Z INFO to stderr n=1\n"));
}

TEST(LogParseTest, ParsesLevelsAndFormats) {
  for (LogLevel level :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError, LogLevel::kOff}) {
    Result<LogLevel> parsed = ParseLogLevel(ToString(level));
    ASSERT_TRUE(parsed.ok()) << ToString(level);
    EXPECT_EQ(*parsed, level);
  }
  for (LogFormat format : {LogFormat::kText, LogFormat::kJson}) {
    Result<LogFormat> parsed = ParseLogFormat(ToString(format));
    ASSERT_TRUE(parsed.ok()) << ToString(format);
    EXPECT_EQ(*parsed, format);
  }
}

TEST(LogParseTest, RejectsUnknownNamesWithInvalidArgument) {
  for (std::string_view text : {"", "INFO", "warning", "trace", "info "}) {
    Result<LogLevel> parsed = ParseLogLevel(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(parsed.status().message(), HasSubstr("'" + std::string(text) + "'"));
  }
  Result<LogFormat> format = ParseLogFormat("xml");
  ASSERT_FALSE(format.ok());
  EXPECT_EQ(format.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(format.status().message(), HasSubstr("'xml'"));
}

}  // namespace
}  // namespace modelhost::core

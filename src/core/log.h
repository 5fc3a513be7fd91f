// Logging: leveled, structured log lines on stderr, as human-readable text or
// as JSON Lines, backed by spdlog.
//
//   core::LogInfo("listening", {{"url", url}, {"threads", 2}});
//   text: 2026-11-29T17:40:01.123Z INFO listening url=http://127.0.0.1:8080 threads=2
//   json: {"ts":"2026-11-29T17:40:01.123Z","level":"info","msg":"listening",
//          "url":"http://127.0.0.1:8080","threads":2}       (one line in reality)
//
// The header stays light (no spdlog or fmt) because nearly every file includes it.
//
// Thread-safety: all functions may be called from any thread at any time;
// ConfigureLogging should be called once at start, before other threads log.

#ifndef MODELHOST_CORE_LOG_H_
#define MODELHOST_CORE_LOG_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/result.h"

namespace modelhost::core {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };
enum class LogFormat { kText, kJson };

std::string_view ToString(LogLevel level);
std::string_view ToString(LogFormat format);
// Parses "debug", "info", "warn", "error", "off"; InvalidArgument otherwise.
Result<LogLevel> ParseLogLevel(std::string_view text);
// Parses "text" or "json"; InvalidArgument otherwise.
Result<LogFormat> ParseLogFormat(std::string_view text);

struct LogOptions {
  // Lines below this level are dropped before they are formatted.
  LogLevel level = LogLevel::kInfo;
  LogFormat format = LogFormat::kText;
};

// Replaces the process-wide logger's level and format. Until it is called,
// logging goes to stderr as text at kInfo.
void ConfigureLogging(const LogOptions& options);

// True when a line at `level` would be written; lets hot paths skip building fields.
bool LogEnabled(LogLevel level);

// One key=value pair of a structured line. Numbers stay numbers in JSON.
class LogField {
 public:
  LogField(std::string_view key, std::string_view value) : key_(key), text_(value) {}
  LogField(std::string_view key, const char* value) : key_(key), text_(value) {}
  LogField(std::string_view key, const std::string& value) : key_(key), text_(value) {}
  LogField(std::string_view key, int64_t value)
      : key_(key), text_(std::to_string(value)), is_number_(true) {}
  LogField(std::string_view key, int value) : LogField(key, static_cast<int64_t>(value)) {}
  LogField(std::string_view key, uint64_t value)
      : key_(key), text_(std::to_string(value)), is_number_(true) {}
  LogField(std::string_view key, double value);

  std::string_view key() const { return key_; }
  const std::string& text() const { return text_; }
  bool is_number() const { return is_number_; }

 private:
  std::string_view key_;
  std::string text_;
  bool is_number_ = false;
};

using LogFields = std::initializer_list<LogField>;

void Log(LogLevel level, std::string_view message, LogFields fields = {});
inline void LogDebug(std::string_view message, LogFields fields = {}) {
  Log(LogLevel::kDebug, message, fields);
}
inline void LogInfo(std::string_view message, LogFields fields = {}) {
  Log(LogLevel::kInfo, message, fields);
}
inline void LogWarn(std::string_view message, LogFields fields = {}) {
  Log(LogLevel::kWarn, message, fields);
}
inline void LogError(std::string_view message, LogFields fields = {}) {
  Log(LogLevel::kError, message, fields);
}

// Testing only: sends each formatted line (without its trailing newline) to
// `sink` instead of stderr; an empty function restores stderr. Blocks while
// another thread is writing a line. `sink` runs under the logger's lock, so it
// must not log itself.
void SetLogSinkForTesting(std::function<void(std::string_view line)> sink);

}  // namespace modelhost::core

#endif  // MODELHOST_CORE_LOG_H_

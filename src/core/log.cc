#include "core/log.h"

#include <fmt/format.h>
#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>
#include <mutex>
#include <utility>

namespace modelhost::core {
namespace {

// The level and format live in atomics, outside spdlog, so that LogEnabled is
// one relaxed load and ConfigureLogging never races with a line being built.
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<int> g_format{static_cast<int>(LogFormat::kText)};

// Lines are fully formatted by us (both formats need the same escaping rules,
// which spdlog patterns cannot express); spdlog provides the lock and the
// stderr writer. The sink can be pointed at a test callback under that lock.
class SwitchableSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  SwitchableSink() {
    stderr_.set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%v", spdlog::pattern_time_type::utc, spdlog::details::os::default_eol));
  }

  void SetCallback(std::function<void(std::string_view)> callback) {
    std::lock_guard<std::mutex> lock(mutex_);
    callback_ = std::move(callback);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (callback_) {
      callback_(std::string_view(msg.payload.data(), msg.payload.size()));
      return;
    }
    stderr_.log(msg);  // writes and flushes
  }
  void flush_() override { stderr_.flush(); }

 private:
  spdlog::sinks::stderr_sink_st stderr_;
  std::function<void(std::string_view)> callback_;  // guarded by mutex_
};

struct Backend {
  std::shared_ptr<SwitchableSink> sink = std::make_shared<SwitchableSink>();
  spdlog::logger logger{"modelhost", sink};
  Backend() { logger.set_level(spdlog::level::trace); }  // we filter before formatting
};

Backend& GetBackend() {
  static Backend* backend = [] {
    // Leaked on purpose: threads may still log while static destructors run.
    auto owned = std::make_unique<Backend>();
    return owned.release();
  }();
  return *backend;
}

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
    case LogLevel::kOff: return spdlog::level::off;
  }
  return spdlog::level::off;
}

std::string_view UpperName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kWarn: return "WARN";
    case LogLevel::kError: return "ERROR";
    case LogLevel::kOff: return "OFF";
  }
  return "?";
}

// Length of the valid UTF-8 sequence starting at text[pos], or 0 if invalid.
size_t Utf8SequenceLength(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  size_t length = 0;
  uint32_t min_code_point = 0;
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    min_code_point = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    min_code_point = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    min_code_point = 0x10000;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  uint32_t code_point = lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(pos + i) & 0x3F);
  }
  // Overlong forms, UTF-16 surrogates and values past Unicode are not UTF-8.
  if (code_point < min_code_point || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return 0;
  }
  return length;
}

// Appends `text` as the inside of a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD so the line is
// always valid JSON.
void AppendJsonEscaped(fmt::memory_buffer& out, std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    switch (c) {
      case '"': fmt::format_to(std::back_inserter(out), "\\\""); break;
      case '\\': fmt::format_to(std::back_inserter(out), "\\\\"); break;
      case '\n': fmt::format_to(std::back_inserter(out), "\\n"); break;
      case '\r': fmt::format_to(std::back_inserter(out), "\\r"); break;
      case '\t': fmt::format_to(std::back_inserter(out), "\\t"); break;
      case '\b': fmt::format_to(std::back_inserter(out), "\\b"); break;
      case '\f': fmt::format_to(std::back_inserter(out), "\\f"); break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", byte);
        } else if (byte < 0x80) {
          out.push_back(c);
        } else if (size_t length = Utf8SequenceLength(text, pos); length > 0) {
          out.append(text.substr(pos, length));
          pos += length;
          continue;
        } else {
          fmt::format_to(std::back_inserter(out), "\\ufffd");
        }
      }
    }
    ++pos;
  }
}

// Text format: control characters become escapes so that one call is one line.
void AppendTextEscaped(fmt::memory_buffer& out, std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': fmt::format_to(std::back_inserter(out), "\\\""); break;
      case '\\': fmt::format_to(std::back_inserter(out), "\\\\"); break;
      case '\n': fmt::format_to(std::back_inserter(out), "\\n"); break;
      case '\r': fmt::format_to(std::back_inserter(out), "\\r"); break;
      case '\t': fmt::format_to(std::back_inserter(out), "\\t"); break;
      default:
        if (byte < 0x20 || byte == 0x7F) {
          fmt::format_to(std::back_inserter(out), "\\x{:02x}", byte);
        } else {
          out.push_back(c);
        }
    }
  }
}

// A text value is quoted (logfmt style) when it would otherwise be ambiguous.
bool NeedsQuotes(std::string_view value) {
  if (value.empty()) return true;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == ' ' || c == '=' || c == '"' || c == '\\' || byte < 0x20 || byte == 0x7F) return true;
  }
  return false;
}

void AppendTimestamp(fmt::memory_buffer& out) {
  const auto now = std::chrono::system_clock::now();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                 utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                 utc.tm_sec, millis);
}

void FormatText(fmt::memory_buffer& out, LogLevel level, std::string_view message,
                LogFields fields) {
  AppendTimestamp(out);
  out.push_back(' ');
  out.append(UpperName(level));
  out.push_back(' ');
  for (const char c : message) {  // the message is not quoted, only kept on one line
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      AppendTextEscaped(out, std::string_view(&c, 1));
    } else {
      out.push_back(c);
    }
  }
  for (const LogField& field : fields) {
    out.push_back(' ');
    AppendTextEscaped(out, field.key());
    out.push_back('=');
    if (!field.is_number() && NeedsQuotes(field.text())) {
      out.push_back('"');
      AppendTextEscaped(out, field.text());
      out.push_back('"');
    } else {
      out.append(field.text());
    }
  }
}

void FormatJson(fmt::memory_buffer& out, LogLevel level, std::string_view message,
                LogFields fields) {
  out.append(std::string_view(R"({"ts":")"));
  AppendTimestamp(out);
  out.append(std::string_view(R"(","level":")"));
  out.append(ToString(level));
  out.append(std::string_view(R"(","msg":")"));
  AppendJsonEscaped(out, message);
  out.push_back('"');
  for (const LogField& field : fields) {
    out.append(std::string_view(",\""));
    AppendJsonEscaped(out, field.key());
    out.append(std::string_view("\":"));
    if (field.is_number()) {
      out.append(field.text());
    } else {
      out.push_back('"');
      AppendJsonEscaped(out, field.text());
      out.push_back('"');
    }
  }
  out.push_back('}');
}

}  // namespace

std::string_view ToString(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "unknown";
}

std::string_view ToString(LogFormat format) {
  switch (format) {
    case LogFormat::kText: return "text";
    case LogFormat::kJson: return "json";
  }
  return "unknown";
}

Result<LogLevel> ParseLogLevel(std::string_view text) {
  for (LogLevel level :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError, LogLevel::kOff}) {
    if (text == ToString(level)) return level;
  }
  return InvalidArgument(
      fmt::format("log level '{}': expected one of debug, info, warn, error, off", text));
}

Result<LogFormat> ParseLogFormat(std::string_view text) {
  for (LogFormat format : {LogFormat::kText, LogFormat::kJson}) {
    if (text == ToString(format)) return format;
  }
  return InvalidArgument(fmt::format("log format '{}': expected text or json", text));
}

void ConfigureLogging(const LogOptions& options) {
  g_format.store(static_cast<int>(options.format), std::memory_order_relaxed);
  g_level.store(static_cast<int>(options.level), std::memory_order_relaxed);
}

bool LogEnabled(LogLevel level) {
  return level != LogLevel::kOff &&
         static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

LogField::LogField(std::string_view key, double value) : key_(key) {
  if (std::isfinite(value)) {
    text_ = fmt::format("{}", value);  // shortest text that reads back as the same double
    is_number_ = true;
  } else {
    // JSON has no NaN or Infinity; keep them readable as strings.
    text_ = std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
  }
}

void Log(LogLevel level, std::string_view message, LogFields fields) {
  if (!LogEnabled(level)) return;
  try {
    fmt::memory_buffer line;
    if (static_cast<LogFormat>(g_format.load(std::memory_order_relaxed)) == LogFormat::kJson) {
      FormatJson(line, level, message, fields);
    } else {
      FormatText(line, level, message, fields);
    }
    GetBackend().logger.log(ToSpdlog(level), spdlog::string_view_t(line.data(), line.size()));
  } catch (...) {
    // Logging must never take the caller down (out of memory while formatting);
    // the line is lost, which is the least bad outcome.
  }
}

void SetLogSinkForTesting(std::function<void(std::string_view line)> sink) {
  GetBackend().sink->SetCallback(std::move(sink));
}

}  // namespace modelhost::core

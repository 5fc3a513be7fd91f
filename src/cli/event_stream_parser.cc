#include "cli/event_stream_parser.h"

namespace modelhost::cli {

bool EventStreamParser::Feed(std::string_view bytes,
                             const std::function<bool(const ServerSentEvent&)>& on_event) {
  for (char byte : bytes) {
    if (after_cr_) {
      after_cr_ = false;
      if (byte == '\n') continue;  // the LF of a CRLF pair
    }
    if (byte == '\r' || byte == '\n') {
      after_cr_ = byte == '\r';
      std::string line = std::move(line_);
      line_.clear();
      if (!Line(line, on_event)) return false;
      continue;
    }
    line_ += byte;
  }
  return true;
}

bool EventStreamParser::Line(std::string_view line,
                             const std::function<bool(const ServerSentEvent&)>& on_event) {
  if (line.empty()) {
    bool keep_going = true;
    if (has_data_) keep_going = on_event(event_);
    event_ = ServerSentEvent();
    has_data_ = false;
    return keep_going;
  }
  if (line.front() == ':') return true;  // a comment (keep-alive)
  size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
  if (value.starts_with(' ')) value.remove_prefix(1);
  if (field == "event") {
    event_.name = value;
  } else if (field == "data") {
    if (has_data_) event_.data += '\n';
    event_.data += value;
    has_data_ = true;
  }
  return true;
}

}  // namespace modelhost::cli

// EventStreamParser: splits a text/event-stream (Server-Sent Events, as the
// HTML standard defines them) into events as its bytes arrive in arbitrary
// pieces. Handles "event:" and "data:" fields (several data lines joined by
// '\n'), comments (lines starting with ':'), LF, CRLF and CR line ends, and
// ignores "id:" and "retry:" (the commands never reconnect by event id).
//
//   EventStreamParser parser;
//   parser.Feed(chunk, [](const ServerSentEvent& event) { ...; return true; });
//
// Thread-safety: one thread at a time.

#ifndef MODELHOST_CLI_EVENT_STREAM_PARSER_H_
#define MODELHOST_CLI_EVENT_STREAM_PARSER_H_

#include <functional>
#include <string>
#include <string_view>

namespace modelhost::cli {

struct ServerSentEvent {
  std::string name = "message";  // the "event:" field, "message" without one
  std::string data;
};

class EventStreamParser {
 public:
  // Calls `on_event` for each event completed by `bytes` (an event ends at a
  // blank line; one without data lines is not dispatched, as the standard
  // says). Returns false as soon as `on_event` does (the rest of `bytes` is
  // then dropped), else true.
  bool Feed(std::string_view bytes, const std::function<bool(const ServerSentEvent&)>& on_event);

 private:
  // Interprets one complete line; false when `on_event` asked to stop.
  bool Line(std::string_view line, const std::function<bool(const ServerSentEvent&)>& on_event);

  std::string line_;       // bytes of the current, unfinished line
  bool after_cr_ = false;  // the last byte was '\r' (a following '\n' belongs to it)
  ServerSentEvent event_;  // fields of the event being read
  bool has_data_ = false;  // event_ has at least one data line
};

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_EVENT_STREAM_PARSER_H_

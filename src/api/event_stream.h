// EventStream: a Server-Sent Events channel from a producer on any thread to
// one HTTP client. The producer pushes events with Send() and ends the stream
// with Close(); the connection that carries the stream writes pending events
// as `text/event-stream` chunks from its own I/O thread, so a long-lived stream
// costs no thread. The producer learns that the client went away (or that the
// server is shutting down) from Send()'s result or client_gone().
//
//   auto stream = EventStream::Create();
//   responder.Respond(HttpResponse::Stream(stream));
//   ... on a worker thread:  stream->Send("progress", R"({"epoch":3})");
//                            stream->Close();
//
// Events are buffered without bound until the connection writes them; a
// producer that may outrun a slow client should check pending_bytes().
//
// Thread-safety: every public method may be called from any thread.

#ifndef MODELHOST_API_EVENT_STREAM_H_
#define MODELHOST_API_EVENT_STREAM_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace modelhost::api {

namespace internal {
class HttpConnection;
}  // namespace internal

class EventStream {
 public:
  static std::shared_ptr<EventStream> Create();

  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // Queues one event: "event: <event>\n" (omitted when empty) and one
  // "data: <line>\n" per line of `data`, then a blank line. Returns false, and
  // queues nothing, once the stream is closed or the client is gone.
  // Never blocks on the network.
  bool Send(std::string_view event, std::string_view data);

  // Queues `bytes` as they are, for a stream that is not Server-Sent Events
  // (HttpResponse::ByteStream). Returns false as Send does.
  bool Write(std::string_view bytes);

  // Ends the stream: events already queued are still delivered, then the
  // response ends. Idempotent.
  void Close();

  // Ends the stream as failed: what is queued is still delivered, then the
  // connection closes without the final chunk, so the client sees a body cut
  // short rather than a complete one (for a byte stream that failed midway).
  // Idempotent; no effect after Close().
  void Abort();

  // True once the client disconnected or the server ended the stream
  // (shutdown); further Send()s return false.
  bool client_gone() const;

  // Bytes queued but not yet handed to the connection.
  size_t pending_bytes() const;

 private:
  friend class internal::HttpConnection;
  EventStream() = default;

  // Connection side. `wake` is called (from any thread, without the lock held)
  // whenever there is something new to write or the stream was closed.
  void Attach(std::function<void()> wake);
  void End(bool abort);
  // Whether the stream ended by Abort().
  bool aborted() const;
  // Moves the queued text into `out`; returns true when the stream is closed
  // and nothing is left after this.
  bool TakePending(std::string* out);
  // The client went away or the server is ending the stream. With
  // `abort_if_open`, a stream its producer has not closed yet ends as by
  // Abort() (a byte stream cut short by the drain must not look complete).
  void MarkClientGone(bool abort_if_open = false);

  mutable std::mutex mu_;
  std::string pending_;         // GUARDED_BY(mu_)
  bool closed_ = false;         // GUARDED_BY(mu_)
  bool gone_ = false;           // GUARDED_BY(mu_)
  bool aborted_ = false;        // GUARDED_BY(mu_)
  std::function<void()> wake_;  // GUARDED_BY(mu_)
};

}  // namespace modelhost::api

#endif  // MODELHOST_API_EVENT_STREAM_H_

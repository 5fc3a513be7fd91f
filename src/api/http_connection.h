// HttpConnection: one accepted TCP connection of HttpServer, from its first
// byte to its close. It reads a request with Beast, converts it to an
// HttpRequest, routes it, runs the handler, writes the response (or an event
// stream) and loops for keep-alive. Internal to api/.
//
// States: kReading → kHandling → kWriting → kReading …; kStreaming for an
// event stream; kLingering after a final response (send side shut, reading
// until the peer closes so it gets the response rather than a reset); kClosed.
//
// Thread-safety: every member function runs on the owning IoWorker's thread.
// Other threads reach a connection only through its Port (Responder target,
// stream wake-ups), which posts to that thread.

#ifndef MODELHOST_API_HTTP_CONNECTION_H_
#define MODELHOST_API_HTTP_CONNECTION_H_

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "api/event_stream.h"
#include "api/http_request.h"
#include "api/http_response.h"
#include "api/io_worker.h"
#include "api/request_body.h"
#include "api/router.h"

namespace modelhost::api::internal {

// The Method of a Beast verb; kOther for verbs this server does not know.
Method ToMethod(boost::beast::http::verb verb);

// An error the HTTP layer decides itself, in the one error shape of
// api/error_body.h with an explicit code string.
HttpResponse LayerError(int status, std::string_view code, std::string_view message);

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  using Clock = std::chrono::steady_clock;

  HttpConnection(boost::asio::ip::tcp::socket socket, IoWorker* worker, ServerShared* shared);
  ~HttpConnection();

  // Starts reading the first request. The worker's registry must already own
  // this connection.
  void Start();
  // Shutdown began: close now if idle (no byte of a next request received);
  // otherwise finish the current request, including one still arriving (its
  // response says Connection: close), or end the event stream.
  void BeginDrain();
  // Closes if a deadline passed: the idle timeout while waiting for a
  // request's first byte or for body progress, the header timeout since the
  // first byte of a request whose headers are incomplete, the linger timeout
  // since lingering began. An event stream quiet for the keep-alive period
  // gets its keep-alive comment instead.
  void CloseIfIdle(Clock::time_point now);
  // Closes the socket, drops out of the worker's registry. Idempotent.
  // The caller must hold a reference (the registry's may be the last).
  void Close();

 private:
  class Port;
  friend class Port;
  enum class State { kReading, kHandling, kWriting, kStreaming, kLingering, kClosed };

  // The current request (owned by port_).
  HttpRequest& request();
  // Starts a new request: reuses port_ and its request when nothing else holds
  // them, else replaces port_ with a fresh one. Returns the emptied request.
  HttpRequest& NextRequest();
  void ReadRequest();
  void OnRead(boost::system::error_code error);
  void RejectMalformed(boost::system::error_code error);
  // With the head complete: fills the request, finds its route, checks its
  // key, and prepares where the body goes. False when it answered already
  // (no route, 405, 401/403, …).
  bool RouteHead();
  // The 413 message for the current request's body limit.
  std::string BodyLimitMessage() const;
  // With the body complete: hands it to the request and runs the handler.
  void Dispatch();
  void RunHandler(const Handler& handler);
  void OnResponse(HttpResponse response, bool abandoned);
  void WriteResponse(HttpResponse response);
  void OnWritten(boost::system::error_code error);
  // Enters kLingering (shuts the send side, starts the linger deadline).
  void Linger();
  // Reads and discards until the peer closes; does not move the deadline.
  void LingerRead();

  void StartStream(HttpResponse response);
  void PumpStream();
  // Writes stream_chunk_; PumpStream again when done.
  void WriteStreamChunk();
  void WatchStreamPeer();

  void RecordMetrics(int status);

  boost::asio::ip::tcp::socket socket_;
  IoWorker* worker_;
  ServerShared* shared_;
  // The current request's Port, which owns the request (see Port).
  std::shared_ptr<Port> port_;

  State state_ = State::kReading;
  // kReading: start of the wait for a request's first byte, or the last body
  // progress.
  Clock::time_point waiting_since_;
  // kReading: when the sweep first saw bytes of the current request's head
  // (valid while head_started_); the header timeout runs from here.
  Clock::time_point head_since_;
  bool head_started_ = false;
  // kLingering: when lingering began; the linger timeout runs from here.
  Clock::time_point linger_since_;
  Clock::time_point request_start_;

  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<RequestBody>> parser_;
  // Set by RouteHead for the current request.
  bool routed_ = false;
  const Handler* handler_ = nullptr;
  bool body_to_file_ = false;  // the route is an upload route
  // The file receiving the current request's body, for upload routes.
  std::optional<UploadFile> upload_;
  // The response being written: its head, with a small body copied in behind
  // it, and a larger body kept apart for a gather write. The head buffer is
  // reused across requests (unless it grew past 64 KiB), so a keep-alive
  // connection stops allocating for heads once it has grown; the large body is
  // the handler's own string, moved in and freed after its response.
  std::string response_head_;
  std::string response_body_;
  bool response_keep_alive_ = true;
  int route_id_ = 0;
  bool keep_alive_ = true;
  int response_status_ = 0;

  // While a handler runs on this thread, a response it gives is parked here
  // and written when it returns (so the handler's frame is never re-entered).
  bool in_handler_ = false;
  std::optional<HttpResponse> parked_;
  bool parked_abandoned_ = false;

  std::shared_ptr<EventStream> stream_;
  std::string stream_out_;    // events taken from the stream
  std::string stream_chunk_;  // the bytes being written (head or one chunk)
  bool stream_writing_ = false;
  bool stream_finishing_ = false;
  bool stream_is_sse_ = false;           // text/event-stream: gets keep-alive comments
  Clock::time_point stream_written_at_;  // the last chunk written (or the head)
  std::array<char, 512> discard_;
};

}  // namespace modelhost::api::internal

#endif  // MODELHOST_API_HTTP_CONNECTION_H_

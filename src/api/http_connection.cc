#include "api/http_connection.h"

#include "api/authenticator.h"

#include <array>
#include <atomic>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <cstdio>
#include <exception>
#include <limits>

#include "api/error_body.h"
#include "api/request_id.h"
#include "api/response_head.h"
#include "core/log.h"

namespace modelhost::api::internal {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::system::error_code;

Method ToMethod(http::verb verb) {
  switch (verb) {
    case http::verb::get: return Method::kGet;
    case http::verb::head: return Method::kHead;
    case http::verb::post: return Method::kPost;
    case http::verb::put: return Method::kPut;
    case http::verb::delete_: return Method::kDelete;
    case http::verb::patch: return Method::kPatch;
    case http::verb::options: return Method::kOptions;
    default: return Method::kOther;
  }
}

HttpResponse LayerError(int status, std::string_view code, std::string_view message) {
  return HttpResponse::Json(status, ErrorBodyJson(code, message));
}

namespace {

bool IsHttpParseError(const error_code& error) {
  return &error.category() == &http::make_error_code(http::error::bad_method).category();
}

// Bodies up to this size are copied behind the head so that the response
// leaves in one contiguous send; larger ones are written from their own buffer.
constexpr size_t kInlineBodyBytes = 4096;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

// The ResponseTarget of one request's Responders and the wake-up target of an
// event stream; it owns the request, so the request lives as long as a
// Responder that may still be read with it (B2: a drain timeout destroying the
// connection, or a handler that threw after handing its Responder off, no
// longer free or reuse a request another thread reads). A connection reuses its
// Port, request included, for the next request when nothing else holds it (the
// common case: no allocation), and starts a fresh one otherwise. Other threads
// only reach the connection by posting through the gate; `retired_` (I/O thread
// only) silences a Responder whose request the server already answered (its
// handler threw after handing it off).
class HttpConnection::Port : public ResponseTarget, public std::enable_shared_from_this<Port> {
 public:
  Port(std::weak_ptr<HttpConnection> connection, std::shared_ptr<IoGate> gate)
      : connection_(std::move(connection)), gate_(std::move(gate)) {}

  void Deliver(HttpResponse response, bool abandoned) override {
    if (gate_->RunningInThisThread()) {
      DeliverHere(std::move(response), abandoned);
      return;
    }
    gate_->Post([self = shared_from_this(), response = std::move(response), abandoned]() mutable {
      self->DeliverHere(std::move(response), abandoned);
    });
  }

  void WakeStream() {
    if (gate_->RunningInThisThread()) {
      if (auto connection = connection_.lock()) connection->PumpStream();
      return;
    }
    gate_->Post([self = shared_from_this()] {
      if (auto connection = self->connection_.lock()) connection->PumpStream();
    });
  }

  // I/O thread only.
  void Retire() { retired_ = true; }
  bool retired() const { return retired_; }

  HttpRequest& request() { return request_; }

 private:
  void DeliverHere(HttpResponse response, bool abandoned) {
    if (retired_) return;
    if (auto connection = connection_.lock()) {
      connection->OnResponse(std::move(response), abandoned);
    }
  }

  std::weak_ptr<HttpConnection> connection_;
  std::shared_ptr<IoGate> gate_;
  bool retired_ = false;
  // Written by the I/O thread before the handler runs; read-only afterwards
  // until every Responder of it was used (see http_request.h).
  HttpRequest request_;
};

HttpConnection::HttpConnection(asio::ip::tcp::socket socket, IoWorker* worker, ServerShared* shared)
    : socket_(std::move(socket)), worker_(worker), shared_(shared) {}

HttpConnection::~HttpConnection() = default;

void HttpConnection::Start() {
  port_ = std::make_shared<Port>(weak_from_this(), worker_->gate);
  // Synchronous sends on this socket return would_block instead of waiting
  // (WriteResponse); asynchronous operations do not depend on this mode.
  error_code ignored;
  socket_.non_blocking(true, ignored);
  if (shared_->draining.load(std::memory_order_acquire)) {
    Close();
    return;
  }
  ReadRequest();
}

HttpRequest& HttpConnection::request() { return port_->request(); }

HttpRequest& HttpConnection::NextRequest() {
  if (port_->retired() || port_.use_count() > 1) {
    // A Responder (or a delivery in flight) of the previous request may still
    // be read with its request on another thread: leave both to it.
    port_ = std::make_shared<Port>(weak_from_this(), worker_->gate);
  } else {
    // Only this connection holds the Port. Pairs with the release decrement of
    // the last other holder, so its reads of the request happen before Clear.
    std::atomic_thread_fence(std::memory_order_acquire);
    port_->request().Clear();
  }
  return port_->request();
}

void HttpConnection::ReadRequest() {
  state_ = State::kReading;
  waiting_since_ = Clock::now();
  head_started_ = false;
  routed_ = false;
  handler_ = nullptr;
  body_to_file_ = false;
  upload_.reset();
  parser_.emplace();
  // RequestBody enforces the body limit, which depends on the route (known
  // once the head is); Beast's own limit would refuse an upload by its
  // Content-Length before the route is looked up. (Not boost::none: Beast
  // 1.74 compares the length with the optional, and anything > none.)
  parser_->body_limit(std::numeric_limits<uint64_t>::max());
  parser_->get().body().limit = shared_->options.max_body_bytes;
  parser_->header_limit(static_cast<uint32_t>(shared_->options.max_header_bytes));
  http::async_read_some(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](error_code error, size_t) { self->OnRead(error); });
}

void HttpConnection::OnRead(error_code error) {
  if (state_ != State::kReading) return;  // closed meanwhile
  if (error) {
    if (IsHttpParseError(error) && error != http::error::end_of_stream &&
        error != http::error::partial_message) {
      RejectMalformed(error);
    } else {
      Close();  // the peer closed or reset; nothing to answer
    }
    return;
  }
  // Beast completes a read only once it parsed something, a head only whole,
  // and (not eager) stops after the head: the route is looked up before any
  // of the body is parsed.
  if (!routed_ && parser_->is_header_done()) {
    if (!RouteHead()) return;  // answered already
  }
  if (!parser_->is_done()) {
    // A large body arrives in several reads; each counts as progress.
    waiting_since_ = Clock::now();
    http::async_read_some(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](error_code error, size_t) { self->OnRead(error); });
    return;
  }
  Dispatch();
}

void HttpConnection::RunHandler(const Handler& handler) {
  in_handler_ = true;
  parked_.reset();
  std::string failure;
  try {
    handler(request(), Responder(port_));
  } catch (const std::exception& e) {
    failure = e.what();
    if (failure.empty()) failure = "exception";
  } catch (...) {
    failure = "unknown exception";
  }
  in_handler_ = false;
  if (!failure.empty()) {
    core::LogError("handler threw", {{"request_id", request().request_id()},
                                     {"route", shared_->router.RouteLabel(route_id_)},
                                     {"error", failure}});
    if (!parked_ || parked_abandoned_) {
      // The handler may have handed its Responder to another thread before
      // throwing; the server answers now, so that late answer must be dropped.
      // The retired Port keeps the request for that thread; the next request
      // gets a fresh Port (NextRequest).
      port_->Retire();
      parked_ = HttpResponse::Error(
          core::Internal("internal error while handling request " + request().request_id()));
    }
  }
  if (parked_) {
    HttpResponse response = std::move(*parked_);
    parked_.reset();
    WriteResponse(std::move(response));
  }
  // Otherwise the Responder is still out; OnResponse will write.
}

void HttpConnection::OnResponse(HttpResponse response, bool abandoned) {
  if (state_ != State::kHandling) return;  // closed (or drained away) meanwhile
  if (in_handler_) {
    parked_ = std::move(response);
    parked_abandoned_ = abandoned;
    return;
  }
  WriteResponse(std::move(response));
}

void HttpConnection::WriteResponse(HttpResponse response) {
  if (response.stream) {
    StartStream(std::move(response));
    return;
  }
  if (response.status < 100 || response.status > 599) {
    // A handler bug; Beast would throw on an out-of-range status.
    response = HttpResponse::Error(
        core::Internal("handler produced invalid HTTP status " + std::to_string(response.status)));
  }
  response_status_ = response.status;
  response_keep_alive_ = keep_alive_ && !shared_->draining.load(std::memory_order_acquire);
  response_head_.clear();
  AppendResponseHead(response, request().request_id(), response_keep_alive_,
                     Framing::kContentLength, &response_head_);
  response_body_.clear();
  if (!BodyForbidden(response.status)) {
    if (response.body.size() <= kInlineBodyBytes) {
      response_head_.append(response.body);
    } else {
      response_body_ = std::move(response.body);
    }
  }
  state_ = State::kWriting;
  // Recorded before the first byte leaves, so a client that has its response
  // finds it counted by /metrics on any thread; the latency therefore excludes
  // the final send.
  RecordMetrics(response_status_);
  // Send right away, as the reference server does: a response nearly always
  // fits the socket's send buffer, and finishing here saves the reactor
  // operation and the extra trip through the event loop that an async_write
  // costs per request. Only what does not fit waits for the socket to drain.
  error_code error;
  const size_t sent = asio::write(
      socket_, std::array{asio::buffer(response_head_), asio::buffer(response_body_)}, error);
  if (error != asio::error::would_block && error != asio::error::try_again) {
    OnWritten(error);
    return;
  }
  const size_t head_sent = std::min(sent, response_head_.size());
  const std::array<asio::const_buffer, 2> rest{asio::buffer(response_head_) + head_sent,
                                               asio::buffer(response_body_) + (sent - head_sent)};
  asio::async_write(socket_, rest, [self = shared_from_this()](error_code error, size_t) {
    self->OnWritten(error);
  });
}

void HttpConnection::OnWritten(error_code error) {
  if (state_ != State::kWriting) return;
  if (error) {
    Close();
    return;
  }
  if (!response_keep_alive_ || shared_->draining.load(std::memory_order_acquire)) {
    // Also when draining (the drain may have begun after the head said
    // keep-alive): bytes the client pipelined after this request may
    // be unread, and closing now would answer them with a reset that can
    // destroy the response still in flight. Lingering is bounded by the
    // linger timeout.
    Linger();
    return;
  }
  // Keep the head buffer's memory for the next response only if it is small;
  // the large body was the handler's string and is freed now.
  if (response_head_.capacity() > 64 * 1024) response_head_ = std::string();
  response_body_ = std::string();
  ReadRequest();
}

void HttpConnection::RecordMetrics(int status) {
  double seconds = SecondsSince(request_start_);
  worker_->recorder.Record(route_id_, request().method(), status, seconds);
  if (core::LogEnabled(core::LogLevel::kDebug)) {
    core::LogDebug("http request", {{"request_id", request().request_id()},
                                    {"method", ToString(request().method())},
                                    {"path", request().path()},
                                    {"status", status},
                                    {"seconds", seconds}});
  }
}

// After the last response: shut our sending side and read until the peer
// closes, so unread request bytes do not turn our close into a reset that
// destroys the response in flight. Bounded by the linger timeout from here
// (CloseIfIdle), however much the peer keeps sending.
void HttpConnection::Linger() {
  state_ = State::kLingering;
  linger_since_ = Clock::now();
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  LingerRead();
}

void HttpConnection::LingerRead() {
  socket_.async_read_some(asio::buffer(discard_),
                          [self = shared_from_this()](error_code error, size_t) {
                            if (self->state_ != State::kLingering) return;
                            if (error) {
                              self->Close();
                            } else {
                              self->LingerRead();
                            }
                          });
}

void HttpConnection::StartStream(HttpResponse response) {
  if (response.status < 200 || response.status > 599 || BodyForbidden(response.status)) {
    // A handler bug: a stream needs a status that allows a body. The producer
    // sees the client gone; the client gets a 500.
    response.stream->MarkClientGone();
    WriteResponse(HttpResponse::Error(core::Internal("handler produced invalid HTTP status " +
                                                     std::to_string(response.status) +
                                                     " for an event stream")));
    return;
  }
  stream_ = std::move(response.stream);
  response_status_ = response.status;
  RecordMetrics(response.status);  // latency up to the start of the stream
  state_ = State::kStreaming;
  keep_alive_ = false;
  // An empty content type is sent as text/event-stream (response_head.cc).
  stream_is_sse_ = response.content_type.empty() || response.content_type == "text/event-stream";
  stream_written_at_ = Clock::now();
  stream_chunk_.clear();
  AppendResponseHead(response, request().request_id(), /*keep_alive=*/false, Framing::kChunked,
                     &stream_chunk_);
  stream_writing_ = true;
  asio::async_write(socket_, asio::buffer(stream_chunk_),
                    [self = shared_from_this()](error_code error, size_t) {
                      self->stream_writing_ = false;
                      if (self->state_ != State::kStreaming) return;
                      if (error) {
                        self->Close();
                        return;
                      }
                      std::shared_ptr<Port> port = self->port_;
                      self->stream_->Attach([port] { port->WakeStream(); });
                      if (self->shared_->draining.load(std::memory_order_acquire)) {
                        self->stream_->MarkClientGone(/*abort_if_open=*/!self->stream_is_sse_);
                      }
                      self->WatchStreamPeer();
                      self->PumpStream();
                    });
}

// Writes whatever the producer queued as one chunk; after Close(), the last
// chunk. Runs again when a write completes or the producer wakes us.
void HttpConnection::PumpStream() {
  if (state_ != State::kStreaming || stream_writing_ || stream_finishing_) return;
  bool closed = stream_->TakePending(&stream_out_);
  stream_chunk_.clear();
  if (!stream_out_.empty()) {
    char size[20];
    int length = std::snprintf(size, sizeof(size), "%zx\r\n", stream_out_.size());
    stream_chunk_.append(size, static_cast<size_t>(length)).append(stream_out_).append("\r\n");
  } else if (closed && stream_->aborted()) {
    Close();  // no final chunk: the client sees the body cut short
    return;
  } else if (closed) {
    stream_finishing_ = true;
    stream_chunk_ = "0\r\n\r\n";
  } else {
    return;
  }
  WriteStreamChunk();
}

void HttpConnection::WriteStreamChunk() {
  stream_writing_ = true;
  stream_written_at_ = Clock::now();
  asio::async_write(socket_, asio::buffer(stream_chunk_),
                    [self = shared_from_this()](error_code error, size_t) {
                      self->stream_writing_ = false;
                      if (self->state_ != State::kStreaming) return;
                      if (error) {
                        self->Close();
                      } else if (self->stream_finishing_) {
                        if (self->shared_->draining.load(std::memory_order_acquire)) {
                          self->Close();  // nothing unread; do not hold up the drain
                          return;
                        }
                        // The peer watch read is still pending and ends the lingering.
                        self->state_ = State::kLingering;
                        self->linger_since_ = Clock::now();
                        error_code ignored;
                        self->socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
                      } else {
                        self->PumpStream();
                      }
                    });
}

// An SSE client sends nothing; a read completing with an error means it went
// away, which the producer sees through EventStream::client_gone().
void HttpConnection::WatchStreamPeer() {
  socket_.async_read_some(
      asio::buffer(discard_), [self = shared_from_this()](error_code error, size_t) {
        if (self->state_ != State::kStreaming && self->state_ != State::kLingering) {
          return;
        }
        if (error) {
          self->Close();
        } else {
          self->WatchStreamPeer();
        }
      });
}

void HttpConnection::BeginDrain() {
  switch (state_) {
    case State::kReading:
      // A request that has begun to arrive is in flight: let it finish (its
      // response says Connection: close); the drain timeout bounds the wait.
      if ((parser_ && parser_->got_some()) || buffer_.size() > 0) return;
      Close();
      return;
    case State::kLingering:
      // Bounded by the linger timeout; closing now could reset the response.
      return;
    case State::kStreaming:
      // Ends the stream for the producer; what is queued is still written,
      // then the last chunk (PumpStream) — but not for a byte stream its
      // producer had not finished: its client must see the body cut short
      // (a half export is not a whole one), as after EventStream::Abort.
      stream_->MarkClientGone(/*abort_if_open=*/!stream_is_sse_);
      PumpStream();
      return;
    case State::kHandling:
    case State::kWriting:  // the response goes out with Connection: close
    case State::kClosed: return;
  }
}

void HttpConnection::CloseIfIdle(Clock::time_point now) {
  const HttpServerOptions& options = shared_->options;
  if (state_ == State::kLingering) {
    if (now - linger_since_ > options.linger_timeout) Close();
    return;
  }
  if (state_ == State::kStreaming) {
    if (stream_is_sse_ && !stream_writing_ && !stream_finishing_ &&
        options.event_stream_keepalive.count() > 0 &&
        now - stream_written_at_ >= options.event_stream_keepalive) {
      // A comment line, which SSE clients ignore (WHATWG HTML §9.2.6).
      stream_chunk_ = "e\r\n: keep-alive\n\n\r\n";
      WriteStreamChunk();
    }
    return;
  }
  if (state_ != State::kReading) return;
  const bool head_done = parser_ && parser_->is_header_done();
  const bool head_begun = buffer_.size() > 0 || (parser_ && parser_->got_some());
  if (!head_done && head_begun) {
    // Beast reports nothing until a head is whole, so the sweep notes when
    // its first bytes were seen; trickling bytes does not move this deadline.
    if (!head_started_) {
      head_started_ = true;
      head_since_ = now;
    }
    if (now - head_since_ > options.header_timeout) Close();
    return;
  }
  if (now - waiting_since_ > options.idle_timeout) Close();
}

void HttpConnection::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  auto self = shared_from_this();
  error_code ignored;
  socket_.close(ignored);
  upload_.reset();  // removes a body cut short
  if (stream_) {
    stream_->MarkClientGone();
    stream_.reset();
  }
  worker_->connections.erase(this);
  shared_->ConnectionClosed();
}

}  // namespace modelhost::api::internal

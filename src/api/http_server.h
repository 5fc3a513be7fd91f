// HttpServer: the asynchronous HTTP/1.1 server (Boost.Beast/Asio inside, none
// of it visible here). A fixed number of I/O threads each run their own event
// loop; accepted connections are spread over them round-robin and stay on one
// thread for life, so a connection's state needs no lock. It provides
// keep-alive, TCP_NODELAY, an idle timeout, body and header size limits, a
// request id per request (X-Request-Id), JSON errors for everything the HTTP
// layer decides itself (400 malformed, 404, 405 + Allow, 413, 431, 500 when a
// handler throws), request metrics, Server-Sent Events, and a graceful drain.
//
//   api::Router router;
//   api::AddSystemRoutes(router, {.metrics = &registry});
//   auto server = api::HttpServer::Start(options, std::move(router), &registry);
//   if (!server.ok()) return server.status();   // e.g. "bind 0.0.0.0:8080: Address in use"
//   ... (*server)->port() ...
//   (*server)->Shutdown();                       // from the signal-watching thread
//
// The server never installs signal handlers; the caller watches signals and
// calls Shutdown().
//
// Thread-safety: port() and host() may be called from any thread; Shutdown()
// from any thread except an I/O thread (i.e. not from inside a handler).

#ifndef MODELHOST_API_HTTP_SERVER_H_
#define MODELHOST_API_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "api/router.h"
#include "core/metrics.h"
#include "core/result.h"

namespace modelhost::api {

class Authenticator;

struct HttpServerOptions {
  // Address to listen on (a numeric IPv4/IPv6 address or a host name).
  std::string host = "127.0.0.1";
  // TCP port; 0 picks a free ephemeral port (see HttpServer::port()).
  uint16_t port = 8080;
  // Number of I/O threads (event loops). Values < 1 are treated as 1.
  int io_threads = 2;
  // Largest accepted request body; a larger one gets 413 and the connection
  // is closed.
  size_t max_body_bytes = 16 * 1024 * 1024;
  // Where bodies of upload routes (Router::AddUpload) are written as they
  // arrive; every file in it is removed at Start (leftovers of a crash), so
  // it must belong to this server alone. Empty: upload routes answer 503.
  std::string upload_dir{};
  // Largest accepted body of an upload route; larger gets 413 and a close.
  uint64_t max_upload_bytes = uint64_t{8} << 30;
  // Largest accepted request line plus headers; larger gets 431 and a close.
  size_t max_header_bytes = 16 * 1024;
  // A connection that waits this long for the first byte of a request, or
  // this long without progress while a request body arrives, is closed.
  std::chrono::milliseconds idle_timeout{60'000};
  // Once the first byte of a request arrived, its request line and headers
  // must be complete within this time, however the bytes trickle in
  // (slowloris); else the connection is closed without an answer. Checked by
  // the per-thread sweep, so the close may come up to a sweep period later
  // (a quarter of the smallest of these timeouts and the event stream
  // keep-alive, 5 ms to 1 s).
  std::chrono::milliseconds header_timeout{10'000};
  // After a final response (Connection: close, 400/413/431, the end of an
  // event stream, or any response while draining) the server shuts its send
  // side and reads until the peer closes, so unread request bytes do not turn
  // the close into a reset that destroys the response in flight. This bounds
  // that wait from its start, whatever the peer keeps sending.
  std::chrono::milliseconds linger_timeout{2'000};
  // An event stream (text/event-stream) that has written nothing for this
  // long gets an SSE comment line, ": keep-alive", so that proxies do not
  // time a quiet stream out and its client can tell a silent server from a
  // vanished one. Checked by the sweep, so it may come up to a sweep period
  // late. Byte streams get none (a comment would corrupt their bytes). 0
  // sends none.
  std::chrono::milliseconds event_stream_keepalive{15'000};
  // Shutdown() waits at most this long for in-flight requests and open event
  // streams to finish before closing their connections.
  std::chrono::milliseconds drain_timeout{10'000};
  // Checks each request's API key against its route's Access before the
  // handler runs: 401 (with WWW-Authenticate: Bearer) for a missing or bad
  // key, 403 for a missing scope. Null: no checks at all (`--auth=off`, and
  // tests of the HTTP machinery). Must outlive the server.
  const Authenticator* authenticator = nullptr;
};

namespace internal {
class ServerCore;
}  // namespace internal

class HttpServer {
 public:
  // Binds host:port, starts the I/O threads and begins accepting. `router` is
  // moved in and read-only from then on. `metrics` receives the request
  // metrics (see request_metrics.h); may be null; must outlive the server.
  // Errors: InvalidArgument for a router with a bad route or a host that does
  // not resolve, Unavailable when the address cannot be bound (in use,
  // permission); messages name host:port and the OS reason. Blocks only to
  // resolve the host.
  static core::Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, Router router,
                                                         core::MetricsRegistry* metrics);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Calls Shutdown().
  ~HttpServer();

  // The bound port (the ephemeral one when options.port was 0).
  uint16_t port() const;
  const std::string& host() const;

  // Graceful drain, blocking until done: stops accepting; closes idle
  // keep-alive connections; lets in-flight requests finish and sends their
  // responses with "Connection: close"; ends open event streams (queued events
  // are still sent, then the last chunk) and byte streams whose producer has
  // not closed them (queued bytes are still sent, then the connection closes
  // without the last chunk, so the client sees the body cut short rather than
  // take it for whole); after options.drain_timeout closes whatever is left;
  // joins the I/O threads. Responders and EventStreams still held by other
  // threads afterwards are harmless (their output is dropped). Idempotent.
  // REQUIRES: not called on an I/O thread (it would wait for itself).
  void Shutdown();

 private:
  explicit HttpServer(std::unique_ptr<internal::ServerCore> core);

  std::unique_ptr<internal::ServerCore> core_;
};

}  // namespace modelhost::api

#endif  // MODELHOST_API_HTTP_SERVER_H_

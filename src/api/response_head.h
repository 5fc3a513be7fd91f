// The status line and headers of an HTTP/1.1 response, rendered by hand into
// a reused buffer — the one renderer for buffered responses and event streams.
// Internal to api (used by http_connection.cc).
//
// Thread-safety: pure functions; each call writes only the caller's buffer.

#ifndef MODELHOST_API_RESPONSE_HEAD_H_
#define MODELHOST_API_RESPONSE_HEAD_H_

#include <string>
#include <string_view>

#include "api/http_response.h"

namespace modelhost::api::internal {

// 1xx, 204 and 304 responses carry neither a body nor Content-Length (RFC 9110).
inline bool BodyForbidden(int status) { return status < 200 || status == 204 || status == 304; }

// How a response body is framed on the wire.
enum class Framing {
  kContentLength,  // a complete body
  kChunked,        // an event stream: text/event-stream, chunked, then close
};

// Appends the status line and headers of `response`, ending with the blank
// line, to *out. The head is written by hand instead of through a Beast
// message and serializer, which brought the CPU per request level with the
// raw epoll reference's (bench/http_hello/run.sh prints both;
// docs/design/api.md, Performance notes). Handler headers that the server owns
// (Content-Length, Connection, Transfer-Encoding, X-Request-Id) are dropped.
// For kContentLength a Content-Type header replaces `content_type`; for
// kChunked the server owns Content-Type too (text/event-stream), and adds
// Cache-Control: no-cache unless the handler gave a Cache-Control.
// REQUIRES: 100 <= response.status <= 599.
void AppendResponseHead(const HttpResponse& response, std::string_view request_id, bool keep_alive,
                        Framing framing, std::string* out);

}  // namespace modelhost::api::internal

#endif  // MODELHOST_API_RESPONSE_HEAD_H_

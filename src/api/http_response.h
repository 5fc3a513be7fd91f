// HttpResponse: what a handler answers — a status, a content type, extra
// headers and either a complete body or an EventStream (Server-Sent Events, or
// raw bytes such as an export) that the connection writes, chunked, as they
// arrive.
//
// Thread-safety: a value type; not synchronized. It is moved into a Responder,
// which hands it to the connection's thread.

#ifndef MODELHOST_API_HTTP_RESPONSE_H_
#define MODELHOST_API_HTTP_RESPONSE_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace modelhost::api {

class EventStream;

inline constexpr std::string_view kJsonContentType = "application/json";

struct HttpResponse {
  // The HTTP status code.
  int status = 200;
  // The Content-Type header; none is sent when empty.
  std::string content_type;
  // The complete body (ignored when `stream` is set).
  std::string body;
  // Extra headers, sent as given (e.g. {"Allow", "GET, POST"}). The server sets
  // Content-Length, Connection and X-Request-Id itself.
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the response is chunked, fed by this stream until it is closed,
  // of `content_type` (text/event-stream when empty); `body` is ignored.
  std::shared_ptr<EventStream> stream;

  // `status` with a JSON body (`body` must already be JSON).
  static HttpResponse Json(int status, std::string body);
  // `status` with a text/plain body.
  static HttpResponse Text(int status, std::string body);
  // `status` with no body and no content type (e.g. 200 for /v2/health/live).
  static HttpResponse Empty(int status);
  // The error mapping of api/error_body.h: HttpStatusFor(status) and the
  // {"error":{"code","message"}} body. REQUIRES: !status.ok().
  static HttpResponse Error(const core::Status& status);
  // 200 text/event-stream fed by `stream`.
  static HttpResponse Stream(std::shared_ptr<EventStream> stream);
  // 200 `content_type` fed with the bytes of `stream` (EventStream::Write).
  static HttpResponse ByteStream(std::string content_type, std::shared_ptr<EventStream> stream);
};

}  // namespace modelhost::api

#endif  // MODELHOST_API_HTTP_RESPONSE_H_

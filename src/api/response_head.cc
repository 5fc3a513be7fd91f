#include "api/response_head.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>

namespace modelhost::api::internal {
namespace {

namespace http = boost::beast::http;

void AppendField(std::string_view name, std::string_view value, std::string* out) {
  out->append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

void AppendResponseHead(const HttpResponse& response, std::string_view request_id, bool keep_alive,
                        Framing framing, std::string* out) {
  namespace beast = boost::beast;
  const bool chunked = framing == Framing::kChunked;
  char number[24];
  out->append("HTTP/1.1 ");
  out->append(number, std::to_chars(number, number + sizeof(number), response.status).ptr);
  const auto reason = http::obsolete_reason(static_cast<http::status>(response.status));
  out->append(" ").append(reason.data(), reason.size()).append("\r\n");
  bool content_type_given = false;
  bool cache_control_given = false;
  for (const auto& [name, value] : response.headers) {
    if (beast::iequals(name, "Content-Length") || beast::iequals(name, "Connection") ||
        beast::iequals(name, "Transfer-Encoding") || beast::iequals(name, "X-Request-Id")) {
      continue;
    }
    const bool is_content_type = beast::iequals(name, "Content-Type");
    if (chunked && is_content_type) continue;
    content_type_given = content_type_given || is_content_type;
    cache_control_given = cache_control_given || beast::iequals(name, "Cache-Control");
    AppendField(name, value, out);
  }
  if (chunked) {
    AppendField("Content-Type",
                response.content_type.empty() ? "text/event-stream" : response.content_type, out);
    if (!cache_control_given) AppendField("Cache-Control", "no-cache", out);
  } else if (!response.content_type.empty() && !content_type_given) {
    AppendField("Content-Type", response.content_type, out);
  }
  AppendField("X-Request-Id", request_id, out);
  if (chunked) {
    AppendField("Transfer-Encoding", "chunked", out);
  } else if (!BodyForbidden(response.status)) {
    out->append("Content-Length: ");
    out->append(number, std::to_chars(number, number + sizeof(number), response.body.size()).ptr);
    out->append("\r\n");
  }
  if (!keep_alive) AppendField("Connection", "close", out);
  out->append("\r\n");
}

}  // namespace modelhost::api::internal

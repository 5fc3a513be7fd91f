// HttpConnection: from a request's complete head to its handler — routing,
// the key check, where the body goes, and the answers the HTTP layer gives
// itself (http_connection.h). The rest of the connection is in
// http_connection.cc.

#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>

#include "api/authenticator.h"
#include "api/http_connection.h"
#include "api/json_nesting.h"
#include "api/request_id.h"
#include "core/log.h"

namespace modelhost::api::internal {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

void HttpConnection::RejectMalformed(error_code error) {
  RequestBody::value_type& body = parser_->get().body();
  if (!body.write_error.ok()) {
    // The upload could not be stored: say why; a full disk is 507
    // Insufficient Storage rather than the 429 of other exhausted resources.
    keep_alive_ = false;
    state_ = State::kHandling;
    WriteResponse(body.write_error.code() == core::StatusCode::kResourceExhausted
                      ? LayerError(507, "resource_exhausted", body.write_error.message())
                      : HttpResponse::Error(body.write_error));
    return;
  }
  if (!routed_) {
    HttpRequest& request = NextRequest();
    request.set_method(parser_->is_header_done() ? ToMethod(parser_->get().method())
                                                 : Method::kOther);
    std::string id;
    worker_->request_ids.Next(&id);
    request.set_request_id(id);
    request_start_ = Clock::now();
    route_id_ = shared_->router.unmatched_route_id();
  }
  keep_alive_ = false;
  int code = 400;
  std::string_view code_text = "invalid_argument";
  std::string message;
  if (error == http::error::body_limit) {
    code = 413;
    code_text = "resource_exhausted";
    message = BodyLimitMessage();
  } else if (error == http::error::header_limit) {
    code = 431;
    code_text = "resource_exhausted";
    message = "request headers exceed the limit of " +
              std::to_string(shared_->options.max_header_bytes) + " bytes";
  } else {
    message = "malformed HTTP request: " + error.message();
  }
  if (core::LogEnabled(core::LogLevel::kDebug)) {
    core::LogDebug("http request rejected",
                   {{"request_id", request().request_id()}, {"status", code}, {"reason", message}});
  }
  state_ = State::kHandling;
  WriteResponse(LayerError(code, code_text, message));
}

bool HttpConnection::RouteHead() {
  routed_ = true;
  request_start_ = Clock::now();
  auto& message = parser_->get();
  HttpRequest& request = NextRequest();
  request.set_method(ToMethod(message.method()));
  request.SetTarget(message.target());
  for (const auto& field : message) request.AddHeader(field.name_string(), field.value());
  std::optional<std::string_view> incoming_id = request.Header("X-Request-Id");
  if (incoming_id && IsValidRequestId(*incoming_id)) {
    request.set_request_id(*incoming_id);
  } else {
    std::string id;
    worker_->request_ids.Next(&id);
    request.set_request_id(id);
  }
  // A body left unread cannot be told from the next request: an answer given
  // before the body is read closes the connection.
  keep_alive_ = message.keep_alive() && parser_->is_done();
  auto refuse = [&](HttpResponse response) {
    state_ = State::kHandling;
    WriteResponse(std::move(response));
    return false;
  };

  if (request.method() == Method::kOther) {
    // A method this server does not know at all (RFC 9110 §15.6.2); name the
    // method as sent, not "OTHER".
    route_id_ = shared_->router.unmatched_route_id();
    return refuse(LayerError(
        501, "not_implemented",
        "method " + std::string(message.method_string()) + " is not implemented by this server"));
  }
  RouteMatch match = shared_->router.Match(request.method(), request.path(), &request);
  route_id_ = match.route_id;
  switch (match.kind) {
    case RouteMatch::Kind::kFound: break;
    case RouteMatch::Kind::kNotFound:
      return refuse(HttpResponse::Error(core::NotFound(
          "no route for " + std::string(ToString(request.method())) + " " + request.path())));
    case RouteMatch::Kind::kMethodNotAllowed: {
      // 405 has no core::StatusCode of its own: the body keeps the one error
      // shape with code "method_not_allowed", decided here by the HTTP layer.
      HttpResponse response =
          LayerError(405, "method_not_allowed",
                     std::string(ToString(request.method())) + " is not allowed on " +
                         request.path() + "; allowed: " + match.allow);
      response.headers.emplace_back("Allow", std::move(match.allow));
      return refuse(std::move(response));
    }
  }
  if (const Authenticator* authenticator = shared_->options.authenticator;
      authenticator != nullptr && !match.access.is_public()) {
    core::Result<std::string> key_id = authenticator->Authorize(
        request.Header("authorization").value_or(""), match.access.scope());
    if (!key_id.ok()) {
      HttpResponse response = HttpResponse::Error(key_id.status());
      if (key_id.status().code() == core::StatusCode::kUnauthenticated) {
        response.headers.emplace_back("WWW-Authenticate", "Bearer");
      }
      return refuse(std::move(response));
    }
    request.set_api_key_id(std::move(*key_id));
  }
  handler_ = match.handler;
  body_to_file_ = match.body_mode == BodyMode::kToFile;
  if (body_to_file_) message.body().limit = shared_->options.max_upload_bytes;
  if (boost::optional<uint64_t> length = parser_->content_length();
      length && *length > message.body().limit) {
    // Refused by its announced length, before a byte of it is read.
    return refuse(LayerError(413, "resource_exhausted", BodyLimitMessage()));
  }
  if (body_to_file_) {
    if (shared_->options.upload_dir.empty()) {
      return refuse(HttpResponse::Error(
          core::Unavailable("this server takes no uploads (no upload directory configured)")));
    }
    core::Result<UploadFile> file = UploadFile::Create(shared_->options.upload_dir);
    if (!file.ok()) return refuse(HttpResponse::Error(file.status()));
    upload_.emplace(std::move(*file));
    message.body().file = &*upload_;
  }
  if (!parser_->is_done() && request.Header("expect").value_or("") == "100-continue") {
    // The client waits for this before it sends the body (RFC 9110 §10.1.1).
    // It fits any send buffer; if the write cannot finish now the client
    // sends its body after its own timeout anyway.
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    error_code ignored;
    asio::write(socket_, asio::buffer(kContinue.data(), kContinue.size()), ignored);
  }
  return true;
}

std::string HttpConnection::BodyLimitMessage() const {
  return "request body exceeds the limit of " + std::to_string(parser_->get().body().limit) +
         " bytes" + (body_to_file_ ? " for uploads" : "");
}

void HttpConnection::Dispatch() {
  keep_alive_ = parser_->get().keep_alive();
  state_ = State::kHandling;
  HttpRequest& request = this->request();
  if (upload_) {
    request.set_body_file(upload_->Release());
    upload_.reset();
  } else {
    request.mutable_body().swap(parser_->get().body().text);
    // Every in-memory body is a JSON document (or nothing); one nested deep
    // enough to exhaust a handler's stack is refused here, for all routes.
    if (core::Status nesting = CheckJsonNesting(request.body()); !nesting.ok()) {
      WriteResponse(HttpResponse::Error(nesting));
      return;
    }
  }
  RunHandler(*handler_);
}

}  // namespace modelhost::api::internal

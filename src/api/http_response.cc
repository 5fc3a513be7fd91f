#include "api/http_response.h"

#include "api/error_body.h"
#include "api/event_stream.h"

namespace modelhost::api {

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = kJsonContentType;
  response.body = std::move(body);
  return response;
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(body);
  return response;
}

HttpResponse HttpResponse::Empty(int status) {
  HttpResponse response;
  response.status = status;
  return response;
}

HttpResponse HttpResponse::Error(const core::Status& status) {
  return Json(HttpStatusFor(status), ErrorBodyJson(status));
}

HttpResponse HttpResponse::Stream(std::shared_ptr<EventStream> stream) {
  HttpResponse response;
  response.status = 200;
  response.content_type = "text/event-stream";
  response.stream = std::move(stream);
  return response;
}

HttpResponse HttpResponse::ByteStream(std::string content_type,
                                      std::shared_ptr<EventStream> stream) {
  HttpResponse response;
  response.status = 200;
  response.content_type = std::move(content_type);
  response.stream = std::move(stream);
  return response;
}

}  // namespace modelhost::api

#include "api/http_server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "api/authenticator.h"
#include "api/error_body.h"
#include "api/event_stream.h"
#include "api/system_routes.h"
#include "store/metadata_store.h"
#include "test_http_client.h"

namespace modelhost::api {
namespace {

using testing::ParsedResponse;
using testing::TestHttpClient;

std::string ErrorCode(const ParsedResponse& response) {
  return nlohmann::json::parse(response.body)["error"]["code"];
}

class HttpServerTest : public ::testing::Test {
 protected:
  // Starts a server on an ephemeral loopback port with `router` plus the
  // system routes and a few test routes.
  void StartServer(HttpServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    AddSystemRoutes(router_, {.ready = [this] { return ready_.load(); }, .metrics = &metrics_});
    router_
        .Add(Method::kPost, "/echo", Access::Public(), SyncHandler([](const HttpRequest& request) {
               return HttpResponse::Text(200, request.body());
             }))
        .Add(Method::kGet, "/throw", Access::Public(),
             SyncHandler(
                 [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); }))
        .Add(Method::kGet, "/drop", Access::Public(), Handler([](HttpRequest&, Responder) {}))
        .Add(Method::kGet, "/models/{name}:predict", Access::Public(),
             SyncHandler([](const HttpRequest& request) {
               return HttpResponse::Text(200, "predict " + std::string(request.PathParam("name")));
             }));
    auto server = HttpServer::Start(options, std::move(router_), &metrics_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  std::optional<ParsedResponse> Get(const std::string& target) {
    TestHttpClient client(server_->port());
    if (!client.Get(target)) return std::nullopt;
    return client.ReadResponse();
  }

  core::MetricsRegistry metrics_;
  Router router_;
  std::atomic<bool> ready_{true};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.connected());
  for (int request = 0; request < 3; ++request) {
    std::string body = "payload " + std::to_string(request);
    ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << "request " << request;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, body);
    EXPECT_NE(response->Header("connection"), "close");
  }
}

TEST_F(HttpServerTest, SystemRoutes) {
  StartServer();
  auto live = Get("/v2/health/live");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  EXPECT_EQ(live->body, "");

  auto ready = Get("/v2/health/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  ready_ = false;
  auto not_ready = Get("/v2/health/ready");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_EQ(ErrorCode(*not_ready), "unavailable");

  auto metadata = Get("/v2");
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->status, 200);
  EXPECT_EQ(metadata->Header("content-type"), "application/json");
  auto json = nlohmann::json::parse(metadata->body);
  EXPECT_EQ(json["name"], "modelhost");
  EXPECT_TRUE(json["extensions"].is_array());
}

TEST_F(HttpServerTest, UnknownRouteIs404Json) {
  StartServer();
  auto response = Get("/nowhere");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_EQ(ErrorCode(*response), "not_found");
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  StartServer();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Send("DELETE /v2 HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->Header("allow"), "GET");
  EXPECT_EQ(ErrorCode(*response), "method_not_allowed");
}

// D2: an unknown method is 501 and its message names the method as sent.
TEST_F(HttpServerTest, UnknownMethodIs501NamingTheMethod) {
  StartServer();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Send("BREW /v2 HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 501);
  EXPECT_EQ(ErrorCode(*response), "not_implemented");
  auto body = nlohmann::json::parse(response->body);
  EXPECT_NE(body["error"]["message"].get<std::string>().find("BREW"), std::string::npos)
      << response->body;
}

TEST_F(HttpServerTest, MethodNotAllowedBodyIsTheOneErrorShape) {
  StartServer();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Send("PUT /v2 HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->body,
            ErrorBodyJson("method_not_allowed", "PUT is not allowed on /v2; allowed: GET"));
}

TEST_F(HttpServerTest, RoutesVerbSuffixWithParams) {
  StartServer();
  auto response = Get("/models/pima:predict");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "predict pima");
}

TEST_F(HttpServerTest, BodyOverLimitIs413AndCloses) {
  HttpServerOptions options;
  options.max_body_bytes = 16;
  StartServer(options);
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n" +
                          std::string(100, 'x')));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(ErrorCode(*response), "resource_exhausted");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, MalformedRequestIs400AndCloses) {
  StartServer();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Send("THIS IS NOT HTTP\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(ErrorCode(*response), "invalid_argument");
  EXPECT_FALSE(response->Header("x-request-id").empty());
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, OversizedHeadersAre431) {
  HttpServerOptions options;
  options.max_header_bytes = 256;
  StartServer(options);
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Get("/v2", "X-Big: " + std::string(1000, 'a') + "\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, RequestIdIsEchoedWhenSaneAndGeneratedOtherwise) {
  StartServer();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Get("/v2", "X-Request-Id: abc-123_x.y\r\n"));
  auto echoed = client.ReadResponse();
  ASSERT_TRUE(echoed);
  EXPECT_EQ(echoed->Header("x-request-id"), "abc-123_x.y");

  ASSERT_TRUE(client.Get("/v2", "X-Request-Id: bad id with spaces\r\n"));
  auto replaced = client.ReadResponse();
  ASSERT_TRUE(replaced);
  EXPECT_NE(replaced->Header("x-request-id"), "bad id with spaces");
  EXPECT_EQ(replaced->Header("x-request-id").size(), 16u);

  ASSERT_TRUE(client.Get("/v2"));
  auto generated = client.ReadResponse();
  ASSERT_TRUE(generated);
  EXPECT_EQ(generated->Header("x-request-id").size(), 16u);
  EXPECT_NE(generated->Header("x-request-id"), replaced->Header("x-request-id"));
}

TEST_F(HttpServerTest, ThrowingHandlerIs500JsonAndConnectionSurvives) {
  StartServer();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Get("/throw", "X-Request-Id: req-42\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(ErrorCode(*response), "internal");
  EXPECT_NE(response->body.find("req-42"), std::string::npos);
  ASSERT_TRUE(client.Get("/v2/health/live"));
  auto next = client.ReadResponse();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(HttpServerTest, DroppedResponderIs500) {
  StartServer();
  auto response = Get("/drop");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(ErrorCode(*response), "internal");
}

TEST_F(HttpServerTest, HandlerAnswersAsynchronouslyFromAnotherThread) {
  std::promise<Responder> handed_off;
  router_.Add(Method::kPost, "/async", Access::Public(),
              Handler([&](HttpRequest& request, Responder responder) {
                // The request stays valid until the answer; read it on the worker.
                std::thread([&request, responder = std::move(responder)]() mutable {
                  responder.Respond(HttpResponse::Text(202, "async " + request.body()));
                }).detach();
              }));
  StartServer();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Send("POST /async HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(response->body, "async hi");
}

struct HeldRequest {
  HttpRequest* request;
  Responder responder;
};

// B2a: the drain timeout closes the connection while a handler thread still
// holds its request; the request stays readable until the Responder is used
// (it used to be destroyed with the connection: ASan heap-use-after-free).
TEST_F(HttpServerTest, RequestOutlivesDrainTimeoutWhileItsResponderIsHeld) {
  std::promise<HeldRequest> held;
  router_.Add(Method::kPost, "/hold", Access::Public(),
              Handler([&](HttpRequest& request, Responder responder) {
                held.set_value({&request, std::move(responder)});
              }));
  HttpServerOptions options;
  options.drain_timeout = std::chrono::milliseconds(50);
  StartServer(options);
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Send(
      "POST /hold?x=1 HTTP/1.1\r\nHost: t\r\nX-Tag: t1\r\nContent-Length: 7\r\n\r\npayload"));
  HeldRequest in_flight = held.get_future().get();
  server_->Shutdown();  // times out and closes the connection
  EXPECT_TRUE(client.WaitForClose());
  std::string seen;
  std::thread handler_thread([&] {
    const HttpRequest& request = *in_flight.request;
    seen = request.path() + "|" + request.query() + "|" + request.body() + "|" +
           std::string(request.Header("X-Tag").value_or("")) + "|" +
           std::string(request.Header("x-request-id").value_or("-"));
    in_flight.responder.Respond(HttpResponse::Text(200, "late"));
  });
  handler_thread.join();
  EXPECT_EQ(seen, "/hold|x=1|payload|t1|-");
}

// B2b: a handler hands its Responder and request to another thread, then
// throws. The server answers 500 once, the late answer is dropped, and the
// other thread still reads its own request while the connection serves the
// next one (it used to be cleared and refilled with the next request).
TEST_F(HttpServerTest, ThrowAfterHandoffAnswersOnceAndKeepsTheRequest) {
  std::promise<HeldRequest> held;
  router_.Add(Method::kPost, "/handoff", Access::Public(),
              Handler([&](HttpRequest& request, Responder responder) {
                held.set_value({&request, std::move(responder)});
                throw std::runtime_error("after handoff");
              }));
  StartServer();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Send("POST /handoff HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nfirst"));
  auto failed = client.ReadResponse();
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  HeldRequest other = held.get_future().get();

  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nsecond"));
  auto echoed = client.ReadResponse();
  ASSERT_TRUE(echoed);
  EXPECT_EQ(echoed->body, "second");

  // "Another thread" (this one) still reads the request it was handed.
  EXPECT_EQ(other.request->path(), "/handoff");
  EXPECT_EQ(other.request->body(), "first");
  other.responder.Respond(HttpResponse::Text(200, "late answer"));

  // The late answer was dropped: the next response is the next request's.
  ASSERT_TRUE(client.Get("/v2/health/live"));
  auto next = client.ReadResponse();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "");
}

TEST_F(HttpServerTest, EventStreamDeliversEventsInOrderAndEndsOnClose) {
  std::promise<std::shared_ptr<EventStream>> opened;
  router_.Add(Method::kGet, "/events", Access::Public(), SyncHandler([&](const HttpRequest&) {
                auto stream = EventStream::Create();
                opened.set_value(stream);
                return HttpResponse::Stream(stream);
              }));
  StartServer();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Get("/events"));
  std::shared_ptr<EventStream> stream = opened.get_future().get();
  // Produce from another thread, as a training job would.
  std::thread producer([stream] {
    for (int epoch = 1; epoch <= 3; ++epoch) {
      stream->Send("progress", "{\"epoch\":" + std::to_string(epoch) + "}");
    }
    stream->Send("", "line1\nline2");
    stream->Close();
  });
  auto response = client.ReadResponse();  // reads the whole chunked body to the last chunk
  producer.join();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("content-type"), "text/event-stream");
  EXPECT_EQ(response->body,
            "event: progress\ndata: {\"epoch\":1}\n\n"
            "event: progress\ndata: {\"epoch\":2}\n\n"
            "event: progress\ndata: {\"epoch\":3}\n\n"
            "data: line1\ndata: line2\n\n");
  EXPECT_FALSE(stream->Send("late", "x"));
}

TEST_F(HttpServerTest, QuietEventStreamsGetKeepAliveCommentsAndByteStreamsDoNot) {
  std::promise<std::shared_ptr<EventStream>> sse_opened;
  std::promise<std::shared_ptr<EventStream>> bytes_opened;
  std::promise<std::shared_ptr<EventStream>> untyped_opened;
  router_
      .Add(Method::kGet, "/events", Access::Public(), SyncHandler([&](const HttpRequest&) {
             auto stream = EventStream::Create();
             sse_opened.set_value(stream);
             return HttpResponse::Stream(stream);
           }))
      .Add(Method::kGet, "/bytes", Access::Public(), SyncHandler([&](const HttpRequest&) {
             auto stream = EventStream::Create();
             bytes_opened.set_value(stream);
             return HttpResponse::ByteStream("application/octet-stream", stream);
           }))
      .Add(Method::kGet, "/untyped", Access::Public(), SyncHandler([&](const HttpRequest&) {
             // No content type: sent as text/event-stream, so it is SSE too.
             auto stream = EventStream::Create();
             untyped_opened.set_value(stream);
             HttpResponse response;
             response.stream = stream;
             return response;
           }));
  StartServer({.event_stream_keepalive = std::chrono::milliseconds(40)});
  TestHttpClient events(server_->port());
  TestHttpClient bytes(server_->port());
  TestHttpClient untyped(server_->port());
  ASSERT_TRUE(events.Get("/events"));
  ASSERT_TRUE(bytes.Get("/bytes"));
  ASSERT_TRUE(untyped.Get("/untyped"));
  std::shared_ptr<EventStream> sse = sse_opened.get_future().get();
  std::shared_ptr<EventStream> raw = bytes_opened.get_future().get();
  std::shared_ptr<EventStream> plain = untyped_opened.get_future().get();
  // Several keep-alive periods with nothing to send, an event, then more quiet.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  sse->Send("progress", "{\"epoch\":1}");
  raw->Write("abc");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  sse->Close();
  raw->Close();
  plain->Close();
  auto sse_response = events.ReadResponse();
  auto bytes_response = bytes.ReadResponse();
  auto untyped_response = untyped.ReadResponse();
  ASSERT_TRUE(untyped_response);
  EXPECT_EQ(untyped_response->body.rfind(": keep-alive\n\n", 0), 0u) << untyped_response->body;
  ASSERT_TRUE(sse_response);
  ASSERT_TRUE(bytes_response);
  const std::string& body = sse_response->body;
  const std::string kEvent = "event: progress\ndata: {\"epoch\":1}\n\n";
  const std::string kComment = ": keep-alive\n\n";
  const size_t event = body.find(kEvent);
  ASSERT_NE(event, std::string::npos) << body;
  // Comments before and after the event, and nothing but comments around it.
  EXPECT_EQ(body.find(kComment), 0u) << body;
  EXPECT_NE(body.find(kComment, event), std::string::npos) << body;
  std::string rest = body.substr(0, event) + body.substr(event + kEvent.size());
  for (size_t at = rest.find(kComment); at != std::string::npos; at = rest.find(kComment)) {
    rest.erase(at, kComment.size());
  }
  EXPECT_EQ(rest, "") << body;
  EXPECT_EQ(bytes_response->body, "abc");
}

// Occurrences of header `name` (case-insensitive) in a raw response head.
int CountHeader(std::string head, std::string name) {
  for (char& c : head) c = static_cast<char>(tolower(c));
  for (char& c : name) c = static_cast<char>(tolower(c));
  int count = 0;
  for (size_t at = head.find("\r\n" + name + ":"); at != std::string::npos;
       at = head.find("\r\n" + name + ":", at + 1)) {
    ++count;
  }
  return count;
}

// B5 + D1: a stream's head comes from the same renderer as a buffered one: the
// real reason phrase, and no duplicates of the headers the server owns.
TEST_F(HttpServerTest, EventStreamHeadFiltersServerOwnedHeaders) {
  std::promise<std::shared_ptr<EventStream>> opened;
  router_.Add(Method::kGet, "/events", Access::Public(), SyncHandler([&](const HttpRequest&) {
                auto stream = EventStream::Create();
                opened.set_value(stream);
                HttpResponse response = HttpResponse::Stream(stream);
                response.status = 201;
                response.headers = {{"Content-Type", "text/plain"}, {"connection", "keep-alive"},
                                    {"Transfer-Encoding", "gzip"},  {"X-Request-Id", "forged"},
                                    {"Content-Length", "5"},        {"X-Custom", "kept"}};
                return response;
              }));
  StartServer();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Get("/events", "X-Request-Id: mine\r\n"));
  auto stream = opened.get_future().get();
  auto raw = client.ReadUntil("\r\n\r\n");
  ASSERT_TRUE(raw);
  std::string head = raw->substr(0, raw->find("\r\n\r\n") + 2);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 201 Created\r\n")) << head;
  EXPECT_EQ(CountHeader(head, "Content-Type"), 1) << head;
  EXPECT_EQ(CountHeader(head, "Connection"), 1) << head;
  EXPECT_EQ(CountHeader(head, "Transfer-Encoding"), 1) << head;
  EXPECT_EQ(CountHeader(head, "X-Request-Id"), 1) << head;
  EXPECT_EQ(CountHeader(head, "Content-Length"), 0) << head;
  EXPECT_EQ(CountHeader(head, "Cache-Control"), 1) << head;
  EXPECT_EQ(CountHeader(head, "X-Custom"), 1) << head;
  stream->Send("e", "1");
  stream->Close();
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("content-type"), "text/event-stream");
  EXPECT_EQ(response->Header("transfer-encoding"), "chunked");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_EQ(response->Header("x-request-id"), "mine");
  EXPECT_EQ(response->body, "event: e\ndata: 1\n\n");
}

TEST_F(HttpServerTest, EventStreamWithInvalidStatusIs500) {
  std::promise<std::shared_ptr<EventStream>> opened;
  router_.Add(Method::kGet, "/events", Access::Public(), SyncHandler([&](const HttpRequest&) {
                auto stream = EventStream::Create();
                opened.set_value(stream);
                HttpResponse response = HttpResponse::Stream(stream);
                response.status = 1000;
                return response;
              }));
  StartServer();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Get("/events"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(ErrorCode(*response), "internal");
  EXPECT_TRUE(opened.get_future().get()->client_gone());
}

TEST_F(HttpServerTest, EventStreamProducerSeesClientGone) {
  std::promise<std::shared_ptr<EventStream>> opened;
  router_.Add(Method::kGet, "/events", Access::Public(), SyncHandler([&](const HttpRequest&) {
                auto stream = EventStream::Create();
                opened.set_value(stream);
                return HttpResponse::Stream(stream);
              }));
  StartServer();
  auto client = std::make_unique<TestHttpClient>(server_->port());
  ASSERT_TRUE(client->Get("/events"));
  std::shared_ptr<EventStream> stream = opened.get_future().get();
  ASSERT_TRUE(stream->Send("hello", "1"));
  ASSERT_TRUE(client->ReadUntil("data: 1\n\n"));
  client.reset();  // the client goes away
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!stream->client_gone() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_TRUE(stream->client_gone());
  EXPECT_FALSE(stream->Send("hello", "2"));
}

TEST_F(HttpServerTest, ShutdownLetsInFlightRequestCompleteAndClosesIdleConnections) {
  std::promise<Responder> in_flight;
  router_.Add(Method::kGet, "/slow", Access::Public(),
              Handler([&](HttpRequest&, Responder responder) {
                in_flight.set_value(std::move(responder));
              }));
  StartServer();
  TestHttpClient idle(server_->port());
  ASSERT_TRUE(idle.Get("/v2/health/live"));
  ASSERT_TRUE(idle.ReadResponse());  // now an idle keep-alive connection

  TestHttpClient busy(server_->port());
  ASSERT_TRUE(busy.Get("/slow"));
  Responder responder = in_flight.get_future().get();

  std::thread shutdown([this] { server_->Shutdown(); });
  // The drain has begun once the idle connection is closed by the server.
  EXPECT_TRUE(idle.WaitForClose());
  responder.Respond(HttpResponse::Text(200, "finished"));
  auto response = busy.ReadResponse();
  // As a client does on "Connection: close"; the server lingers (at most
  // linger_timeout) until then, so its response is not reset.
  busy.Close();
  shutdown.join();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "finished");
  EXPECT_EQ(response->Header("connection"), "close");
  // New connections are refused once Shutdown returned.
  TestHttpClient late(server_->port());
  EXPECT_FALSE(late.connected());
}

// B1: a Responder kept past the server's destruction must be a no-op (it used
// to ask the destroyed io_context whether it ran on its thread; ASan reports
// that as a heap-use-after-free).
TEST_F(HttpServerTest, ResponderUsedAfterServerDestroyedIsHarmless) {
  std::promise<Responder> handed_off;
  router_.Add(Method::kGet, "/slow", Access::Public(),
              Handler([&](HttpRequest&, Responder responder) {
                handed_off.set_value(std::move(responder));
              }));
  HttpServerOptions options;
  options.drain_timeout = std::chrono::milliseconds(50);
  StartServer(options);
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Get("/slow"));
  Responder first = handed_off.get_future().get();
  server_.reset();  // the drain times out; the connection and its loop are destroyed
  first.Respond(HttpResponse::Text(200, "too late"));
  EXPECT_FALSE(first);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, ShutdownEndsOpenEventStreams) {
  std::promise<std::shared_ptr<EventStream>> opened;
  router_.Add(Method::kGet, "/events", Access::Public(), SyncHandler([&](const HttpRequest&) {
                auto stream = EventStream::Create();
                opened.set_value(stream);
                return HttpResponse::Stream(stream);
              }));
  HttpServerOptions options;
  options.drain_timeout = std::chrono::seconds(30);
  StartServer(options);
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Get("/events"));
  auto stream = opened.get_future().get();
  ASSERT_TRUE(stream->Send("a", "1"));
  auto start = std::chrono::steady_clock::now();
  server_->Shutdown();
  // The stream ended the drain, not the timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - start, options.drain_timeout);
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "event: a\ndata: 1\n\n");
  EXPECT_TRUE(stream->client_gone());
}

// A byte stream (an export) still being produced when the drain begins must
// not end with the last chunk: its client would take half a file for a whole.
TEST_F(HttpServerTest, ShutdownCutsAnUnfinishedByteStreamShort) {
  std::promise<std::shared_ptr<EventStream>> opened;
  router_.Add(Method::kGet, "/export", Access::Public(), SyncHandler([&](const HttpRequest&) {
                auto stream = EventStream::Create();
                opened.set_value(stream);
                return HttpResponse::ByteStream("text/csv", stream);
              }));
  HttpServerOptions options;
  options.drain_timeout = std::chrono::seconds(30);
  StartServer(options);
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Get("/export"));
  auto stream = opened.get_future().get();
  ASSERT_TRUE(stream->Write("a,b\n1,2\n"));
  // The whole chunk, its closing CRLF included.
  ASSERT_TRUE(client.ReadUntil("a,b\n1,2\n\r\n"));
  auto start = std::chrono::steady_clock::now();
  server_->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, options.drain_timeout);
  EXPECT_TRUE(stream->client_gone());
  EXPECT_FALSE(stream->Write("3,4\n"));
  stream->Close();  // too late: the stream was cut short
  // Then the connection closed, without the last chunk ("0\r\n\r\n").
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, IdleTimeoutClosesConnection) {
  HttpServerOptions options;
  options.idle_timeout = std::chrono::milliseconds(50);
  StartServer(options);
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Get("/v2/health/live"));
  ASSERT_TRUE(client.ReadResponse());
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, MetricsCountRequestsByRouteMethodAndCode) {
  StartServer();
  ASSERT_TRUE(Get("/v2"));
  ASSERT_TRUE(Get("/v2"));
  ASSERT_TRUE(Get("/nowhere/at/all"));
  auto response = Get("/metrics");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = response->body;
  EXPECT_NE(text.find(R"(modelhost_http_requests_total{route="/v2",method="GET",code="200"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find(R"(modelhost_http_requests_total{route="unmatched",method="GET",code="404"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(modelhost_http_request_duration_seconds_count{route="/v2"} 2)"),
            std::string::npos)
      << text;
}

// T1: a request whose response arrived is already counted when /metrics is
// rendered, even on the other I/O thread (metrics used to be recorded after
// the write returned, racing a scrape on the other thread).
// Sends `bytes` one at a time, `gap` apart, until the server closes the
// connection; returns how long that took, or nullopt if it never did
// within `limit`.
std::optional<std::chrono::milliseconds> TrickleUntilClosed(TestHttpClient& client,
                                                            const std::string& bytes,
                                                            std::chrono::milliseconds gap,
                                                            std::chrono::milliseconds limit) {
  auto start = std::chrono::steady_clock::now();
  for (size_t index = 0; std::chrono::steady_clock::now() - start < limit; ++index) {
    if (!client.Send(std::string(1, bytes[index % bytes.size()])) || client.ClosedWithin(gap)) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
    }
  }
  return std::nullopt;
}

// B6: headers trickled a byte at a time are cut off by the header timeout
// (they used to be bounded only by the 60 s idle timeout).
TEST_F(HttpServerTest, HeaderTimeoutClosesATricklingClient) {
  HttpServerOptions options;
  options.header_timeout = std::chrono::milliseconds(200);
  StartServer(options);
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Send("GET /v2 HTTP/1.1\r\nHost: t\r\n"));
  auto closed_after = TrickleUntilClosed(client, "X-Slow: abcdefgh\r\n",
                                         std::chrono::milliseconds(20), std::chrono::seconds(5));
  ASSERT_TRUE(closed_after) << "still open after 5 s";
  EXPECT_GE(closed_after->count(), 150);
}

TEST_F(HttpServerTest, HeaderTimeoutDoesNotCutAnIdleKeepAliveConnection) {
  HttpServerOptions options;
  options.header_timeout = std::chrono::milliseconds(50);
  StartServer(options);
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Get("/v2/health/live"));
  ASSERT_TRUE(client.ReadResponse());
  EXPECT_FALSE(client.ClosedWithin(std::chrono::milliseconds(300)));
  ASSERT_TRUE(client.Get("/v2/health/live"));
  auto again = client.ReadResponse();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

// B6: lingering after a 413 ends at the linger timeout however long the
// client keeps sending (each read used to re-arm it).
TEST_F(HttpServerTest, LingerAfter413IsBoundedWhileTheClientKeepsSending) {
  HttpServerOptions options;
  options.max_body_bytes = 16;
  options.linger_timeout = std::chrono::milliseconds(200);
  StartServer(options);
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n" +
                          std::string(100, 'x')));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  // The server half-closed at once (EOF here); it is fully closed once a send
  // fails (a send after its close draws a reset).
  EXPECT_TRUE(client.WaitForClose());
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  while (!closed && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    closed = !client.Send("x");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(closed) << "still lingering after 5 s";
}

// B8: a response finished while draining is followed by a half-close and a
// bounded linger, not close() with unread pipelined bytes (a reset that could
// destroy the end of the response still in flight).
TEST_F(HttpServerTest, DrainingCloseDoesNotResetAResponseWithUnreadPipelinedBytes) {
  std::promise<Responder> in_flight;
  router_.Add(Method::kGet, "/slow", Access::Public(),
              Handler([&](HttpRequest&, Responder responder) {
                in_flight.set_value(std::move(responder));
              }));
  StartServer();
  TestHttpClient idle(server_->port());
  ASSERT_TRUE(idle.Get("/v2/health/live"));
  ASSERT_TRUE(idle.ReadResponse());

  TestHttpClient busy(server_->port());
  ASSERT_TRUE(busy.Get("/slow"));
  Responder responder = in_flight.get_future().get();
  // Pipelined while the handler runs: the server is not reading, so these
  // bytes stay unread in its socket.
  ASSERT_TRUE(busy.Get("/v2/health/live"));

  std::thread shutdown([this] { server_->Shutdown(); });
  EXPECT_TRUE(idle.WaitForClose());  // the drain has begun
  const std::string body(8 * 1024 * 1024, 'b');
  responder.Respond(HttpResponse::Text(200, body));
  auto response = busy.ReadResponse();
  busy.Close();  // ends the server's linger
  shutdown.join();
  ASSERT_TRUE(response) << "the response was cut off";
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), body.size());
  EXPECT_EQ(response->Header("connection"), "close");
}

TEST_F(HttpServerTest, MetricsCountARequestBeforeItsResponseArrives) {
  HttpServerOptions options;
  options.io_threads = 2;
  StartServer(options);
  for (int round = 1; round <= 200; ++round) {
    ASSERT_TRUE(Get("/v2/health/live"));
    auto response = Get("/metrics");  // the next connection: the other I/O thread
    ASSERT_TRUE(response);
    const std::string expected = R"(modelhost_http_requests_total{route="/v2/health/live",)"
                                 R"(method="GET",code="200"} )" +
                                 std::to_string(round) + "\n";
    ASSERT_NE(response->body.find(expected), std::string::npos) << "round " << round;
  }
}

TEST_F(HttpServerTest, BindingAPortInUseFailsWithClearStatus) {
  StartServer();
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = server_->port();
  auto second = HttpServer::Start(options, Router(), nullptr);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), core::StatusCode::kUnavailable);
  std::string where = "127.0.0.1:" + std::to_string(server_->port());
  EXPECT_NE(second.status().message().find(where), std::string::npos) << second.status().message();
  EXPECT_NE(second.status().message().find("in use"), std::string::npos)
      << second.status().message();
}

TEST(HttpServerStartTest, RejectsRouterWithBadRoute) {
  Router router;
  router.Add(Method::kGet, "no-slash", Access::Public(),
             SyncHandler([](const HttpRequest&) { return HttpResponse::Empty(200); }));
  HttpServerOptions options;
  options.port = 0;
  auto server = HttpServer::Start(options, std::move(router), nullptr);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(HttpServerStartTest, UnresolvableHostFails) {
  HttpServerOptions options;
  options.host = "no-such-host.invalid";
  options.port = 0;
  auto server = HttpServer::Start(options, Router(), nullptr);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("no-such-host.invalid:0"), std::string::npos)
      << server.status().message();
}

}  // namespace
}  // namespace modelhost::api

namespace modelhost::api {
namespace {

class HttpServerAuthTest : public HttpServerTest {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::path(::testing::TempDir()) / "http_server_auth";
    std::filesystem::remove_all(directory_);
    auto store = store::OpenSqliteMetadataStore(directory_.string());
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    auto authenticator = Authenticator::Load(store_.get());
    ASSERT_TRUE(authenticator.ok());
    authenticator_ = std::move(*authenticator);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(directory_);
  }

  std::optional<ParsedResponse> GetWithKey(const std::string& target, const std::string& key) {
    TestHttpClient client(server_->port());
    if (!client.Send("GET " + target + " HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + key +
                     "\r\n\r\n")) {
      return std::nullopt;
    }
    return client.ReadResponse();
  }

  std::filesystem::path directory_;
  std::unique_ptr<store::MetadataStore> store_;
  std::unique_ptr<Authenticator> authenticator_;
};

TEST_F(HttpServerAuthTest, RoutesAnswerOnlyKeysWithTheirScope) {
  auto reader = authenticator_->CreateKey("reader", {Scope::kRead});
  auto predictor = authenticator_->CreateKey("predictor", {Scope::kPredict});
  ASSERT_TRUE(reader.ok() && predictor.ok());
  std::string seen_key_id;
  router_.Add(Method::kGet, "/whoami", Access::Requires(Scope::kPredict),
              SyncHandler([&](const HttpRequest& request) {
                seen_key_id = request.api_key_id();
                return HttpResponse::Empty(204);
              }));
  HttpServerOptions options;
  options.authenticator = authenticator_.get();
  StartServer(options);

  auto live = Get("/v2/health/live");  // public
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);

  auto anonymous = Get("/v2");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->Header("www-authenticate"), "Bearer");
  EXPECT_EQ(ErrorCode(*anonymous), "unauthenticated");

  auto metadata = GetWithKey("/v2", reader->text);
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->status, 200);

  auto forbidden = GetWithKey("/whoami", reader->text);
  ASSERT_TRUE(forbidden);
  EXPECT_EQ(forbidden->status, 403);
  EXPECT_EQ(ErrorCode(*forbidden), "permission_denied");
  EXPECT_EQ(seen_key_id, "");

  auto allowed = GetWithKey("/whoami", predictor->text);
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 204);
  EXPECT_EQ(seen_key_id, predictor->record.id);
}

}  // namespace
}  // namespace modelhost::api

// Upload routes (Router::AddUpload): bodies streamed to a file in the upload
// directory, their own size limit, refusals (no route, no key) answered from
// the head before any of the body is read, Expect: 100-continue, chunked
// bodies, and no file left behind by a finished, refused or abandoned upload.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "api/authenticator.h"
#include "api/http_server.h"
#include "store/metadata_store.h"
#include "test_http_client.h"

namespace modelhost::api {
namespace {

using testing::ParsedResponse;
using testing::TestHttpClient;

class HttpUploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        std::filesystem::path(::testing::TempDir()) /
        ("upload_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    uploads_ = (root_ / "uploads").string();
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(root_);
  }

  // Starts a server whose POST /upload answers with the size of the body
  // file, where the body was, and whether body() was empty.
  void Start(HttpServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.upload_dir = uploads_;
    Router router;
    router.AddUpload(Method::kPost, "/upload", Access::Requires(Scope::kWrite),
                     [this](HttpRequest& request, Responder responder) {
                       std::ifstream file(request.body_file(), std::ios::binary);
                       std::stringstream content;
                       content << file.rdbuf();
                       received_ = content.str();
                       body_file_ = request.body_file();
                       responder.Respond(HttpResponse::Text(
                           200, std::to_string(received_.size()) +
                                    (request.body().empty() ? " file" : " memory")));
                     });
    auto server = HttpServer::Start(options, std::move(router), nullptr);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }

  std::string Head(size_t length, const std::string& extra = "") {
    return "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(length) +
           "\r\n" + extra + "\r\n";
  }

  // Whether the upload directory becomes empty within a few seconds (a
  // request's file goes when the connection lets go of the request).
  bool UploadsEmptySoon() {
    for (int attempt = 0; attempt < 200; ++attempt) {
      if (std::filesystem::is_empty(uploads_)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::filesystem::path root_;
  std::string uploads_;
  std::unique_ptr<HttpServer> server_;
  std::string received_;
  std::string body_file_;
};

TEST_F(HttpUploadTest, ABodyLargerThanTheInMemoryLimitIsStreamedToAFile) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;  // in-memory bodies; uploads have their own limit
  Start(options);
  std::string body(3 << 20, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 131 % 251);
  {
    TestHttpClient client(server_->port());
    ASSERT_TRUE(client.Send(Head(body.size()) + body));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, std::to_string(body.size()) + " file");
    EXPECT_EQ(received_, body);
    EXPECT_EQ(std::filesystem::path(body_file_).parent_path(), uploads_);
  }
  EXPECT_TRUE(UploadsEmptySoon()) << "the request's file outlived the connection";
}

TEST_F(HttpUploadTest, AChunkedBodyIsStreamedToo) {
  Start();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(
      client.Send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(received_, "hello world");
}

TEST_F(HttpUploadTest, AnUploadOverItsLimitIs413AndLeavesNoFile) {
  HttpServerOptions options;
  options.max_upload_bytes = 1000;
  Start(options);
  {
    // By its Content-Length: refused before the body is sent.
    TestHttpClient client(server_->port());
    ASSERT_TRUE(client.Send(Head(5000)));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 413);
    EXPECT_NE(response->body.find("limit of 1000 bytes for uploads"), std::string::npos)
        << response->body;
  }
  {
    // Chunked: refused once the bytes pass the limit.
    TestHttpClient client(server_->port());
    ASSERT_TRUE(
        client.Send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "3e8\r\n" +
                    std::string(1000, 'x') + "\r\n1\r\ny\r\n0\r\n\r\n"));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 413);
  }
  EXPECT_TRUE(received_.empty());
  EXPECT_TRUE(UploadsEmptySoon());
}

TEST_F(HttpUploadTest, AClientThatGoesAwayMidUploadLeavesNoFile) {
  Start();
  {
    TestHttpClient client(server_->port());
    ASSERT_TRUE(client.Send(Head(1 << 20) + std::string(4096, 'x')));
    // Give the server time to create the file and write the first bytes.
    for (int attempt = 0; attempt < 200 && std::filesystem::is_empty(uploads_); ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_FALSE(std::filesystem::is_empty(uploads_));
  }
  EXPECT_TRUE(UploadsEmptySoon());
  EXPECT_TRUE(received_.empty());
}

TEST_F(HttpUploadTest, ExpectContinueIsAnsweredBeforeTheBodyIsSent) {
  Start();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Send(Head(5, "Expect: 100-continue\r\n")));
  auto interim = client.ReadResponse();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("hello"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(received_, "hello");
}

TEST_F(HttpUploadTest, StartRemovesFilesLeftByACrash) {
  std::filesystem::create_directories(uploads_);
  std::ofstream(std::filesystem::path(uploads_) / "upload-1-2-3.part") << "half a body";
  Start();
  EXPECT_TRUE(std::filesystem::is_empty(uploads_));
}

TEST_F(HttpUploadTest, ARefusedKeyIsAnsweredBeforeAnyOfTheBody) {
  auto store = store::OpenSqliteMetadataStore((root_ / "store").string());
  ASSERT_TRUE(store.ok());
  auto authenticator = Authenticator::Load(store->get());
  ASSERT_TRUE(authenticator.ok());
  auto reader = (*authenticator)->CreateKey("reader", {Scope::kRead});
  ASSERT_TRUE(reader.ok());
  HttpServerOptions options;
  options.authenticator = authenticator->get();
  Start(options);
  // Announces a gigabyte and sends none of it: the answers must not wait for it.
  for (const std::string& auth :
       {std::string(), "Authorization: Bearer " + reader->text + "\r\n"}) {
    TestHttpClient client(server_->port());
    ASSERT_TRUE(client.Send(Head(size_t{1} << 30, auth)));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, auth.empty() ? 401 : 403);
    EXPECT_EQ(response->Header("connection"), "close");
  }
  TestHttpClient unknown(server_->port());
  ASSERT_TRUE(unknown.Send("POST /nowhere HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n"));
  auto response = unknown.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 404);
  EXPECT_TRUE(std::filesystem::is_empty(uploads_));
}

TEST_F(HttpUploadTest, WithoutAnUploadDirectoryUploadRoutesAreRefused) {
  Router router;
  router.AddUpload(
      Method::kPost, "/upload", Access::Public(),
      [](HttpRequest&, Responder responder) { responder.Respond(HttpResponse::Empty(204)); });
  auto server = HttpServer::Start({.host = "127.0.0.1", .port = 0}, std::move(router), nullptr);
  ASSERT_TRUE(server.ok());
  TestHttpClient client((*server)->port());
  ASSERT_TRUE(client.Send(Head(3) + "abc"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 503);
}

}  // namespace
}  // namespace modelhost::api

// RegistryServerTest: the fixture of the registry and predict route tests — a
// fresh data directory with its metadata store, a real HttpServer on an
// ephemeral loopback port (no authentication) serving the routes a test
// adds, and one-request HTTP calls to it.
#ifndef MODELHOST_TESTS_UNIT_API_REGISTRY_SERVER_TEST_H_
#define MODELHOST_TESTS_UNIT_API_REGISTRY_SERVER_TEST_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "api/http_server.h"
#include "api/router.h"
#include "store/metadata_store.h"
#include "test_http_client.h"

namespace modelhost::api::testing {

class RegistryServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) /
            ("registry_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(root_);
    data_dir_ = (root_ / "data").string();
    auto store = store::OpenSqliteMetadataStore(data_dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(root_);
  }

  void StartServer(Router router) {
    auto server = HttpServer::Start({.host = "127.0.0.1", .port = 0}, std::move(router), nullptr);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }

  // One request on a fresh connection; an empty response when none came.
  ParsedResponse Call(const std::string& method, const std::string& target,
                      const std::string& body = "") {
    TestHttpClient client(server_->port());
    EXPECT_TRUE(client.Send(method + " " + target + " HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body));
    auto response = client.ReadResponse();
    EXPECT_TRUE(response.has_value()) << method << " " << target;
    return response.value_or(ParsedResponse{});
  }

  std::filesystem::path root_;
  std::string data_dir_;
  std::unique_ptr<store::MetadataStore> store_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace modelhost::api::testing

#endif  // MODELHOST_TESTS_UNIT_API_REGISTRY_SERVER_TEST_H_

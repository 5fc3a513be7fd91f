// GET /openapi.json from the real `modelhost serve`: the committed document
// (src/api/openapi.json) is what the binary serves, without a key, and the
// server answers what it documents. That every route is documented is
// checked by the server itself at start (api/openapi_routes.h), so every
// other integration test would fail on an undocumented route.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "server_process.h"

namespace modelhost::testing {
namespace {

using Json = nlohmann::json;

const std::string kDocumentFile = std::string(MODELHOST_TEST_DATA) + "/../../src/api/openapi.json";

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ =
        std::filesystem::path(::testing::TempDir()) /
        ("openapi_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(data_dir_);
  }
  void TearDown() override { std::filesystem::remove_all(data_dir_); }

  std::filesystem::path data_dir_;
};

// Every documented GET without path parameters, except the event streams.
std::vector<std::string> PlainGetPaths(const Json& document) {
  std::vector<std::string> paths;
  for (const auto& [path, item] : document["paths"].items()) {
    if (item.contains("get") && path.find('{') == std::string::npos) paths.push_back(path);
  }
  return paths;
}

TEST_F(OpenApiTest, ServesTheCommittedDocumentWithoutAKey) {
  std::ifstream file(kDocumentFile, std::ios::binary);
  ASSERT_TRUE(file.is_open()) << kDocumentFile;
  const std::string committed((std::istreambuf_iterator<char>(file)), {});

  ServerProcess server(data_dir_.string());
  ASSERT_NE(server.port(), 0);
  HttpReply reply = HttpRequest(server.port(), "GET", "/openapi.json");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.headers["content-type"], "application/json");
  EXPECT_EQ(reply.body, committed);

  // What it documents is there: each plain GET answers 200 with a key with
  // the scope it names, and 401 without one unless it is public.
  const Json document = Json::parse(reply.body);
  const std::vector<std::string> paths = PlainGetPaths(document);
  EXPECT_GT(paths.size(), 8u);
  for (const std::string& path : paths) {
    const bool is_public = document["paths"][path]["get"]["x-modelhost-scope"] == "public";
    EXPECT_EQ(HttpRequest(server.port(), "GET", path, "", server.AdminAuth()).status, 200) << path;
    EXPECT_EQ(HttpRequest(server.port(), "GET", path).status, is_public ? 200 : 401) << path;
  }
}

TEST_F(OpenApiTest, WithoutAuthenticationTheKeyRoutesAreNeitherServedNorDocumented) {
  ServerProcess server(data_dir_.string(), {"--auth", "off"});
  ASSERT_NE(server.port(), 0);
  HttpReply reply = HttpRequest(server.port(), "GET", "/openapi.json");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const Json document = Json::parse(reply.body);
  EXPECT_FALSE(document["paths"].contains("/v1/keys"));
  EXPECT_FALSE(document.contains("security"));
  EXPECT_EQ(HttpRequest(server.port(), "GET", "/v1/keys").status, 404);
  for (const std::string& path : PlainGetPaths(document)) {
    EXPECT_EQ(HttpRequest(server.port(), "GET", path).status, 200) << path;
  }
}

}  // namespace
}  // namespace modelhost::testing

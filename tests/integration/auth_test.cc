// API keys end to end against the real binary: the first admin key, scopes,
// key management over HTTP, persistence across a restart, and --auth=off.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "server_process.h"

namespace modelhost::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ =
        std::filesystem::path(::testing::TempDir()) /
        ("auth_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(data_dir_);
  }
  void TearDown() override { std::filesystem::remove_all(data_dir_); }

  std::filesystem::path data_dir_;
};

std::map<std::string, std::string> Bearer(const std::string& key) {
  return {{"Authorization", "Bearer " + key}};
}

TEST_F(AuthTest, FirstStartWritesAnOwnerOnlyAdminKeyThatManagesKeys) {
  std::string predict_key;
  std::string predict_id;
  {
    ServerProcess server(data_dir_.string());
    ASSERT_NE(server.port(), 0);
    const std::string key_file = (data_dir_ / "admin.key").string();
    struct stat info {};
    ASSERT_EQ(stat(key_file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    ASSERT_FALSE(server.AdminKey().empty());

    HttpReply anonymous = HttpRequest(server.port(), "GET", "/v1/keys");
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(anonymous.headers["www-authenticate"], "Bearer");
    EXPECT_EQ(HttpRequest(server.port(), "GET", "/metrics").status, 401);
    EXPECT_EQ(HttpRequest(server.port(), "GET", "/v2/health/live").status, 200);

    HttpReply created = HttpRequest(server.port(), "POST", "/v1/keys",
                                    R"({"name": "ci", "scopes": ["predict"]})", server.AdminAuth());
    ASSERT_EQ(created.status, 201) << created.body;
    Json key = Json::parse(created.body);
    predict_key = key["key"];
    predict_id = key["id"];
    EXPECT_EQ(key["scopes"], Json::array({"predict"}));

    // A predict key may not read metadata, nor manage keys.
    HttpReply denied = HttpRequest(server.port(), "GET", "/v2", "", Bearer(predict_key));
    EXPECT_EQ(denied.status, 403);
    EXPECT_THAT(denied.body, HasSubstr("lacks the 'read' scope"));
    EXPECT_EQ(HttpRequest(server.port(), "GET", "/v1/keys", "", Bearer(predict_key)).status, 403);

    HttpReply bad = HttpRequest(server.port(), "POST", "/v1/keys",
                                R"({"name": "x", "scopes": ["root"]})", server.AdminAuth());
    EXPECT_EQ(bad.status, 400);
    EXPECT_THAT(bad.body, HasSubstr("scopes[0]: unknown scope 'root'"));
    EXPECT_EQ(server.StopWith(SIGTERM), 0);
  }
  ServerProcess server(data_dir_.string());
  HttpReply listed = HttpRequest(server.port(), "GET", "/v1/keys", "", server.AdminAuth());
  ASSERT_EQ(listed.status, 200);
  Json keys = Json::parse(listed.body)["keys"];
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_FALSE(keys[1].contains("key"));  // the secret is never shown again
  EXPECT_THAT(listed.body, Not(HasSubstr(predict_key)));

  // The admin key cannot delete itself while it is the only one.
  std::string admin_id = keys[0]["id"];
  HttpReply last_admin =
      HttpRequest(server.port(), "DELETE", "/v1/keys/" + admin_id, "", server.AdminAuth());
  EXPECT_EQ(last_admin.status, 409);
  EXPECT_EQ(
      HttpRequest(server.port(), "DELETE", "/v1/keys/" + predict_id, "", server.AdminAuth()).status,
      204);
  EXPECT_EQ(
      HttpRequest(server.port(), "DELETE", "/v1/keys/" + predict_id, "", server.AdminAuth()).status,
      404);
}

TEST_F(AuthTest, AuthOffIsRefusedOffLoopbackAndLoudOnIt) {
  CommandResult refused = RunModelhost({"serve", "--host", "0.0.0.0", "--port", "0", "--data-dir",
                                        data_dir_.string(), "--auth", "off"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.stderr_text, HasSubstr("--auth=off is allowed only on a loopback host"));

  ServerProcess server(data_dir_.string(), {"--auth", "off"});
  ASSERT_NE(server.port(), 0);
  EXPECT_THAT(server.StderrText(), HasSubstr("authentication is off"));
  EXPECT_EQ(HttpRequest(server.port(), "GET", "/v2").status, 200);
  EXPECT_FALSE(std::filesystem::exists(data_dir_ / "admin.key"));
}

}  // namespace
}  // namespace modelhost::testing

namespace modelhost::testing {
namespace {

// Registry routes need keys: read for listing, write for changes.
TEST_F(AuthTest, RegistryRoutesNeedTheirScopes) {
  ServerProcess server(data_dir_.string());
  HttpReply reader = HttpRequest(server.port(), "POST", "/v1/keys",
                                 R"({"name": "r", "scopes": ["read"]})", server.AdminAuth());
  ASSERT_EQ(reader.status, 201);
  const std::string key = Json::parse(reader.body)["key"];
  EXPECT_EQ(HttpRequest(server.port(), "GET", "/v1/models").status, 401);
  HttpReply listed = HttpRequest(server.port(), "GET", "/v1/models", "", Bearer(key));
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(Json::parse(listed.body)["models"], Json::array());
  EXPECT_EQ(HttpRequest(server.port(), "PUT", "/v1/models/pima/aliases/production",
                        R"({"version": 1})", Bearer(key))
                .status,
            403);
  EXPECT_EQ(HttpRequest(server.port(), "PUT", "/v1/models/pima/aliases/production",
                        R"({"version": 1})", server.AdminAuth())
                .status,
            404);
}

}  // namespace
}  // namespace modelhost::testing

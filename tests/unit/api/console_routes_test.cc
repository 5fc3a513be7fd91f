#include "api/console_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/console_assets.h"
#include "api/http_server.h"
#include "core/metrics.h"
#include "test_http_client.h"

namespace modelhost::api {
namespace {

using ::testing::HasSubstr;
using testing::ParsedResponse;
using testing::TestHttpClient;

class ConsoleRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Router router;
    AddConsoleRoutes(router);
    auto server = HttpServer::Start({.host = "127.0.0.1", .port = 0}, std::move(router), &metrics_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  ParsedResponse Get(const std::string& target, const std::string& headers = "") {
    TestHttpClient client(server_->port());
    EXPECT_TRUE(client.Get(target, headers));
    std::optional<ParsedResponse> response = client.ReadResponse();
    EXPECT_TRUE(response.has_value()) << target;
    return response.value_or(ParsedResponse{});
  }

  core::MetricsRegistry metrics_;
  std::unique_ptr<HttpServer> server_;
};

std::string_view BodyOf(std::string_view name) {
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    if (asset.name == name) return asset.body;
  }
  return {};
}

TEST_F(ConsoleRoutesTest, RootIsTheIndexPageWithAStrictPolicy) {
  ParsedResponse page = Get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.body, BodyOf("index.html"));
  EXPECT_THAT(page.body, HasSubstr("<script"));
  const std::string policy = page.Header("content-security-policy");
  EXPECT_EQ(policy, kConsoleContentSecurityPolicy);
  EXPECT_THAT(policy, HasSubstr("script-src 'self'"));
  EXPECT_THAT(policy, Not(HasSubstr("unsafe-inline")));
  EXPECT_EQ(page.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(page.Header("cache-control"), "no-cache");
}

TEST_F(ConsoleRoutesTest, ServesEachAssetWithTheTypeOfItsExtension) {
  EXPECT_EQ(Get("/console/console.css").Header("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(Get("/console/app.js").Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/console/index.html").Header("content-type"), "text/html; charset=utf-8");
  // Debian's Chart.js, embedded at build time.
  ParsedResponse chart = Get("/console/chart.js");
  EXPECT_EQ(chart.status, 200);
  EXPECT_EQ(chart.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_THAT(chart.body.substr(0, 200), HasSubstr("Chart.js v"));
  EXPECT_FALSE(chart.Header("content-security-policy").empty());
}

TEST_F(ConsoleRoutesTest, AnUnknownAssetIs404Json) {
  for (const std::string target : {"/console/nope.js", "/console/", "/console/..%2Fapp.js"}) {
    ParsedResponse missing = Get(target);
    EXPECT_EQ(missing.status, 404) << target;
    EXPECT_EQ(nlohmann::json::parse(missing.body)["error"]["code"], "not_found") << target;
  }
  EXPECT_THAT(Get("/console/nope.js").body, HasSubstr("nope.js"));
}

TEST_F(ConsoleRoutesTest, AMatchingETagIs304WithoutABody) {
  ParsedResponse first = Get("/console/app.js");
  const std::string etag = first.Header("etag");
  ASSERT_EQ(etag.size(), 34u) << etag;  // 32 hex digits in quotes
  ParsedResponse again = Get("/console/app.js", "If-None-Match: W/\"x\", " + etag + "\r\n");
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.body, "");
  EXPECT_EQ(again.Header("etag"), etag);
  ParsedResponse other = Get("/console/app.js", "If-None-Match: \"0123\"\r\n");
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.body, first.body);
  // Each file has its own validator.
  EXPECT_NE(Get("/console/console.css").Header("etag"), etag);
}

TEST_F(ConsoleRoutesTest, EveryAssetHasAKnownTypeAndABody) {
  ASSERT_GE(ConsoleAssets().size(), 4u);
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    EXPECT_FALSE(asset.body.empty()) << asset.name;
    EXPECT_EQ(Get("/console/" + std::string(asset.name)).status, 200) << asset.name;
    // The CSP forbids inline scripts: no page may carry one.
    if (asset.name.ends_with(".html")) {
      EXPECT_THAT(std::string(asset.body), Not(HasSubstr("<script>"))) << asset.name;
      EXPECT_THAT(std::string(asset.body), Not(HasSubstr(" style=\""))) << asset.name;
    }
  }
}

}  // namespace
}  // namespace modelhost::api

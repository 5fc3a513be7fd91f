#include "api/router.h"

#include <gtest/gtest.h>

namespace modelhost::api {
namespace {

HttpResponse Ok(const HttpRequest&) { return HttpResponse::Empty(200); }

TEST(RouterTest, MatchesLiteralsAndExtractsParams) {
  Router router;
  router.Add(Method::kGet, "/v2/health/live", Access::Public(), SyncHandler(Ok))
      .Add(Method::kGet, "/v1/models/{name}/versions/{version}", Access::Public(), SyncHandler(Ok));
  ASSERT_TRUE(router.status().ok());
  HttpRequest request;
  RouteMatch match = router.Match(Method::kGet, "/v1/models/pima/versions/3", &request);
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(router.RouteLabel(match.route_id), "/v1/models/{name}/versions/{version}");
  EXPECT_EQ(request.PathParam("name"), "pima");
  EXPECT_EQ(request.PathParam("version"), "3");
  EXPECT_EQ(router.Match(Method::kGet, "/v2/health/live", nullptr).kind, RouteMatch::Kind::kFound);
}

TEST(RouterTest, VerbSuffixRoutesCoexistWithBareParam) {
  Router router;
  router.Add(Method::kGet, "/v1/models/{name}", Access::Public(), SyncHandler(Ok))
      .Add(Method::kPost, "/v1/models/{name}:predict", Access::Public(), SyncHandler(Ok))
      .Add(Method::kPost, "/v1/models/{name}/versions/{version}:predict", Access::Public(),
           SyncHandler(Ok));
  ASSERT_TRUE(router.status().ok());

  HttpRequest predict;
  RouteMatch match = router.Match(Method::kPost, "/v1/models/pima:predict", &predict);
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(router.RouteLabel(match.route_id), "/v1/models/{name}:predict");
  EXPECT_EQ(predict.PathParam("name"), "pima");

  HttpRequest versioned;
  match = router.Match(Method::kPost, "/v1/models/pima/versions/2:predict", &versioned);
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(versioned.PathParam("version"), "2");

  HttpRequest get;
  match = router.Match(Method::kGet, "/v1/models/pima", &get);
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(router.RouteLabel(match.route_id), "/v1/models/{name}");
  EXPECT_EQ(get.PathParam("name"), "pima");

  // The suffix alone is not a name.
  EXPECT_EQ(router.Match(Method::kPost, "/v1/models/:predict", nullptr).kind,
            RouteMatch::Kind::kMethodNotAllowed);  // falls to "{name}" which only has GET
}

TEST(RouterTest, MostSpecificWinsRegardlessOfOrder) {
  Router router;
  router.Add(Method::kGet, "/v1/{collection}/list", Access::Public(), SyncHandler(Ok))
      .Add(Method::kGet, "/v1/models/list", Access::Public(), SyncHandler(Ok));
  RouteMatch match = router.Match(Method::kGet, "/v1/models/list", nullptr);
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(router.RouteLabel(match.route_id), "/v1/models/list");
}

TEST(RouterTest, ParamsArePercentDecoded) {
  Router router;
  router.Add(Method::kGet, "/v1/models/{name}", Access::Public(), SyncHandler(Ok));
  HttpRequest request;
  ASSERT_EQ(router.Match(Method::kGet, "/v1/models/a%20b", &request).kind,
            RouteMatch::Kind::kFound);
  EXPECT_EQ(request.PathParam("name"), "a b");
}

TEST(RouterTest, WrongMethodReportsAllowedMethods) {
  Router router;
  router.Add(Method::kGet, "/v1/datasets", Access::Public(), SyncHandler(Ok))
      .Add(Method::kPost, "/v1/datasets", Access::Public(), SyncHandler(Ok));
  RouteMatch match = router.Match(Method::kDelete, "/v1/datasets", nullptr);
  EXPECT_EQ(match.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "GET, POST");
}

// B9: the method decides among patterns that match the path; 405 only when
// none of them has it, and then Allow lists every matching pattern's methods.
TEST(RouterTest, LessSpecificPatternWithTheMethodBeatsMoreSpecificWithout) {
  Router router;
  router.Add(Method::kGet, "/v1/models/list", Access::Public(), SyncHandler(Ok))
      .Add(Method::kDelete, "/v1/models/{name}", Access::Public(), SyncHandler(Ok))
      .Add(Method::kGet, "/v1/models/{name}", Access::Public(), SyncHandler(Ok));
  HttpRequest request;
  RouteMatch match = router.Match(Method::kDelete, "/v1/models/list", &request);
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(router.RouteLabel(match.route_id), "/v1/models/{name}");
  EXPECT_EQ(request.PathParam("name"), "list");

  match = router.Match(Method::kGet, "/v1/models/list", nullptr);
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(router.RouteLabel(match.route_id), "/v1/models/list");

  match = router.Match(Method::kPost, "/v1/models/list", nullptr);
  ASSERT_EQ(match.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(router.RouteLabel(match.route_id), "/v1/models/list");
  EXPECT_EQ(match.allow, "GET, DELETE");
}

TEST(RouterTest, LongPathsMatchAndExtractParams) {
  Router router;
  std::string pattern;
  std::string path;
  for (int segment = 0; segment < 20; ++segment) {
    pattern += segment == 19 ? "/{last}" : "/s" + std::to_string(segment);
    path += "/s" + std::to_string(segment);
  }
  router.Add(Method::kGet, pattern, Access::Public(), SyncHandler(Ok));
  HttpRequest request;
  ASSERT_EQ(router.Match(Method::kGet, path, &request).kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(request.PathParam("last"), "s19");
  EXPECT_EQ(router.Match(Method::kGet, path + "/more", nullptr).kind, RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, UnknownPathIsNotFoundUnderTheUnmatchedLabel) {
  Router router;
  router.Add(Method::kGet, "/v2", Access::Public(), SyncHandler(Ok));
  RouteMatch match = router.Match(Method::kGet, "/v2/nope", nullptr);
  EXPECT_EQ(match.kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(match.route_id, router.unmatched_route_id());
  EXPECT_EQ(router.RouteLabel(match.route_id), Router::kUnmatchedLabel);
  EXPECT_EQ(router.Match(Method::kGet, "/v2/", nullptr).kind, RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, BadPatternsAndDuplicatesSetStatus) {
  Router bad_pattern;
  bad_pattern.Add(Method::kGet, "/v1/{unclosed", Access::Public(), SyncHandler(Ok));
  EXPECT_EQ(bad_pattern.status().code(), core::StatusCode::kInvalidArgument);

  Router no_slash;
  no_slash.Add(Method::kGet, "v1", Access::Public(), SyncHandler(Ok));
  EXPECT_FALSE(no_slash.status().ok());

  Router duplicate;
  duplicate.Add(Method::kGet, "/x", Access::Public(), SyncHandler(Ok))
      .Add(Method::kGet, "/x", Access::Public(), SyncHandler(Ok));
  EXPECT_FALSE(duplicate.status().ok());
  EXPECT_NE(duplicate.status().message().find("duplicate"), std::string::npos);
}

TEST(HttpRequestTest, HeadersAreCaseInsensitiveAndQueryParamsDecoded) {
  HttpRequest request;
  request.SetTarget("/v1/x?name=a%2Fb&flag&q=hello+world");
  request.AddHeader("Content-Type", "application/json");
  EXPECT_EQ(request.path(), "/v1/x");
  EXPECT_EQ(request.Header("content-type"), "application/json");
  EXPECT_FALSE(request.Header("accept").has_value());
  EXPECT_EQ(request.QueryParam("name"), "a/b");
  EXPECT_EQ(request.QueryParam("flag"), "");
  EXPECT_EQ(request.QueryParam("q"), "hello world");
  EXPECT_FALSE(request.QueryParam("missing").has_value());
}

}  // namespace
}  // namespace modelhost::api

#include "api/error_body.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/http_response.h"

namespace modelhost::api {
namespace {

TEST(ErrorBodyTest, MapsEveryCodeToItsHttpStatus) {
  EXPECT_EQ(HttpStatusFor(core::InvalidArgument("x")), 400);
  EXPECT_EQ(HttpStatusFor(core::Unauthenticated("x")), 401);
  EXPECT_EQ(HttpStatusFor(core::PermissionDenied("x")), 403);
  EXPECT_EQ(HttpStatusFor(core::NotFound("x")), 404);
  EXPECT_EQ(HttpStatusFor(core::AlreadyExists("x")), 409);
  EXPECT_EQ(HttpStatusFor(core::FailedPrecondition("x")), 409);
  EXPECT_EQ(HttpStatusFor(core::ResourceExhausted("x")), 429);
  EXPECT_EQ(HttpStatusFor(core::Unavailable("x")), 503);
  EXPECT_EQ(HttpStatusFor(core::DataLoss("x")), 500);
  EXPECT_EQ(HttpStatusFor(core::Internal("x")), 500);
}

TEST(ErrorBodyTest, BodyCarriesCodeAndMessage) {
  auto body = nlohmann::json::parse(ErrorBodyJson(core::NotFound("no route for GET /x")));
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_EQ(body["error"]["message"], "no route for GET /x");
}

TEST(ErrorBodyTest, InvalidUtf8InMessageIsReplacedNotThrown) {
  std::string message = "bad byte \xff here";
  auto body = nlohmann::json::parse(ErrorBodyJson(core::InvalidArgument(message)));
  EXPECT_EQ(body["error"]["code"], "invalid_argument");
}

TEST(ErrorBodyTest, ExplicitCodeHasTheSameShape) {
  EXPECT_EQ(ErrorBodyJson("not_found", "no route for GET /x"),
            ErrorBodyJson(core::NotFound("no route for GET /x")));
  auto body = nlohmann::json::parse(ErrorBodyJson("method_not_allowed", "say \"hi\" \xff"));
  EXPECT_EQ(body["error"]["code"], "method_not_allowed");
  EXPECT_EQ(body["error"].size(), 2u);
}

// A 429 may be permanent (a column over its size limit): only the places
// that know the wait is the answer (a full queue) say when to retry.
TEST(ErrorBodyTest, AnErrorAloneDoesNotSayWhenToRetry) {
  for (const core::Status& status : {core::ResourceExhausted("x"), core::Unavailable("x")}) {
    const HttpResponse response = HttpResponse::Error(status);
    for (const auto& [name, value] : response.headers) EXPECT_NE(name, "Retry-After");
  }
}

}  // namespace
}  // namespace modelhost::api

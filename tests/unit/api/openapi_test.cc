#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "api/console_routes.h"
#include "api/dataset_job_routes.h"
#include "api/dataset_routes.h"
#include "api/key_routes.h"
#include "api/kserve_routes.h"
#include "api/model_routes.h"
#include "api/openapi_document.h"
#include "api/openapi_routes.h"
#include "api/predict_routes.h"
#include "api/router.h"
#include "api/system_routes.h"
#include "api/training_job_routes.h"
#include "openapi_schema_validator.h"

namespace modelhost::api {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Json = nlohmann::json;
using testing::OpenApiSchemaValidator;

const std::set<std::string> kOperationKeys = {"get",  "put",     "post",  "delete",
                                              "head", "options", "patch", "trace"};

const Json& Document() {
  static const Json document = Json::parse(OpenApiDocumentText());
  return document;
}

// The routes `modelhost serve` adds (cli/serve_command.cc), with the same Add
// functions; they only keep the pointers they are given, and no handler runs
// here, so null services do.
Router ServeRouter(bool with_keys) {
  Router router;
  AddSystemRoutes(router, {});
  AddConsoleRoutes(router);
  AddModelRoutes(router, nullptr, "", nullptr);
  AddPredictRoutes(router, {});
  AddKserveRoutes(router, nullptr, nullptr);
  AddTrainingJobRoutes(router, nullptr);
  AddDatasetRoutes(router, {});
  AddDatasetJobRoutes(router, {});
  if (with_keys) AddKeyRoutes(router, nullptr);
  return router;
}

HttpResponse Ok(const HttpRequest&) { return HttpResponse::Empty(200); }

// Every (schema, example) pair of the document: media types and parameters
// with an `example`, or `examples` whose values may be $refs to
// components/examples.
struct Example {
  std::string where;
  const Json* schema;
  const Json* value;
};

void CollectExamples(const OpenApiSchemaValidator& validator, const Json& node,
                     const std::string& where, std::vector<Example>* out) {
  if (node.is_object()) {
    if (node.contains("schema") && node.contains("example")) {
      out->push_back({where, &node["schema"], &node["example"]});
    }
    if (node.contains("schema") && node.contains("examples")) {
      for (const auto& [name, example] : node["examples"].items()) {
        const Json* resolved = example.contains("$ref")
                                   ? validator.Resolve(example["$ref"].get<std::string>())
                                   : &example;
        ASSERT_NE(resolved, nullptr) << where << " examples/" << name;
        ASSERT_TRUE(resolved->contains("value")) << where << " examples/" << name;
        out->push_back({where + " examples/" + name, &node["schema"], &(*resolved)["value"]});
      }
    }
    for (const auto& [key, child] : node.items()) {
      CollectExamples(validator, child, where + "/" + key, out);
    }
  } else if (node.is_array()) {
    for (size_t index = 0; index < node.size(); ++index) {
      CollectExamples(validator, node[index], where + "/" + std::to_string(index), out);
    }
  }
}

void CollectRefs(const Json& node, std::vector<std::string>* out) {
  if (node.is_object()) {
    if (node.contains("$ref") && node["$ref"].is_string()) out->push_back(node["$ref"]);
    for (const auto& [key, child] : node.items()) CollectRefs(child, out);
  } else if (node.is_array()) {
    for (const Json& child : node) CollectRefs(child, out);
  }
}

TEST(OpenApiDocumentTest, IsAnOpenApi3Document) {
  const Json& document = Document();
  ASSERT_TRUE(document.is_object());
  EXPECT_EQ(document["openapi"].get<std::string>().substr(0, 2), "3.");
  EXPECT_FALSE(document["info"]["title"].get<std::string>().empty());
  EXPECT_FALSE(document["info"]["version"].get<std::string>().empty());
  ASSERT_TRUE(document["paths"].is_object());
  EXPECT_FALSE(document["paths"].empty());
  ASSERT_TRUE(document["components"]["schemas"].is_object());
  const Json& bearer = document["components"]["securitySchemes"]["bearer"];
  EXPECT_EQ(bearer["type"], "http");
  EXPECT_EQ(bearer["scheme"], "bearer");
  EXPECT_EQ(document["security"], Json::parse(R"([{"bearer": []}])"));
}

TEST(OpenApiDocumentTest, EveryReferenceResolves) {
  OpenApiSchemaValidator validator(Document());
  std::vector<std::string> refs;
  CollectRefs(Document(), &refs);
  EXPECT_GT(refs.size(), 50u);
  for (const std::string& ref : refs) EXPECT_NE(validator.Resolve(ref), nullptr) << ref;
}

// What a client needs of each operation, and the conventions the server keeps:
// a unique operationId, the scope both as x-modelhost-scope and as the
// security requirement (none for public routes; 401 and 403 otherwise), and
// each path template parameter declared.
TEST(OpenApiDocumentTest, EveryOperationStatesItsScopeAndParameters) {
  OpenApiSchemaValidator validator(Document());
  std::set<std::string> operation_ids;
  const std::set<std::string> scopes = {"public", "read", "predict", "write", "admin"};
  int operations = 0;
  for (const auto& [path, item] : Document()["paths"].items()) {
    std::set<std::string> templated;
    const std::regex parameter(R"(\{([^}]+)\})");
    for (std::sregex_iterator match(path.begin(), path.end(), parameter), end; match != end;
         ++match) {
      templated.insert((*match)[1]);
    }
    for (const auto& [method, operation] : item.items()) {
      ASSERT_TRUE(kOperationKeys.contains(method)) << path << " " << method;
      const std::string name = method + " " + path;
      ++operations;
      EXPECT_TRUE(operation_ids.insert(operation.value("operationId", "")).second) << name;
      EXPECT_FALSE(operation.value("summary", "").empty()) << name;
      const std::string scope = operation.value("x-modelhost-scope", "");
      EXPECT_TRUE(scopes.contains(scope)) << name;
      if (operation.contains("x-modelhost-auth-only")) {
        EXPECT_TRUE(operation["x-modelhost-auth-only"].is_boolean()) << name;
      }
      const Json& responses = operation["responses"];
      if (scope == "public") {
        EXPECT_EQ(operation.value("security", Json()), Json::array()) << name;
      } else {
        EXPECT_FALSE(operation.contains("security")) << name << ": keeps the bearer default";
        EXPECT_TRUE(responses.contains("401")) << name;
        EXPECT_TRUE(responses.contains("403")) << name;
      }
      std::set<std::string> declared;
      for (const Json& entry : operation.value("parameters", Json::array())) {
        const Json* resolved =
            entry.contains("$ref") ? validator.Resolve(entry["$ref"].get<std::string>()) : &entry;
        ASSERT_NE(resolved, nullptr) << name;
        if ((*resolved)["in"] == "path") {
          declared.insert((*resolved)["name"].get<std::string>());
          EXPECT_TRUE(resolved->value("required", false)) << name;
        }
      }
      EXPECT_EQ(declared, templated) << name;
      // A JSON success answer shows what it looks like.
      for (const auto& [status, response] : responses.items()) {
        if (status[0] != '2' || !response.contains("content")) continue;
        for (const auto& [type, media] : response["content"].items()) {
          if (type != "application/json") continue;
          EXPECT_TRUE(media.contains("example") || media.contains("examples"))
              << name << " " << status;
        }
      }
    }
  }
  EXPECT_EQ(operations, static_cast<int>(ServeRouter(true).Routes().size()) + 1);
}

TEST(OpenApiDocumentTest, EveryExampleValidatesAgainstItsSchema) {
  OpenApiSchemaValidator validator(Document());
  std::vector<Example> examples;
  CollectExamples(validator, Document(), "", &examples);
  EXPECT_GT(examples.size(), 60u);
  for (const Example& example : examples) {
    EXPECT_THAT(validator.Validate(*example.schema, *example.value), IsEmpty()) << example.where;
  }
}

// The validator must catch what it claims to, or the test above proves nothing.
TEST(OpenApiSchemaValidatorTest, RefusesWrongExamples) {
  OpenApiSchemaValidator validator(Document());
  auto schema = [](const std::string& name) {
    return Json{{"$ref", "#/components/schemas/" + name}};
  };
  const Json prediction = Json::parse(
      R"({"model": "pima", "model_version": 1, "predictions": [{"probability": 0.36, "label": 0}]})");
  ASSERT_THAT(validator.Validate(schema("PredictResponse"), prediction), IsEmpty());
  auto problems = [&](const std::string& name, const Json& value) {
    std::vector<std::string> found = validator.Validate(schema(name), value);
    std::string joined;
    for (const std::string& problem : found) joined += problem + "\n";
    return joined;
  };

  Json wrong_type = prediction;
  wrong_type["model_version"] = "1";
  EXPECT_THAT(problems("PredictResponse", wrong_type), HasSubstr("/model_version: expected type"));
  Json missing = prediction;
  missing.erase("predictions");
  EXPECT_THAT(problems("PredictResponse", missing), HasSubstr("missing required property"));
  Json extra = prediction;
  extra["confidence"] = 0.9;
  EXPECT_THAT(problems("PredictResponse", extra), HasSubstr("/confidence: property not allowed"));
  Json no_label = prediction;
  no_label["predictions"][0].erase("label");
  EXPECT_THAT(problems("PredictResponse", no_label), HasSubstr("/predictions/0: matches 0"));
  Json not_an_object = prediction;
  not_an_object["predictions"][0] = 0.36;
  EXPECT_THAT(problems("PredictResponse", not_an_object), HasSubstr("/predictions/0: matches 0"));

  EXPECT_THAT(problems("Scope", "superuser"), HasSubstr("is not one of"));
  EXPECT_THAT(problems("SetAliasRequest", Json{{"version", 0}}), HasSubstr("below the minimum"));
  EXPECT_THAT(problems("SetAliasRequest", Json{{"version", 1.5}}), HasSubstr("expected type"));
  EXPECT_THAT(problems("ApiKeyList", Json{{"keys", {{{"id", "k"}}}}}),
              HasSubstr("/keys/0: missing required property \"name\""));
  EXPECT_THAT(problems("DatasetRows", Json::parse(R"({"dataset": "d", "offset": 0, "limit": 1,
                                                      "total_rows": 1, "rows": [{"a": [1]}]})")),
              HasSubstr("/rows/0/a: expected type"));
  // Nullable fields take null and their type, nothing else.
  const Json job = Document()["components"]["examples"]["queuedJob"]["value"];
  ASSERT_THAT(validator.Validate(schema("TrainingJob"), job), IsEmpty());
  Json started = job;
  started["started_at"] = 5;
  EXPECT_THAT(problems("TrainingJob", started), HasSubstr("/started_at: expected type"));
  Json state = job;
  state["state"] = "paused";
  EXPECT_THAT(problems("TrainingJob", state), HasSubstr("/state: \"paused\" is not one of"));

  const Json name_parameter = Document()["components"]["parameters"]["ModelName"]["schema"];
  EXPECT_THAT(validator.Validate(name_parameter, "pima"), IsEmpty());
  EXPECT_THAT(validator.Validate(name_parameter, "../etc"), Not(IsEmpty()));
  EXPECT_THAT(validator.Validate(Json{{"allOf", Json::array()}}, 1)[0],
              HasSubstr("unsupported schema keyword 'allOf'"));
  EXPECT_THAT(validator.Validate(schema("NoSuchSchema"), 1)[0], HasSubstr("unresolved $ref"));
}

TEST(RouterRoutesTest, ListsEveryRouteWithItsAccessAndBodyMode) {
  Router router;
  router.Add(Method::kGet, "/b", Access::Public(), SyncHandler(Ok))
      .Add(Method::kGet, "/a/{id}", Access::Requires(Scope::kRead), SyncHandler(Ok))
      .AddUpload(Method::kPost, "/b", Access::Requires(Scope::kWrite),
                 Handler([](HttpRequest&, Responder) {}))
      .Add(Method::kDelete, "/a/{id}", Access::Requires(Scope::kAdmin), SyncHandler(Ok));
  std::vector<Router::RouteEntry> routes = router.Routes();
  ASSERT_EQ(routes.size(), 4u);
  EXPECT_EQ(routes[0].method, Method::kGet);
  EXPECT_EQ(routes[0].pattern, "/b");
  EXPECT_TRUE(routes[0].access.is_public());
  EXPECT_EQ(routes[1].method, Method::kPost);
  EXPECT_EQ(routes[1].pattern, "/b");
  EXPECT_EQ(routes[1].access.scope(), Scope::kWrite);
  EXPECT_EQ(routes[1].body_mode, BodyMode::kToFile);
  EXPECT_EQ(routes[2].method, Method::kGet);
  EXPECT_EQ(routes[2].pattern, "/a/{id}");
  EXPECT_EQ(routes[2].access.scope(), Scope::kRead);
  EXPECT_EQ(routes[2].body_mode, BodyMode::kInMemory);
  EXPECT_EQ(routes[3].method, Method::kDelete);
  EXPECT_EQ(routes[3].access.scope(), Scope::kAdmin);
  EXPECT_THAT(Router().Routes(), IsEmpty());
}

TEST(OpenApiRouteTest, TheServersRoutesAreExactlyTheDocumentedOnes) {
  Router with_auth = ServeRouter(true);
  EXPECT_TRUE(AddOpenApiRoute(with_auth, {.auth = true}).ok());
  RouteMatch match = with_auth.Match(Method::kGet, "/openapi.json", nullptr);
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_TRUE(match.access.is_public());

  // Without authentication there are no key routes, and none are documented.
  Router without_auth = ServeRouter(false);
  core::Status status = AddOpenApiRoute(without_auth, {.auth = false});
  EXPECT_TRUE(status.ok()) << status.message();
}

TEST(OpenApiRouteTest, RefusesAnUndocumentedRoute) {
  Router router = ServeRouter(true);
  router.Add(Method::kGet, "/v1/secret", Access::Requires(Scope::kRead), SyncHandler(Ok));
  core::Status status = AddOpenApiRoute(router, {.auth = true});
  EXPECT_EQ(status.code(), core::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("src/api/openapi.json"));
  EXPECT_THAT(status.message(), HasSubstr("GET /v1/secret is routed but not documented"));
}

TEST(OpenApiRouteTest, RefusesADocumentedOperationWithoutARoute) {
  Router router = ServeRouter(/*with_keys=*/false);
  core::Status status = AddOpenApiRoute(router, {.auth = true});
  EXPECT_EQ(status.code(), core::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("POST /v1/keys is documented but not routed"));
  EXPECT_THAT(status.message(), HasSubstr("DELETE /v1/keys/{id} is documented but not routed"));
}

TEST(OpenApiRouteTest, RefusesAScopeThatDiffersFromTheDocument) {
  Router router;
  router.Add(Method::kGet, "/v1/models", Access::Requires(Scope::kPredict), SyncHandler(Ok))
      .Add(Method::kGet, "/v2/health/live", Access::Requires(Scope::kRead), SyncHandler(Ok));
  core::Status status = CheckDocumented(router, {.auth = true});
  EXPECT_THAT(status.message(),
              HasSubstr("GET /v1/models is routed with scope predict but documented with read"));
  EXPECT_THAT(
      status.message(),
      HasSubstr("GET /v2/health/live is routed with scope read but documented with public"));
}

TEST(OpenApiRouteTest, ServesTheDocumentLessTheKeyRoutesWithoutAuthentication) {
  core::Result<std::string> with_auth = ServedOpenApiDocument({.auth = true});
  ASSERT_TRUE(with_auth.ok());
  EXPECT_EQ(*with_auth, OpenApiDocumentText());

  core::Result<std::string> without_auth = ServedOpenApiDocument({.auth = false});
  ASSERT_TRUE(without_auth.ok());
  Json document = Json::parse(*without_auth);
  EXPECT_FALSE(document.contains("security"));
  EXPECT_FALSE(document["paths"].contains("/v1/keys"));
  EXPECT_FALSE(document["paths"].contains("/v1/keys/{id}"));
  EXPECT_TRUE(document["paths"]["/v1/models"].contains("get"));
  EXPECT_EQ(document["components"], Document()["components"]);
}

}  // namespace
}  // namespace modelhost::api

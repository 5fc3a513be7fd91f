// GET /openapi.json from the real `modelhost serve`: the committed document
// (src/api/openapi.json) is what the binary serves, without a key, and the
// server answers what it documents: the flow of issue 5 on the Pima data,
// each answer's status documented for its operation and its body valid
// against the documented schema. That every route is documented is checked
// by the server itself at start (api/openapi_routes.h), so every other
// integration test would fail on an undocumented route.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../unit/api/openapi_schema_validator.h"
#include "server_process.h"

namespace modelhost::testing {
namespace {

using Json = nlohmann::json;
using ::testing::IsEmpty;

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

// Checks `reply`, the answer to `method` on a path of `pattern`, against the
// document: its status must be documented for the operation, and a JSON body
// must be valid against the documented schema (the first JSON data line of
// each event for text/event-stream, against the event's schema).
void ExpectDocumented(const Json& document, const std::string& method, const std::string& pattern,
                      const HttpReply& reply) {
  const std::string name = method + " " + pattern + " → " + std::to_string(reply.status);
  api::testing::OpenApiSchemaValidator validator(document);
  std::string lower = method;
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  const Json& paths = document["paths"];
  ASSERT_TRUE(paths.contains(pattern) && paths[pattern].contains(lower)) << name;
  const Json& responses = paths[pattern][lower]["responses"];
  const std::string status = std::to_string(reply.status);
  ASSERT_TRUE(responses.contains(status)) << name << ": status not documented; " << reply.body;
  const Json* response = &responses[status];
  if (response->contains("$ref")) response = validator.Resolve((*response)["$ref"]);
  ASSERT_NE(response, nullptr) << name;
  const Json content = response->value("content", Json::object());
  if (content.contains("application/json")) {
    const Json body = Json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(body.is_discarded()) << name << ": " << reply.body;
    EXPECT_THAT(validator.Validate(content["application/json"]["schema"], body), IsEmpty())
        << name << ": " << reply.body;
  } else if (content.contains("text/event-stream")) {
    const std::string job = pattern.starts_with("/v1/dataset-jobs") ? "DatasetJob" : "TrainingJob";
    const std::map<std::string, std::string> schemas = {
        {"state", job}, {"end", job}, {"epoch", "EpochEvent"}, {"progress", "ProgressEvent"}};
    std::istringstream lines(reply.body);
    std::string event;
    int checked = 0;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("event: ", 0) == 0) event = line.substr(7);
      if (line.rfind("data: ", 0) != 0) continue;
      ASSERT_TRUE(schemas.contains(event)) << name << ": undocumented event '" << event << "'";
      const Json schema = {{"$ref", "#/components/schemas/" + schemas.at(event)}};
      EXPECT_THAT(validator.Validate(schema, Json::parse(line.substr(6))), IsEmpty())
          << name << ": " << line;
      ++checked;
    }
    EXPECT_GE(checked, 2) << name << ": " << reply.body;
  } else {
    EXPECT_TRUE(content.empty() || reply.status >= 300 ||
                content.contains(reply.headers.at("content-type")))
        << name << ": content type " << reply.headers.at("content-type") << " not documented";
  }
}

TEST_F(OpenApiTest, TheServerAnswersAsDocumentedThroughTheWholeFlow) {
  ServerProcess server(data_dir_.string());
  ASSERT_NE(server.port(), 0);
  const Json document = Json::parse(HttpRequest(server.port(), "GET", "/openapi.json").body);
  const auto auth = server.AdminAuth();
  auto call = [&](const std::string& method, const std::string& target, const std::string& pattern,
                  const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    if (headers.empty()) headers = auth;
    HttpReply reply = HttpRequest(server.port(), method, target, body, headers);
    ExpectDocumented(document, method, pattern, reply);
    return reply;
  };
  const std::string pima =
      ReadWholeFile(std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes.csv");

  call("GET", "/v2", "/v2");
  call("GET", "/v2/health/ready", "/v2/health/ready", "", {{"X-No-Key", "1"}});
  call("GET", "/metrics", "/metrics");
  call("GET", "/openapi.json", "/openapi.json");
  call("GET", "/v1/models", "/v1/models", "", {{"Authorization", "Bearer mh_unknown"}});
  HttpReply key = call("POST", "/v1/keys", "/v1/keys", R"({"name": "ci", "scopes": ["read"]})");
  call("GET", "/v1/keys", "/v1/keys");
  call("POST", "/v1/keys", "/v1/keys", R"({"name": "ci", "scopes": ["root"]})");
  call("GET", "/v1/keys", "/v1/keys", "",
       {{"Authorization", "Bearer " + Json::parse(key.body)["key"].get<std::string>()}});

  HttpReply dataset = call("POST", "/v1/datasets?name=pima", "/v1/datasets", pima);
  ASSERT_EQ(dataset.status, 201);
  const std::string id = Json::parse(dataset.body)["id"];
  call("GET", "/v1/datasets?name=pima", "/v1/datasets");
  call("GET", "/v1/datasets/" + id, "/v1/datasets/{id}");
  call("GET", "/v1/datasets/ds_0000000000000000", "/v1/datasets/{id}");
  call("GET", "/v1/datasets/" + id + "/rows?offset=766&limit=5", "/v1/datasets/{id}/rows");
  call("GET", "/v1/datasets/" + id + "/export?format=jsonl", "/v1/datasets/{id}/export");
  call("POST", "/v1/datasets/" + id + ":split", "/v1/datasets/{id}:split",
       R"({"train": 0.7, "validation": 0.1, "test": 0.2, "seed": 1, "stratify": "diabetes"})");
  call("POST", "/v1/datasets/" + id + ":transform", "/v1/datasets/{id}:transform",
       R"({"pipeline": {"steps": [{"op": "standardize", "columns": "numeric"}]},
           "target": "diabetes"})",
       {{"Authorization", auth.at("Authorization")}, {"Prefer", "wait=60"}});
  HttpReply async =
      call("POST", "/v1/datasets/" + id + ":split", "/v1/datasets/{id}:split", R"({"seed": 2})",
           {{"Authorization", auth.at("Authorization")}, {"Prefer", "respond-async"}});
  ASSERT_EQ(async.status, 202) << async.body;
  const std::string dataset_job = async.headers.at("location");
  call("GET", dataset_job, "/v1/dataset-jobs/{id}");
  // The events stream ends when the job does.
  call("GET", dataset_job + "/events", "/v1/dataset-jobs/{id}/events");
  call("GET", "/v1/dataset-jobs", "/v1/dataset-jobs");
  call("POST", "/v1/datasets/" + id + ":transform", "/v1/datasets/{id}:transform",
       R"({"pipeline": {"steps": [{"op": "standardize", "columns": ["weight"]}]}})",
       {{"Authorization", auth.at("Authorization")}, {"Prefer", "wait=60"}});
  call("POST", "/v1/dataset-jobs/job_0000000000000000:cancel", "/v1/dataset-jobs/{id}:cancel");

  HttpReply job = call("POST", "/v1/training-jobs", "/v1/training-jobs", R"({
      "dataset": "pima", "target": "diabetes", "register_as": "pima",
      "pipeline": {"steps": [{"op": "standardize", "columns": "numeric"}]},
      "fit": {"epochs": 2, "seed": 3, "validation_split": 0.2}})");
  ASSERT_EQ(job.status, 202);
  const std::string job_id = Json::parse(job.body)["id"];
  // The events stream ends when the job does.
  call("GET", "/v1/training-jobs/" + job_id + "/events", "/v1/training-jobs/{id}/events");
  HttpReply done = call("GET", "/v1/training-jobs/" + job_id, "/v1/training-jobs/{id}");
  ASSERT_EQ(Json::parse(done.body)["state"], "succeeded") << done.body;
  call("GET", "/v1/training-jobs", "/v1/training-jobs");
  call("POST", "/v1/training-jobs/" + job_id + ":cancel", "/v1/training-jobs/{id}:cancel");
  call("POST", "/v1/training-jobs", "/v1/training-jobs", R"({"dataset": "pima"})");

  call("GET", "/v1/models", "/v1/models");
  call("GET", "/v1/models/pima", "/v1/models/{name}");
  call("GET", "/v1/models/pima/versions", "/v1/models/{name}/versions");
  call("GET", "/v1/models/pima/versions/1", "/v1/models/{name}/versions/{version}");
  call("GET", "/v1/models/pima/versions/x", "/v1/models/{name}/versions/{version}");
  HttpReply bundle = call("GET", "/v1/models/pima/versions/1/bundle",
                          "/v1/models/{name}/versions/{version}/bundle");
  call("POST", "/v1/models/pima/versions", "/v1/models/{name}/versions", bundle.body);
  call("POST", "/v1/models/pima/versions", "/v1/models/{name}/versions", "not a tar");
  call("PUT", "/v1/models/pima/aliases/production", "/v1/models/{name}/aliases/{alias}",
       R"({"version": 1})");
  const std::string instances = R"({"instances": [
      {"pregnant": 6, "glucose": 148, "pressure": 72, "triceps": 35, "insulin": 0,
       "mass": 33.6, "pedigree": 0.627, "age": 50},
      [1, 85, 66, 29, 0, 26.6, 0.351, 31]]})";
  call("POST", "/v1/models/pima:predict", "/v1/models/{name}:predict", instances);
  call("POST", "/v1/models/pima/versions/1:predict", "/v1/models/{name}/versions/{version}:predict",
       instances);
  call("POST", "/v1/models/pima/aliases/production:predict",
       "/v1/models/{name}/aliases/{alias}:predict", instances);
  call("POST", "/v1/models/pima:predict", "/v1/models/{name}:predict",
       R"({"instances": [{"glucose": "high"}]})");
  call("POST", "/v1/models/iris:predict", "/v1/models/{name}:predict", instances);

  call("GET", "/v2/models/pima", "/v2/models/{name}");
  call("GET", "/v2/models/pima/versions/1/ready", "/v2/models/{name}/versions/{version}/ready");
  call("POST", "/v2/models/pima/infer", "/v2/models/{name}/infer",
       R"({"id": "1", "inputs": [{"name": "glucose", "shape": [2], "datatype": "INT64",
                                   "data": [148, 85]}], "outputs": [{"name": "probability"}]})");
  call("POST", "/v2/models/pima/infer", "/v2/models/{name}/infer",
       R"({"inputs": [{"name": "sugar", "data": [1]}]})");
  call("GET", "/v2/models/iris", "/v2/models/{name}");
  call("DELETE", "/v1/models/pima/versions/1", "/v1/models/{name}/versions/{version}");
  call("DELETE", "/v1/models/pima/aliases/production", "/v1/models/{name}/aliases/{alias}");
  call("DELETE", "/v1/datasets/" + id, "/v1/datasets/{id}");
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

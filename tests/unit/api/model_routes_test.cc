// The registry routes against a real server, store and registered versions.

#include "api/model_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "jobs/model_registration.h"
#include "model/model_directory.h"
#include "nn/network_spec.h"
#include "nn/sequential.h"
#include "registry_server_test.h"
#include "store/artifact_paths.h"

namespace modelhost::api {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::ParsedResponse;
using Json = nlohmann::json;

class ModelRoutesTest : public testing::RegistryServerTest {
 protected:
  void SetUp() override {
    RegistryServerTest::SetUp();
    auto workers = core::ThreadPool::Create({.num_threads = 1, .name = "model-routes"});
    ASSERT_TRUE(workers.ok());
    workers_ = std::move(*workers);
    Router router;
    AddModelRoutes(router, store_.get(), data_dir_, workers_.get());
    ASSERT_NO_FATAL_FAILURE(StartServer(std::move(router)));
  }

  // Registers a one-layer regression model as the next version of `name`.
  void Register(const std::string& name) {
    model::ModelDescription description;
    description.schema.features = {{"a", data::ColumnType::kFloat64},
                                   {"b", data::ColumnType::kFloat64}};
    description.schema.target = {
        "y", data::ColumnType::kFloat64, model::TargetEncoding::kValue, {}};
    description.network_spec = *nn::ParseNetworkSpec(R"({"layers": [{"dense": 1}]})");
    description.training.data_sha256 = std::string(64, 'b');
    description.training.history = {{0, {{"loss", 1.5}}, 0}};
    auto network = nn::Sequential::Create(description.network_spec, 2, 1);
    ASSERT_TRUE(network.ok());
    const std::string staged = (root_ / ("staged-" + std::to_string(staged_count_++))).string();
    ASSERT_TRUE(model::ModelDirectory::Write(staged, description, **network).ok());
    ASSERT_TRUE(jobs::RegisterModelVersion(*store_, data_dir_, name, staged).ok());
  }

  int staged_count_ = 0;
  std::unique_ptr<core::ThreadPool> workers_;
};

TEST_F(ModelRoutesTest, ListsModelsVersionsAndTheirSummaries) {
  ASSERT_NO_FATAL_FAILURE(Register("pima"));
  ASSERT_NO_FATAL_FAILURE(Register("pima"));
  ASSERT_NO_FATAL_FAILURE(Register("wine"));

  ParsedResponse models = Call("GET", "/v1/models");
  ASSERT_EQ(models.status, 200) << models.body;
  Json list = Json::parse(models.body)["models"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["name"], "pima");
  EXPECT_EQ(list[0]["latest_version"], 2);

  ParsedResponse version = Call("GET", "/v1/models/pima/versions/1");
  ASSERT_EQ(version.status, 200) << version.body;
  Json record = Json::parse(version.body);
  EXPECT_EQ(record["version"], 1);
  EXPECT_EQ(record["bundle_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(record["summary"]["metrics"]["loss"], 1.5);
  EXPECT_EQ(record["summary"]["features"], 2);

  EXPECT_EQ(Json::parse(Call("GET", "/v1/models/pima/versions").body)["versions"].size(), 2u);
  EXPECT_EQ(Call("GET", "/v1/models/nope").status, 404);
  EXPECT_EQ(Call("GET", "/v1/models/pima/versions/7").status, 404);
  ParsedResponse bad = Call("GET", "/v1/models/pima/versions/one");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("version must be a positive integer"));
}

TEST_F(ModelRoutesTest, AliasesMoveAndGuardDeletes) {
  ASSERT_NO_FATAL_FAILURE(Register("pima"));
  ASSERT_NO_FATAL_FAILURE(Register("pima"));
  EXPECT_EQ(Call("PUT", "/v1/models/pima/aliases/production", R"({"version": 1})").status, 200);
  EXPECT_EQ(Call("PUT", "/v1/models/pima/aliases/production", R"({"version": "1"})").status, 400);
  EXPECT_EQ(Call("PUT", "/v1/models/pima/aliases/production", R"({"version": 9})").status, 404);

  ParsedResponse guarded = Call("DELETE", "/v1/models/pima/versions/1");
  EXPECT_EQ(guarded.status, 409);
  EXPECT_THAT(guarded.body, HasSubstr("aliased as 'production'"));
  EXPECT_EQ(Json::parse(Call("GET", "/v1/models/pima").body)["aliases"]["production"], 1);

  EXPECT_EQ(Call("PUT", "/v1/models/pima/aliases/production", R"({"version": 2})").status, 200);
  EXPECT_EQ(Call("DELETE", "/v1/models/pima/versions/1").status, 204);
  EXPECT_FALSE(fs::exists(store::ModelVersionPath(data_dir_, "pima", 1)));
  EXPECT_TRUE(fs::exists(store::ModelVersionPath(data_dir_, "pima", 2)));
  EXPECT_EQ(Call("DELETE", "/v1/models/pima/aliases/production").status, 204);
  EXPECT_EQ(Call("DELETE", "/v1/models/pima/aliases/production").status, 404);
}

}  // namespace
}  // namespace modelhost::api

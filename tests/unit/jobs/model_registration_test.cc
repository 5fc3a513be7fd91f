#include "jobs/model_registration.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/csv_reader.h"
#include "model/input_schema.h"
#include "model/model_checksum.h"
#include "model/model_directory.h"
#include "nn/network_spec.h"
#include "nn/sequential.h"
#include "store/artifact_paths.h"

namespace modelhost::jobs {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class ModelRegistrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("registration_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    data_dir_ = (root_ / "data").string();
    auto store = store::OpenSqliteMetadataStore(data_dir_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
  }
  void TearDown() override { fs::remove_all(root_); }

  // An untrained Pima model directory at root_/<name>.
  std::string Stage(const std::string& name) {
    auto read = data::ReadCsvFile(std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes.csv");
    EXPECT_TRUE(read.ok());
    model::ModelDescription description;
    description.schema = *model::InferInputSchema(read->table, "diabetes");
    description.network_spec =
        *nn::ParseNetworkSpec(R"({"layers": [{"dense": 4, "activation": "relu"},
                                             {"dense": 1, "activation": "sigmoid"}]})");
    description.loss = nn::LossKind::kBinaryCrossentropy;
    description.metrics = {"accuracy"};
    description.created_at = "2026-01-02T03:04:05Z";
    description.training.data_sha256 = std::string(64, 'a');
    description.training.history = {{0, {{"loss", 0.5}, {"accuracy", 0.75}}, 0}};
    auto network = nn::Sequential::Create(description.network_spec, 8, 1);
    EXPECT_TRUE(network.ok());
    const std::string path = (root_ / name).string();
    EXPECT_TRUE(model::ModelDirectory::Write(path, description, **network).ok());
    return path;
  }

  fs::path root_;
  std::string data_dir_;
  std::unique_ptr<store::MetadataStore> store_;
};

TEST_F(ModelRegistrationTest, StagedDirectoriesBecomeNumberedChecksummedVersions) {
  const std::string staged = Stage("staged1");
  auto first = RegisterModelVersion(*store_, data_dir_, "pima", staged);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->version, 1);
  EXPECT_FALSE(fs::exists(staged));
  const std::string placed = store::ModelVersionPath(data_dir_, "pima", 1);
  EXPECT_TRUE(fs::exists(fs::path(placed) / model::kWeightsFile));
  EXPECT_TRUE(model::VerifyModelDirectory(placed, first->bundle_sha256).ok());
  auto summary = nlohmann::json::parse(first->info_json);
  EXPECT_EQ(summary["target"]["name"], "diabetes");
  EXPECT_EQ(summary["metrics"]["accuracy"], 0.75);
  EXPECT_EQ(summary["features"], 8);

  auto second = RegisterModelVersion(*store_, data_dir_, "pima", Stage("staged2"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->version, 2);

  // A changed byte is caught by the checksum.
  std::ofstream(fs::path(placed) / model::kNetworkJsonFile, std::ios::app) << " ";
  auto tampered = model::VerifyModelDirectory(placed, first->bundle_sha256);
  EXPECT_EQ(tampered.code(), core::StatusCode::kDataLoss);
  EXPECT_THAT(tampered.message(), HasSubstr("differs from the registered"));
}

TEST_F(ModelRegistrationTest, InvalidDirectoriesAndNamesRegisterNothing) {
  const std::string staged = Stage("staged");
  fs::remove(fs::path(staged) / model::kWeightsFile);
  auto broken = RegisterModelVersion(*store_, data_dir_, "pima", staged);
  EXPECT_FALSE(broken.ok());
  EXPECT_THAT(broken.status().message(), HasSubstr(model::kWeightsFile));
  EXPECT_TRUE(fs::exists(staged));  // left for the caller
  EXPECT_TRUE(store_->ListModels()->empty());

  auto bad_name = RegisterModelVersion(*store_, data_dir_, "../escape", Stage("other"));
  EXPECT_EQ(bad_name.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(root_ / "escape"));
}

// A directory left at a version's path by a crash between the move and the
// commit is replaced when that number is handed out again.
TEST_F(ModelRegistrationTest, ALeftoverOfAnUnregisteredAttemptIsReplaced) {
  const std::string leftover = store::ModelVersionPath(data_dir_, "pima", 1);
  fs::create_directories(leftover);
  std::ofstream(fs::path(leftover) / "junk") << "x";
  auto registered = RegisterModelVersion(*store_, data_dir_, "pima", Stage("staged"));
  ASSERT_TRUE(registered.ok()) << registered.status().message();
  EXPECT_EQ(registered->version, 1);
  EXPECT_FALSE(fs::exists(fs::path(leftover) / "junk"));
  EXPECT_TRUE(model::VerifyModelDirectory(leftover, registered->bundle_sha256).ok());
}

}  // namespace
}  // namespace modelhost::jobs

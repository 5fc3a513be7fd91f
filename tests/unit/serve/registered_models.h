// RegisteredModels: the fixture of the serve tests — a fresh data directory
// with its metadata store, and small numeric models (three float64 inputs, one
// number out, weights from a seed) registered into it as the registry does,
// without the jobs module.
#ifndef MODELHOST_TESTS_UNIT_SERVE_REGISTERED_MODELS_H_
#define MODELHOST_TESTS_UNIT_SERVE_REGISTERED_MODELS_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "model/model_checksum.h"
#include "model/model_directory.h"
#include "nn/network_spec.h"
#include "nn/sequential.h"
#include "store/artifact_paths.h"
#include "store/metadata_store.h"

namespace modelhost::serve::testing {

class RegisteredModels : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        std::filesystem::path(::testing::TempDir()) /
        ("serve_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(root_);
    data_dir_ = (root_ / "data").string();
    auto store = store::OpenSqliteMetadataStore(data_dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static model::ModelDescription Description() {
    model::ModelDescription description;
    description.schema.features = {{"a", data::ColumnType::kFloat64},
                                   {"b", data::ColumnType::kFloat64},
                                   {"c", data::ColumnType::kFloat64}};
    description.schema.target.name = "y";
    description.network_spec =
        *nn::ParseNetworkSpec(R"({"layers": [{"dense": 4, "activation": "relu"}, {"dense": 1}]})");
    description.training.data_sha256 = std::string(64, 'c');
    return description;
  }

  // Registers the next version of `name` with weights drawn from `seed`,
  // through `store` (another handle on the same database: another process),
  // else through store_.
  void Register(const std::string& name, uint64_t seed, store::MetadataStore* store = nullptr) {
    const model::ModelDescription description = Description();
    auto network = nn::Sequential::Create(description.network_spec, 3, seed);
    ASSERT_TRUE(network.ok()) << network.status().ToString();
    const std::string staged = (root_ / ("staged-" + name + std::to_string(seed))).string();
    ASSERT_TRUE(model::ModelDirectory::Write(staged, description, **network).ok());
    auto checksum = model::ModelDirectoryChecksum(staged);
    ASSERT_TRUE(checksum.ok());
    if (store == nullptr) store = store_.get();
    auto added = store->AddModelVersion(name, *checksum, "{}", [&](int64_t version) {
      const std::filesystem::path target = store::ModelVersionPath(data_dir_, name, version);
      std::filesystem::create_directories(target.parent_path());
      std::filesystem::rename(staged, target);
      return core::OkStatus();
    });
    ASSERT_TRUE(added.ok()) << added.status().ToString();
  }

  // What the stored version answers offline: its directory read afresh.
  nn::Matrix OfflinePredict(const std::string& name, int64_t version, const nn::Matrix& rows) {
    auto directory = model::ModelDirectory::Read(store::ModelVersionPath(data_dir_, name, version));
    EXPECT_TRUE(directory.ok()) << directory.status().ToString();
    nn::Matrix outputs;
    EXPECT_TRUE((*directory)->network().Predict(rows, &outputs).ok());
    return outputs;
  }

  std::filesystem::path root_;
  std::string data_dir_;
  std::unique_ptr<store::MetadataStore> store_;
};

}  // namespace modelhost::serve::testing

#endif  // MODELHOST_TESTS_UNIT_SERVE_REGISTERED_MODELS_H_

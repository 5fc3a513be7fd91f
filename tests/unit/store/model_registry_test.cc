// The model registry of the SQLite MetadataStore: version numbering, the
// placement callback's transaction, aliases, deletes, and resource names.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "store/artifact_paths.h"
#include "store/metadata_store.h"
#include "store/resource_name.h"
#include "store_fixture.h"

namespace modelhost::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

class ModelRegistryTest : public StoreTest {
 protected:
  core::Result<ModelVersionRecord> Add(const std::string& model) {
    return store_->AddModelVersion(model, std::string(64, 'f'), R"({"accuracy": 0.75})",
                                   [](int64_t) { return core::OkStatus(); });
  }
};

TEST_F(ModelRegistryTest, VersionsCountUpPerModelAndAreNeverReused) {
  std::vector<int64_t> placed;
  auto first = store_->AddModelVersion("pima", std::string(64, 'a'), "{}", [&](int64_t version) {
    placed.push_back(version);
    return core::OkStatus();
  });
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->version, 1);
  EXPECT_EQ(Add("pima")->version, 2);
  EXPECT_EQ(Add("wdbc")->version, 1);
  EXPECT_THAT(placed, ElementsAre(1));

  ASSERT_TRUE(store_->DeleteModelVersion("pima", 2).ok());
  Reopen();
  EXPECT_EQ(Add("pima")->version, 3);  // 2 was deleted, and stays unused
  auto versions = store_->ListModelVersions("pima");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].version, 1);
  EXPECT_EQ((*versions)[0].bundle_sha256, std::string(64, 'a'));
  EXPECT_EQ((*versions)[1].info_json, R"({"accuracy": 0.75})");
  EXPECT_THAT(*store_->ListModels(), ElementsAre("pima", "wdbc"));
}

TEST_F(ModelRegistryTest, AFailedPlacementRegistersNothing) {
  auto failed = store_->AddModelVersion("pima", std::string(64, 'a'), "{}",
                                        [](int64_t) { return core::Internal("disk full"); });
  EXPECT_EQ(failed.status().message(), "disk full");
  EXPECT_EQ(store_->ListModelVersions("pima").status().code(), core::StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListModels()->empty());
  EXPECT_EQ(Add("pima")->version, 1);  // the failed attempt consumed no number
}

TEST_F(ModelRegistryTest, AliasesMoveAndProtectTheirVersion) {
  ASSERT_TRUE(Add("pima").ok());
  ASSERT_TRUE(Add("pima").ok());
  ASSERT_TRUE(store_->SetAlias("pima", "production", 1).ok());
  ASSERT_TRUE(store_->SetAlias("pima", "staging", 2).ok());
  auto refused = store_->DeleteModelVersion("pima", 1);
  EXPECT_EQ(refused.code(), core::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("aliased as 'production'"));

  ASSERT_TRUE(store_->SetAlias("pima", "production", 2).ok());  // moves
  EXPECT_THAT(*store_->ListAliases("pima"), ElementsAre(Pair("production", 2), Pair("staging", 2)));
  EXPECT_TRUE(store_->DeleteModelVersion("pima", 1).ok());
  EXPECT_EQ(store_->GetModelVersion("pima", 1).status().code(), core::StatusCode::kNotFound);

  EXPECT_EQ(store_->SetAlias("pima", "production", 9).code(), core::StatusCode::kNotFound);
  EXPECT_EQ(store_->SetAlias("pima", "../x", 2).code(), core::StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->DeleteAlias("pima", "staging").ok());
  EXPECT_EQ(store_->DeleteAlias("pima", "staging").code(), core::StatusCode::kNotFound);
}

TEST_F(ModelRegistryTest, NamesThatCouldEscapeTheDataDirectoryAreRefused) {
  for (const char* bad : {"", ".", "..", "a/b", "../etc", "a b", "é", "x\n"}) {
    auto added = Add(bad);
    EXPECT_EQ(added.status().code(), core::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(Add(std::string(65, 'a')).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateResourceName("model name", std::string(64, 'a')).ok());
  EXPECT_TRUE(ValidateResourceName("model name", "pima-v2.1_final").ok());
  EXPECT_THAT(ValidateResourceName("alias", "a/b").message(), HasSubstr("alias must be"));
}

}  // namespace
}  // namespace modelhost::store

namespace modelhost::store {
namespace {

TEST(ArtifactPathsTest, ModelVersionsAndDatasetsLiveUnderTheDataDirectory) {
  EXPECT_EQ(ModelVersionPath("/srv/data", "pima", 3), "/srv/data/models/pima/3");
  EXPECT_EQ(ModelPath("data", "pima"), "data/models/pima");
  EXPECT_EQ(DatasetPath("/srv/data", "d1"), "/srv/data/datasets/d1");
  EXPECT_EQ(DatasetFilePath("/srv/data", "d1"), "/srv/data/datasets/d1/data.mhd");
  EXPECT_EQ(UploadsPath("/srv/data"), "/srv/data/uploads");
}

}  // namespace
}  // namespace modelhost::store

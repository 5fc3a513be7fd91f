#include "store/metadata_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace modelhost::store {
namespace {

using ::testing::ElementsAre;

class MetadataStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::path(::testing::TempDir()) /
                 ("metadata_" +
                  std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::filesystem::path directory_;
};

ApiKeyRecord Key(std::string id, std::string created_at) {
  return {id, "name of " + id, std::string(64, 'a'), {"predict", "read"}, std::move(created_at)};
}

TEST_F(MetadataStoreTest, KeysPersistAcrossReopening) {
  {
    auto store = OpenSqliteMetadataStore((directory_ / "nested").string());
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE((*store)->InsertApiKey(Key("k2", "2026-01-02T00:00:00Z")).ok());
    ASSERT_TRUE((*store)->InsertApiKey(Key("k1", "2026-01-01T00:00:00Z")).ok());
  }
  auto store = OpenSqliteMetadataStore((directory_ / "nested").string());
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto keys = (*store)->ListApiKeys();
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].id, "k2");  // in insertion order, whatever the timestamps say
  EXPECT_EQ((*keys)[0].name, "name of k2");
  EXPECT_THAT((*keys)[0].scopes, ElementsAre("predict", "read"));
  EXPECT_EQ((*keys)[0].secret_sha256, std::string(64, 'a'));
  EXPECT_EQ((*keys)[1].id, "k1");
}

TEST_F(MetadataStoreTest, DuplicateIdsAndUnknownDeletesAreRefused) {
  auto store = OpenSqliteMetadataStore(directory_.string());
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_TRUE((*store)->InsertApiKey(Key("k1", "2026-01-01T00:00:00Z")).ok());
  EXPECT_EQ((*store)->InsertApiKey(Key("k1", "2026-01-01T00:00:00Z")).code(),
            core::StatusCode::kAlreadyExists);
  EXPECT_EQ((*store)->DeleteApiKey("k9").code(), core::StatusCode::kNotFound);
  EXPECT_TRUE((*store)->DeleteApiKey("k1").ok());
  EXPECT_EQ((*store)->DeleteApiKey("k1").code(), core::StatusCode::kNotFound);
  EXPECT_TRUE((*store)->ListApiKeys()->empty());
}

TEST_F(MetadataStoreTest, ADataDirThatIsAFileIsUnavailable) {
  std::filesystem::create_directories(directory_);
  const std::string file = (directory_ / "file").string();
  { std::ofstream(file) << "x"; }
  auto store = OpenSqliteMetadataStore(file);
  EXPECT_EQ(store.status().code(), core::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace modelhost::store

// StoreTest: a fixture with a fresh SQLite MetadataStore in a per-test
// temporary data directory, and Reopen() to check what persists.

#ifndef MODELHOST_TESTS_UNIT_STORE_STORE_FIXTURE_H_
#define MODELHOST_TESTS_UNIT_STORE_STORE_FIXTURE_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/metadata_store.h"

namespace modelhost::store {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::path(::testing::TempDir()) /
        ("store_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(directory_);
    Reopen();
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  // Closes the store and opens it again from its files.
  void Reopen() {
    store_.reset();
    auto store = OpenSqliteMetadataStore(directory_.string());
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
  }

  std::filesystem::path directory_;
  std::unique_ptr<MetadataStore> store_;
};

}  // namespace modelhost::store

#endif  // MODELHOST_TESTS_UNIT_STORE_STORE_FIXTURE_H_

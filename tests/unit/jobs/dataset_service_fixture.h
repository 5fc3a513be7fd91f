// DatasetServiceTestBase: a DatasetService over a fresh SQLite store in a
// per-test data directory, and the Pima CSV of tests/data to import.

#ifndef MODELHOST_TESTS_UNIT_JOBS_DATASET_SERVICE_FIXTURE_H_
#define MODELHOST_TESTS_UNIT_JOBS_DATASET_SERVICE_FIXTURE_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "jobs/dataset_service.h"
#include "store/metadata_store.h"

namespace modelhost::jobs {

inline const std::string kPimaCsv = std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes.csv";

class DatasetServiceTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) /
            ("datasets_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(root_);
    auto store = store::OpenSqliteMetadataStore(root_.string());
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    service_ = std::make_unique<DatasetService>(store_.get(), root_.string());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  store::DatasetRecord ImportPima() {
    auto record = service_->Import({.name = "pima", .file = kPimaCsv});
    EXPECT_TRUE(record.ok()) << record.status().message();
    return record.ok() ? *record : store::DatasetRecord{};
  }

  std::filesystem::path root_;
  std::unique_ptr<store::MetadataStore> store_;
  std::unique_ptr<DatasetService> service_;
};

}  // namespace modelhost::jobs

#endif  // MODELHOST_TESTS_UNIT_JOBS_DATASET_SERVICE_FIXTURE_H_

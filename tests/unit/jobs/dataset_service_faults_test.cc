// DatasetService when the store fails partway: a delete that cannot commit
// keeps the dataset and its files, and a split whose later part cannot be
// stored leaves none of its parts. The faults are real SQLite errors, set up
// through a second connection to the store's database (a deferred foreign
// key that fails the COMMIT, a trigger that refuses an INSERT).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dataset_service_fixture.h"
#include "jobs/dataset_service.h"
#include "store/artifact_paths.h"
#include "store/sqlite_database.h"

namespace modelhost::jobs {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class DatasetServiceFaultsTest : public DatasetServiceTestBase {
 protected:
  // Runs `sql` on a second connection to the store's database.
  void OnTheDatabase(const std::string& sql, const std::vector<store::SqlValue>& parameters = {}) {
    auto database =
        store::SqliteDatabase::Open((root_ / "modelhost.db").string(), store::MetadataMigrations());
    ASSERT_TRUE(database.ok()) << database.status().message();
    auto done = (*database)->Query(sql, parameters);
    ASSERT_TRUE(done.ok()) << done.status().message();
  }

  // The entries of <data_dir>/datasets.
  std::vector<std::string> DatasetDirectories() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(root_ / "datasets")) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }
};

TEST_F(DatasetServiceFaultsTest, ADeleteThatFailsToCommitKeepsTheDatasetAndItsFiles) {
  const store::DatasetRecord dataset = ImportPima();
  // Checked only at COMMIT, after the DELETE itself succeeded.
  OnTheDatabase(
      "CREATE TABLE keeper (dataset TEXT REFERENCES datasets(id) "
      "DEFERRABLE INITIALLY DEFERRED)");
  OnTheDatabase("INSERT INTO keeper (dataset) VALUES (?)", {dataset.id});

  core::Status deleted = service_->Delete(dataset.id);
  EXPECT_FALSE(deleted.ok());
  EXPECT_THAT(deleted.message(), HasSubstr("FOREIGN KEY"));
  ASSERT_TRUE(service_->Get(dataset.id).ok());
  EXPECT_TRUE(fs::exists(store::DatasetFilePath(root_.string(), dataset.id)));
  auto rows = service_->RowsJson(dataset.id, 0, 1);
  EXPECT_TRUE(rows.ok()) << rows.status().message();
}

TEST_F(DatasetServiceFaultsTest, ASplitWhoseLaterPartCannotBeStoredLeavesNoPart) {
  const store::DatasetRecord parent = ImportPima();
  OnTheDatabase(
      "CREATE TRIGGER refuse_test_parts BEFORE INSERT ON datasets WHEN NEW.name LIKE '%-test' "
      "BEGIN SELECT RAISE(ABORT, 'no test part today'); END");

  auto parts = service_->Split(
      parent.id, {.train_fraction = 0.8, .test_fraction = 0.2, .job_id = "job_00000000000000f1"});
  ASSERT_FALSE(parts.ok());
  EXPECT_THAT(parts.status().message(), HasSubstr("no test part today"));
  auto listed = service_->List();
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  ASSERT_EQ(listed->size(), 1u);  // the parent alone: no "pima-train"
  EXPECT_EQ((*listed)[0].id, parent.id);
  EXPECT_THAT(DatasetDirectories(), ::testing::ElementsAre(parent.id));
}

}  // namespace
}  // namespace modelhost::jobs

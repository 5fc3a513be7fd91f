#include "store/sqlite_database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <variant>
#include <vector>

namespace modelhost::store {
namespace {

using ::testing::HasSubstr;

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::path(::testing::TempDir()) /
        ("sqlite_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override {
    std::filesystem::permissions(directory_, std::filesystem::perms::owner_all);
    std::filesystem::remove_all(directory_);
  }
  std::string DatabasePath() const { return (directory_ / "test.db").string(); }

  std::filesystem::path directory_;
};

constexpr Migration kTwoSteps[] = {
    {1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"},
    {2, "item sizes", "ALTER TABLE items ADD COLUMN size INTEGER NOT NULL DEFAULT 0"},
};

TEST_F(SqliteDatabaseTest, OpenAppliesMigrationsAndUsesWal) {
  auto database = SqliteDatabase::Open(DatabasePath(), kTwoSteps);
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  EXPECT_EQ(*(*database)->SchemaVersion(), 2);
  EXPECT_TRUE((*database)->Execute("INSERT INTO items (name, size) VALUES ('a', 3)").ok());
  EXPECT_TRUE(std::filesystem::exists(DatabasePath() + "-wal"));
}

TEST_F(SqliteDatabaseTest, ReopeningAppliesOnlyNewMigrations) {
  {
    auto first = SqliteDatabase::Open(DatabasePath(), std::span(kTwoSteps).first(1));
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE((*first)->Execute("INSERT INTO items (name) VALUES ('kept')").ok());
  }
  auto second = SqliteDatabase::Open(DatabasePath(), kTwoSteps);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(*(*second)->SchemaVersion(), 2);
  // The row written before the second migration is still there: a unique
  // index on name makes a second 'kept' fail, which it could not if the row were gone.
  ASSERT_TRUE((*second)->Execute("CREATE UNIQUE INDEX item_names ON items (name)").ok());
  core::Status duplicate = (*second)->Execute("INSERT INTO items (name, size) VALUES ('kept', 1)");
  EXPECT_THAT(duplicate.message(), HasSubstr("UNIQUE constraint failed"));
}

TEST_F(SqliteDatabaseTest, NewerSchemaThanThisBuildIsRefused) {
  ASSERT_TRUE(SqliteDatabase::Open(DatabasePath(), kTwoSteps).ok());
  auto older_build = SqliteDatabase::Open(DatabasePath(), std::span(kTwoSteps).first(1));
  ASSERT_FALSE(older_build.ok());
  EXPECT_EQ(older_build.status().code(), core::StatusCode::kFailedPrecondition);
  EXPECT_THAT(older_build.status().message(), HasSubstr("newer release"));
}

TEST_F(SqliteDatabaseTest, FailingMigrationIsRolledBackAndNamed) {
  constexpr Migration kBroken[] = {
      {1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY)"},
      {2, "broken", "CREATE TABLE extra (x INTEGER); INSERT INTO no_such_table VALUES (1)"},
  };
  auto database = SqliteDatabase::Open(DatabasePath(), kBroken);
  ASSERT_FALSE(database.ok());
  EXPECT_THAT(database.status().message(), HasSubstr("migration 2 (broken)"));
  EXPECT_THAT(database.status().message(), HasSubstr("no_such_table"));
  // Version 1 committed, version 2 left no trace.
  auto reopened = SqliteDatabase::Open(DatabasePath(), std::span(kBroken).first(1));
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*(*reopened)->SchemaVersion(), 1);
  EXPECT_TRUE((*reopened)->Execute("CREATE TABLE extra (x INTEGER)").ok());
}

TEST_F(SqliteDatabaseTest, UnwritableDirectoryIsUnavailableAndNamesPath) {
  if (::geteuid() == 0) {
    // root ignores permission bits; an unreachable parent path is refused for everyone.
    auto database = SqliteDatabase::Open((directory_ / "missing" / "x.db").string(), kTwoSteps);
    ASSERT_FALSE(database.ok());
    EXPECT_EQ(database.status().code(), core::StatusCode::kUnavailable);
    EXPECT_THAT(database.status().message(), HasSubstr("missing/x.db"));
    return;
  }
  std::filesystem::permissions(
      directory_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  auto database = SqliteDatabase::Open(DatabasePath(), kTwoSteps);
  ASSERT_FALSE(database.ok());
  EXPECT_EQ(database.status().code(), core::StatusCode::kUnavailable);
  EXPECT_THAT(database.status().message(), HasSubstr(DatabasePath()));
}

TEST_F(SqliteDatabaseTest, FileThatIsNotADatabaseIsRefused) {
  std::ofstream(DatabasePath())
      << "this is not an SQLite file, it is plain text padding out a page";
  auto database = SqliteDatabase::Open(DatabasePath(), kTwoSteps);
  ASSERT_FALSE(database.ok());
  EXPECT_THAT(database.status().message(), HasSubstr(DatabasePath()));
}

TEST_F(SqliteDatabaseTest, ConcurrentOpenersOfAFreshFileAllSucceed) {
  // Several connections race to migrate the same new file; each migration must
  // run once (a second CREATE TABLE would fail) and every opener succeed.
  for (int round = 0; round < 10; ++round) {
    std::string path = (directory_ / ("race" + std::to_string(round) + ".db")).string();
    std::atomic<int> ready{0};
    std::vector<core::Status> results(4);
    std::vector<std::thread> openers;
    for (size_t opener = 0; opener < results.size(); ++opener) {
      openers.emplace_back([&, opener] {
        ready.fetch_add(1);
        while (ready.load() < static_cast<int>(results.size())) std::this_thread::yield();
        results[opener] = SqliteDatabase::Open(path, kTwoSteps).status();
      });
    }
    for (auto& thread : openers) thread.join();
    for (const core::Status& status : results) EXPECT_TRUE(status.ok()) << status.ToString();
  }
}

TEST_F(SqliteDatabaseTest, MetadataMigrationsApplyToAFreshFile) {
  auto database = SqliteDatabase::Open(DatabasePath(), MetadataMigrations());
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  EXPECT_EQ(*(*database)->SchemaVersion(), MetadataMigrations().back().version);
}

}  // namespace
}  // namespace modelhost::store

namespace modelhost::store {
namespace {

class SqliteQueryTest : public SqliteDatabaseTest {
 protected:
  void SetUp() override {
    SqliteDatabaseTest::SetUp();
    auto opened = SqliteDatabase::Open(DatabasePath(), kTwoSteps);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    database_ = std::move(*opened);
  }
  std::unique_ptr<SqliteDatabase> database_;
};

TEST_F(SqliteQueryTest, ParametersAreBoundAndEveryTypeComesBack) {
  const SqlValue row[] = {int64_t{7}, std::string("it's \"quoted\"; DROP TABLE items")};
  ASSERT_TRUE(database_->Query("INSERT INTO items (id, name) VALUES (?, ?)", row).ok());
  auto rows = database_->Query("SELECT id, name, size * 1.5, NULL FROM items");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(std::get<int64_t>((*rows)[0][0]), 7);
  EXPECT_EQ(std::get<std::string>((*rows)[0][1]), "it's \"quoted\"; DROP TABLE items");
  EXPECT_EQ(std::get<double>((*rows)[0][2]), 0.0);
  EXPECT_TRUE(std::holds_alternative<std::nullptr_t>((*rows)[0][3]));
}

TEST_F(SqliteQueryTest, ErrorsAreClassified) {
  const SqlValue row[] = {int64_t{1}, std::string("a")};
  ASSERT_TRUE(database_->Query("INSERT INTO items (id, name) VALUES (?, ?)", row).ok());
  EXPECT_EQ(database_->Query("INSERT INTO items (id, name) VALUES (?, ?)", row).status().code(),
            core::StatusCode::kAlreadyExists);
  const SqlValue one[] = {int64_t{1}};
  auto miscounted = database_->Query("INSERT INTO items (id, name) VALUES (?, ?)", one);
  EXPECT_EQ(miscounted.status().code(), core::StatusCode::kInternal);
  EXPECT_THAT(miscounted.status().message(), HasSubstr("1 parameters for 2 placeholders"));
  EXPECT_THAT(database_->Query("SELECT nope FROM items").status().message(),
              HasSubstr("no such column"));
}

TEST_F(SqliteQueryTest, TransactionCommitsOnOkAndRollsBackOnError) {
  const SqlValue first[] = {int64_t{1}, std::string("kept")};
  const SqlValue second[] = {int64_t{2}, std::string("dropped")};
  ASSERT_TRUE(
      database_
          ->InTransaction([&] {
            return database_->Query("INSERT INTO items (id, name) VALUES (?, ?)", first).status();
          })
          .ok());
  core::Status failed = database_->InTransaction([&]() -> core::Status {
    MODELHOST_RETURN_IF_ERROR(
        database_->Query("INSERT INTO items (id, name) VALUES (?, ?)", second).status());
    return core::FailedPrecondition("changed my mind");
  });
  EXPECT_EQ(failed.message(), "changed my mind");
  auto rows = database_->Query("SELECT name FROM items ORDER BY id");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(std::get<std::string>((*rows)[0][0]), "kept");
}

// Without the connection lock, another thread's INSERT would run inside the
// open transaction and be rolled back with it.
TEST_F(SqliteQueryTest, OtherThreadsStatementsStayOutOfAnOpenTransaction) {
  std::atomic<bool> inside{false};
  std::thread other;
  core::Status rolled_back = database_->InTransaction([&]() -> core::Status {
    other = std::thread([&] {
      inside.wait(false);
      const SqlValue row[] = {int64_t{9}, std::string("other thread")};
      EXPECT_TRUE(database_->Query("INSERT INTO items (id, name) VALUES (?, ?)", row).ok());
    });
    inside = true;
    inside.notify_one();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return core::Internal("roll back");
  });
  other.join();
  EXPECT_FALSE(rolled_back.ok());
  auto rows = database_->Query("SELECT name FROM items");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(std::get<std::string>((*rows)[0][0]), "other thread");
}

}  // namespace
}  // namespace modelhost::store

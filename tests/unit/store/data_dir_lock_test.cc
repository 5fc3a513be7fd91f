#include "store/data_dir_lock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace modelhost::store {
namespace {

using ::testing::HasSubstr;

class DataDirLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::path(::testing::TempDir()) /
        ("lock_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::filesystem::path directory_;
};

TEST_F(DataDirLockTest, OneHolderAtATimeNamedByItsPid) {
  const std::string data_dir = (directory_ / "nested").string();
  auto held = DataDirLock::Acquire(data_dir);
  ASSERT_TRUE(held.ok()) << held.status().message();
  EXPECT_TRUE(std::filesystem::exists(directory_ / "nested" / "modelhost.lock"));

  // flock locks belong to the open file, so a second open in this process is
  // refused as another process's would be.
  auto refused = DataDirLock::Acquire(data_dir);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), core::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      refused.status().message(),
      HasSubstr("data directory " + data_dir + " is in use by another modelhost process (pid " +
                std::to_string(::getpid()) + ")"));
  EXPECT_THAT(refused.status().message(), HasSubstr(data_dir + "/modelhost.lock"));

  held->reset();
  auto again = DataDirLock::Acquire(data_dir);
  EXPECT_TRUE(again.ok()) << again.status().message();
}

TEST_F(DataDirLockTest, ADataDirThatIsAFileIsNamed) {
  std::filesystem::create_directories(directory_);
  const std::string file = (directory_ / "file").string();
  { std::ofstream(file) << "x"; }
  auto refused = DataDirLock::Acquire(file);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), core::StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr(file));
}

}  // namespace
}  // namespace modelhost::store

#include "cli/remote_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace modelhost::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class RemoteConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("remote_config_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  static mode_t ModeOf(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 0777;
  }

  fs::path root_;
};

TEST_F(RemoteConfigTest, DirectoryFollowsXdgElseHome) {
  EXPECT_EQ(*RemoteConfigDirectory({{"HOME", "/home/a"}}), "/home/a/.config/modelhost");
  EXPECT_EQ(*RemoteConfigDirectory({{"HOME", "/home/a"}, {"XDG_CONFIG_HOME", "/x"}}),
            "/x/modelhost");
  // A relative XDG_CONFIG_HOME is invalid by the spec: ignored.
  EXPECT_EQ(*RemoteConfigDirectory({{"HOME", "/home/a"}, {"XDG_CONFIG_HOME", "rel"}}),
            "/home/a/.config/modelhost");
  EXPECT_EQ(RemoteConfigDirectory({}).status().code(), core::StatusCode::kFailedPrecondition);
}

TEST_F(RemoteConfigTest, SavedPrivatelyAndReadBack) {
  std::string directory = (root_ / "modelhost").string();
  ASSERT_TRUE(SaveRemoteConfig(directory, {"http://h:1", "mh_key"}).ok());
  EXPECT_EQ(ModeOf(directory), 0700u);
  EXPECT_EQ(ModeOf(RemoteConfigPath(directory)), 0600u);
  auto loaded = LoadRemoteConfig(directory);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->url, "http://h:1");
  EXPECT_EQ(loaded->api_key, "mh_key");

  // An existing, wider directory is narrowed.
  fs::permissions(directory, fs::perms::all);
  ASSERT_TRUE(SaveRemoteConfig(directory, {"http://h:2", ""}).ok());
  EXPECT_EQ(ModeOf(directory), 0700u);
  EXPECT_EQ(LoadRemoteConfig(directory)->url, "http://h:2");

  EXPECT_TRUE(*RemoveRemoteConfig(directory));
  EXPECT_FALSE(*RemoveRemoteConfig(directory));
  EXPECT_EQ(LoadRemoteConfig(directory).status().code(), core::StatusCode::kNotFound);
}

TEST_F(RemoteConfigTest, CorruptFileIsDataLossNamingIt) {
  std::string directory = root_.string();
  std::ofstream(RemoteConfigPath(directory)) << R"({"url": 3})";
  auto loaded = LoadRemoteConfig(directory);
  EXPECT_EQ(loaded.status().code(), core::StatusCode::kDataLoss);
  EXPECT_THAT(loaded.status().message(), HasSubstr("credentials.json"));
}

TEST_F(RemoteConfigTest, EnvironmentOverridesTheFileFieldByField) {
  Environment environment = {{"XDG_CONFIG_HOME", root_.string()}};
  std::string directory = *RemoteConfigDirectory(environment);
  ASSERT_TRUE(SaveRemoteConfig(directory, {"http://stored:1", "stored_key"}).ok());

  EXPECT_EQ(ResolveRemoteConfig(environment)->api_key, "stored_key");
  environment["MODELHOST_URL"] = "http://env:2";
  auto resolved = ResolveRemoteConfig(environment);
  EXPECT_EQ(resolved->url, "http://env:2");
  EXPECT_EQ(resolved->api_key, "stored_key");
  environment["MODELHOST_API_KEY"] = "env_key";
  EXPECT_EQ(ResolveRemoteConfig(environment)->api_key, "env_key");
}

TEST_F(RemoteConfigTest, NothingConfiguredSaysHowToConfigure) {
  auto resolved = ResolveRemoteConfig({{"XDG_CONFIG_HOME", root_.string()}});
  EXPECT_EQ(resolved.status().code(), core::StatusCode::kFailedPrecondition);
  EXPECT_THAT(resolved.status().message(), HasSubstr("modelhost login"));
  // The environment alone is enough, even without a home.
  EXPECT_EQ(ResolveRemoteConfig({{"MODELHOST_URL", "http://env:2"}})->url, "http://env:2");
}

}  // namespace
}  // namespace modelhost::cli

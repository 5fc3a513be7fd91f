// The data directory's contract with the real binary: one server per data
// directory (a second one stops before it touches anything), and what a
// server clears at start (tmp/).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "server_process.h"

namespace modelhost::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

class DataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = fs::path(::testing::TempDir()) /
                ("data_dir_" +
                 std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(data_dir_);
  }
  void TearDown() override { fs::remove_all(data_dir_); }

  static void WriteFile(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  fs::path data_dir_;
};

TEST_F(DataDirTest, ASecondServerOnTheSameDataDirStopsBeforeTouchingIt) {
  ServerProcess first(data_dir_.string());
  ASSERT_NE(first.port(), 0);
  const std::string pima =
      ReadWholeFile(std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes.csv");
  HttpReply uploaded =
      HttpRequest(first.port(), "POST", "/v1/datasets?name=pima", pima, first.AdminAuth());
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const std::string dataset = Json::parse(uploaded.body)["id"];
  // What the first server is in the middle of writing, as a second one's
  // start-up sweeps would find it.
  const fs::path staging = data_dir_ / "datasets" / "ds_00000000000000aa.staging" / "data.mhd";
  WriteFile(staging, "a split being written");
  const fs::path upload = data_dir_ / "uploads" / "body-in-flight";
  WriteFile(upload, "a request body being received");

  // On the first one's port, as a restart script racing it would: the data
  // directory is refused before the port is tried.
  CommandResult second =
      RunModelhost({"serve", "--host", "127.0.0.1", "--port", std::to_string(first.port()),
                    "--data-dir", data_dir_.string()});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.stderr_text, HasSubstr("data directory " + data_dir_.string() +
                                            " is in use by another modelhost process (pid "));
  EXPECT_THAT(second.stderr_text, HasSubstr((data_dir_ / "modelhost.lock").string()));
  EXPECT_THAT(second.stderr_text, Not(HasSubstr("Address already in use")));

  EXPECT_TRUE(fs::exists(staging));
  EXPECT_TRUE(fs::exists(upload));
  HttpReply listed =
      HttpRequest(first.port(), "GET", "/v1/datasets/" + dataset, "", first.AdminAuth());
  EXPECT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(first.StopWith(SIGTERM), 0);

  // Once the first has stopped, the directory is free again.
  ServerProcess third(data_dir_.string());
  EXPECT_NE(third.port(), 0);
}

// A server killed while it staged a bundle upload or a trained model leaves
// its staging directory under tmp/; the next start removes it.
TEST_F(DataDirTest, WhatAKilledServerLeftInTmpIsGoneOnceTheNextListens) {
  WriteFile(data_dir_ / "tmp" / "upload-X" / "model" / "weights.safetensors", "half a bundle");
  WriteFile(data_dir_ / "tmp" / "job-Y" / "junk", "half a model");
  ServerProcess server(data_dir_.string());
  ASSERT_NE(server.port(), 0);
  EXPECT_FALSE(fs::exists(data_dir_ / "tmp" / "upload-X"));
  EXPECT_FALSE(fs::exists(data_dir_ / "tmp" / "job-Y"));
  EXPECT_EQ(server.StopWith(SIGTERM), 0);
}

}  // namespace
}  // namespace modelhost::testing

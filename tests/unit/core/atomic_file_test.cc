#include "core/atomic_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/file_reader.h"

namespace modelhost::core {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "atomic_file_test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::permissions(dir_, fs::perms::owner_all, ignored);
    fs::remove_all(dir_, ignored);
  }

  // Names of the entries of the test directory, sorted.
  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(AtomicFileTest, WriteFileAtomicallyCreatesAndReplaces) {
  const std::string path = Path("model.json");
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  Result<std::string> read = ReadFileToString(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "first");

  ASSERT_TRUE(WriteFileAtomically(path, "second, longer").ok());
  read = ReadFileToString(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "second, longer");
  EXPECT_THAT(Entries(), ElementsAre("model.json"));  // no temporary file left behind
}

TEST_F(AtomicFileTest, OldContentStaysUntilCommit) {
  const std::string path = Path("data.csv");
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  Result<std::unique_ptr<AtomicFileWriter>> writer = AtomicFileWriter::Create(path);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE((*writer)->Append("new ").ok());
  ASSERT_TRUE((*writer)->Append("content").ok());

  EXPECT_EQ(ReadFileToString(path).value(), "old");
  // The temporary file is a sibling of the target, with a hidden unique name.
  const fs::path temp((*writer)->temp_path());
  EXPECT_EQ(temp.parent_path(), dir_);
  EXPECT_THAT(temp.filename().string(), StartsWith(".data.csv.tmp-"));
  EXPECT_TRUE(fs::exists(temp));

  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ(ReadFileToString(path).value(), "new content");
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_THAT(Entries(), ElementsAre("data.csv"));
}

TEST_F(AtomicFileTest, AbandonedWriterLeavesOldFileAndNoTemporary) {
  const std::string path = Path("weights.bin");
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  std::string temp_path;
  {
    Result<std::unique_ptr<AtomicFileWriter>> writer = AtomicFileWriter::Create(path);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append(std::string(200 * 1024, 'x')).ok());  // reaches the disk
    temp_path = (*writer)->temp_path();
    EXPECT_TRUE(fs::exists(temp_path));
  }
  EXPECT_FALSE(fs::exists(temp_path));
  EXPECT_EQ(ReadFileToString(path).value(), "old");
  EXPECT_THAT(Entries(), ElementsAre("weights.bin"));
}

TEST_F(AtomicFileTest, AbandonedWriterForNewFileCreatesNothing) {
  const std::string path = Path("never.txt");
  {
    Result<std::unique_ptr<AtomicFileWriter>> writer = AtomicFileWriter::Create(path);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append("x").ok());
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(Entries().empty());
}

TEST_F(AtomicFileTest, LargeMixedAppendsKeepOrder) {
  const std::string path = Path("big.bin");
  Result<std::unique_ptr<AtomicFileWriter>> writer = AtomicFileWriter::Create(path);
  ASSERT_TRUE(writer.ok());
  std::string expected;
  // Small appends that fill the buffer, then appends larger than it.
  for (int piece = 0; piece < 3000; ++piece) {
    std::string small = std::to_string(piece) + ",";
    expected += small;
    ASSERT_TRUE((*writer)->Append(small).ok());
  }
  for (char fill : {'a', 'b'}) {
    std::string large(100 * 1024 + 7, fill);
    expected += large;
    ASSERT_TRUE((*writer)->Append(large).ok());
    ASSERT_TRUE((*writer)->Append("|").ok());
    expected += "|";
  }
  ASSERT_TRUE((*writer)->Commit().ok());
  Result<std::string> read = ReadFileToString(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->size(), expected.size());
  EXPECT_TRUE(*read == expected);
}

TEST_F(AtomicFileTest, CommittedFileHasRequestedMode) {
  const std::string path = Path("secret");
  ASSERT_TRUE(WriteFileAtomically(path, "k", {.mode = 0600}).ok());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_TRUE(WriteFileAtomically(path, "k").ok());
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u);
}

TEST_F(AtomicFileTest, AppendOrCommitAfterCommitFails) {
  Result<std::unique_ptr<AtomicFileWriter>> writer = AtomicFileWriter::Create(Path("once"));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ(ReadFileToString(Path("once")).value(), "");
  EXPECT_EQ((*writer)->Append("x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*writer)->Commit().code(), StatusCode::kFailedPrecondition);
}

TEST_F(AtomicFileTest, MissingDirectoryIsNotFoundNamingThePath) {
  const std::string path = Path("no/such/dir/file.json");
  Result<std::unique_ptr<AtomicFileWriter>> writer = AtomicFileWriter::Create(path);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(writer.status().message(), HasSubstr("'" + path + "'"));
  EXPECT_THAT(writer.status().message(), HasSubstr("No such file or directory"));

  Status status = WriteFileAtomically(path, "x");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr(path));
}

TEST_F(AtomicFileTest, ParentThatIsAFileIsAnErrorNamingThePath) {
  ASSERT_TRUE(WriteFileAtomically(Path("plain"), "x").ok());
  const std::string path = Path("plain/child");
  Status status = WriteFileAtomically(path, "y");
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("'" + path + "'"));
  EXPECT_THAT(status.message(), HasSubstr("Not a directory"));
}

TEST_F(AtomicFileTest, UnwritableDirectoryIsPermissionDenied) {
  std::string path;
  if (::geteuid() == 0) {
    // Root ignores permission bits, but sysfs refuses new files to anyone.
    if (!fs::is_directory("/sys/kernel")) GTEST_SKIP() << "no sysfs to test with as root";
    path = "/sys/kernel/modelhost-atomic-file-test";
  } else {
    const fs::path locked = dir_ / "locked";
    ASSERT_TRUE(fs::create_directory(locked));
    path = (locked / "f").string();
    ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  }
  Status status = WriteFileAtomically(path, "new");
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("'" + path + "'"));
  EXPECT_THAT(status.message(), HasSubstr("Permission denied"));
  if (::geteuid() != 0) {
    EXPECT_EQ(ReadFileToString(path).value(), "old");
  }
}

TEST_F(AtomicFileTest, TargetThatIsADirectoryFailsAtCommitAndCleansUp) {
  ASSERT_TRUE(fs::create_directory(dir_ / "sub"));
  ASSERT_TRUE(WriteFileAtomically(Path("sub/keep"), "k").ok());
  const std::string path = Path("sub");
  Status status = WriteFileAtomically(path, "x");
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("'" + path + "'"));
  EXPECT_THAT(Entries(), ElementsAre("sub"));  // the temporary file was removed
}

TEST_F(AtomicFileTest, PathWithoutFileNameIsInvalidArgument) {
  EXPECT_EQ(AtomicFileWriter::Create("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AtomicFileWriter::Create(Path("dir") + "/").status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace modelhost::core

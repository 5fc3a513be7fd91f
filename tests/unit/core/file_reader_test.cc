#include "core/file_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <new>
#include <thread>
#include <vector>

namespace modelhost::core {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class FileReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "file_reader_test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  fs::path dir_;
};

TEST_F(FileReaderTest, ReadsBinaryContentExactly) {
  std::string binary;
  for (int byte = 0; byte < 256; ++byte) binary.push_back(static_cast<char>(byte));
  binary += binary;
  Result<std::string> read = ReadFileToString(Write("bin", binary));
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(*read == binary);
}

TEST_F(FileReaderTest, ChunksArriveInOrderAndNoLargerThanAsked) {
  std::string content;
  for (int line = 0; line < 1000; ++line) content += std::to_string(line) + "\n";
  std::string joined;
  std::vector<size_t> sizes;
  Status status = ReadFileInChunks(Write("lines", content), 7, [&](std::string_view chunk) {
    sizes.push_back(chunk.size());
    joined.append(chunk);
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(joined, content);
  EXPECT_EQ(sizes.size(), (content.size() + 6) / 7);
  for (size_t size : sizes) EXPECT_LE(size, 7u);
}

TEST_F(FileReaderTest, EmptyFileGivesNoChunks) {
  int calls = 0;
  EXPECT_TRUE(ReadFileInChunks(Write("empty", ""), 16, [&](std::string_view) { ++calls; }).ok());
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(ReadFileToString(Write("empty2", "")).value(), "");
}

TEST_F(FileReaderTest, ErrorsNameOperationPathAndReason) {
  const std::string missing = (dir_ / "missing.txt").string();
  Result<std::string> read = ReadFileToString(missing);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(read.status().message(), "open '" + missing + "': No such file or directory");

  Status directory = ReadFileInChunks(dir_.string(), 16, [](std::string_view) {});
  EXPECT_EQ(directory.code(), StatusCode::kInternal);
  EXPECT_THAT(directory.message(), HasSubstr("read '" + dir_.string() + "': Is a directory"));
}

TEST_F(FileReaderTest, WholeFileReadInPartsIsExact) {
  // Past two 8 MiB parts, with a tail that does not divide evenly.
  std::string content((size_t{17} << 20) + 3, '\0');
  uint32_t state = 1;
  for (char& byte : content) {
    state = state * 1664525 + 1013904223;
    byte = static_cast<char>(state >> 24);
  }
  const std::string path = Write("large", content);
  for (size_t threads : {1, 2, 3, 8}) {
    Result<FileContent> read = ReadWholeFile(path, threads);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(read->size(), content.size());
    EXPECT_TRUE(read->view() == content) << threads << " threads";
  }
  Result<FileContent> small = ReadWholeFile(Write("small", "a,b\n1,2\n"), 2);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->view(), "a,b\n1,2\n");
  Result<FileContent> empty = ReadWholeFile(Write("empty", ""), 2);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->size(), 0u);
}

TEST_F(FileReaderTest, WholeFileReadsWhatHasNoSizeToEnd) {
  // /proc files say they are empty; a FIFO has no size at all.
  Result<FileContent> status = ReadWholeFile("/proc/self/status", 2);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_THAT(std::string(status->view()), HasSubstr("Name:"));

  // /sys files say 4096 bytes and hold fewer.
  const std::string sys_file = "/sys/devices/system/cpu/online";
  Result<std::string> expected = ReadFileToString(sys_file);
  if (expected.ok()) {
    Result<FileContent> sys = ReadWholeFile(sys_file, 2);
    ASSERT_TRUE(sys.ok()) << sys.status().ToString();
    EXPECT_EQ(sys->view(), *expected);
  }

  const std::string fifo = (dir_ / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << "x,y\n3,4\n"; });
  Result<FileContent> piped = ReadWholeFile(fifo, 2);
  writer.join();
  ASSERT_TRUE(piped.ok()) << piped.status().ToString();
  EXPECT_EQ(piped->view(), "x,y\n3,4\n");
}

TEST_F(FileReaderTest, WholeFileErrorsNameOperationAndPath) {
  const std::string missing = (dir_ / "missing.csv").string();
  Result<FileContent> read = ReadWholeFile(missing, 2);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(read.status().message(), "open '" + missing + "': No such file or directory");
  Result<FileContent> directory = ReadWholeFile(dir_.string(), 2);
  ASSERT_FALSE(directory.ok());
  EXPECT_THAT(directory.status().message(), HasSubstr("read '" + dir_.string() + "'"));
}

// Counts this process's open file descriptors.
size_t OpenDescriptors() {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

TEST_F(FileReaderTest, ConsumerThatThrowsLeavesNoOpenDescriptor) {
  std::string path = Write("data", std::string(100, 'x'));
  size_t before = OpenDescriptors();
  for (int attempt = 0; attempt < 10; ++attempt) {
    EXPECT_THROW((void)ReadFileInChunks(path, 10, [](std::string_view) { throw std::bad_alloc(); }),
                 std::bad_alloc);
  }
  EXPECT_EQ(OpenDescriptors(), before);
}

TEST(PosixErrorStatusTest, MapsErrnoToCodes) {
  EXPECT_EQ(PosixErrorStatus(ENOENT, "open", "/x").code(), StatusCode::kNotFound);
  EXPECT_EQ(PosixErrorStatus(ENOTDIR, "open", "/x").code(), StatusCode::kNotFound);
  EXPECT_EQ(PosixErrorStatus(EACCES, "open", "/x").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(PosixErrorStatus(EROFS, "open", "/x").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(PosixErrorStatus(ENOSPC, "write", "/x").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(PosixErrorStatus(EMFILE, "open", "/x").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(PosixErrorStatus(EIO, "read", "/x").code(), StatusCode::kInternal);
  EXPECT_EQ(PosixErrorStatus(EACCES, "open", "/x").message(), "open '/x': Permission denied");
}

}  // namespace
}  // namespace modelhost::core

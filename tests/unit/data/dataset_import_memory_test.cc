// ImportCsvFile keeps to its memory budget: a CSV twice the budget's size is
// imported in a child process whose peak resident memory, counted from the
// moment the import starts (VmHWM reset through /proc/self/clear_refs), stays
// under the budget. Memory, not time: deterministic up to the allocator.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "data/dataset_import.h"
#include "data/dataset_reader.h"

namespace modelhost::data {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;  // ASan's shadow memory and quarantine count as RSS
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// The kB value of `key` ("VmHWM", "VmRSS") in /proc/self/status.
long StatusKilobytes(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(key + ":")) return std::stol(line.substr(key.size() + 1));
  }
  return -1;
}

TEST(DatasetImportMemoryTest, ACsvTwiceTheBudgetImportsWithinTheBudget) {
  if (kSanitized) GTEST_SKIP() << "RSS under a sanitizer says nothing about the import";
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() / ("import_memory_" + std::to_string(getpid()));
  std::filesystem::create_directories(directory);
  const std::string csv = (directory / "in.csv").string();
  const std::string stored = (directory / "out.mhds").string();
  constexpr size_t kBudget = size_t{16} << 20;
  {
    // 20 numeric columns, every 20th field missing, written as it is made.
    std::ofstream out(csv, std::ios::binary);
    out << "c0";
    for (int column = 1; column < 20; ++column) out << ",c" << column;
    out << "\n";
    uint64_t state = 88172645463325252ULL;
    std::string line;
    for (size_t written = 0; written < 2 * kBudget; written += line.size()) {
      line.clear();
      for (int column = 0; column < 20; ++column) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        if (column) line += ',';
        if (state % 20 == 0) continue;
        line += std::to_string(state % 100000);
        if (column % 2 == 0) line += ".5";
      }
      line += '\n';
      out << line;
    }
  }
  ASSERT_GE(std::filesystem::file_size(csv), 2 * kBudget);

  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    std::ofstream("/proc/self/clear_refs") << "5";  // VmHWM := VmRSS
    const long before = StatusKilobytes("VmHWM");
    ImportOptions options;
    options.memory_budget_bytes = kBudget;
    options.threads = 2;
    auto result = ImportCsvFile(csv, stored, {}, options);
    const long grown = result.ok() ? StatusKilobytes("VmHWM") - before : -1;
    const std::string report = std::to_string(grown);
    (void)!write(pipe_fds[1], report.data(), report.size());
    _exit(0);
  }
  close(pipe_fds[1]);
  char buffer[64] = {};
  const ssize_t got = read(pipe_fds[0], buffer, sizeof(buffer) - 1);
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_GT(got, 0);
  const long grown_kb = std::stol(buffer);
  ASSERT_GE(grown_kb, 0) << "the import failed";
  EXPECT_LE(static_cast<size_t>(grown_kb) * 1024, kBudget)
      << "peak grew by " << grown_kb << " kB over a " << (kBudget >> 10) << " kB budget";
  auto reader = DatasetReader::Open(stored);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_GT((*reader)->num_rows(), 0u);
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace modelhost::data

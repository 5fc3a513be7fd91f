// ImportCsvFile and ImportJsonLinesFile keep to their memory budget: a file
// twice the budget's size is imported in a child process whose peak resident
// memory, counted from the moment the import starts (VmHWM reset through
// /proc/self/clear_refs), stays under the budget. Memory, not time: deterministic up to the
// allocator.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

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

// Runs `import` in a child process and returns by how many kB its peak
// resident memory grew from the moment the import started; -1 when it failed.
long PeakGrowthKilobytes(const std::function<bool()>& import) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return -1;
  const pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) {
    close(pipe_fds[0]);
    std::ofstream("/proc/self/clear_refs") << "5";  // VmHWM := VmRSS
    const long before = StatusKilobytes("VmHWM");
    const bool ok = import();
    const long grown = ok ? StatusKilobytes("VmHWM") - before : -1;
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
  return got > 0 ? std::stol(buffer) : -1;
}

class DatasetImportMemoryTest : public ::testing::Test {
 protected:
  static constexpr size_t kBudget = size_t{16} << 20;

  void SetUp() override {
    if (kSanitized) GTEST_SKIP() << "RSS under a sanitizer says nothing about the import";
    directory_ =
        std::filesystem::temp_directory_path() / ("import_memory_" + std::to_string(getpid()));
    std::filesystem::create_directories(directory_);
    stored_ = (directory_ / "out.mhds").string();
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  // Lines of 20 numeric fields, every 20th missing, until the file holds
  // twice the budget; `make_line` makes one from the fields ("" missing).
  void WriteRows(std::ofstream& out,
                 const std::function<std::string(const std::vector<std::string>&)>& make_line) {
    uint64_t state = 88172645463325252ULL;
    std::vector<std::string> fields(20);
    for (size_t written = 0; written < 2 * kBudget;) {
      for (int column = 0; column < 20; ++column) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        fields[column].clear();
        if (state % 20 == 0) continue;
        fields[column] = std::to_string(state % 100000);
        if (column % 2 == 0) fields[column] += ".5";
      }
      const std::string line = make_line(fields);
      out << line;
      written += line.size();
    }
  }

  void ExpectWithinBudget(const std::string& input, const std::function<bool()>& import) {
    ASSERT_GE(std::filesystem::file_size(input), 2 * kBudget);
    const long grown_kb = PeakGrowthKilobytes(import);
    ASSERT_GE(grown_kb, 0) << "the import failed";
    EXPECT_LE(static_cast<size_t>(grown_kb) * 1024, kBudget)
        << "peak grew by " << grown_kb << " kB over a " << (kBudget >> 10) << " kB budget";
    auto reader = DatasetReader::Open(stored_);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    EXPECT_GT((*reader)->num_rows(), 0u);
  }

  std::filesystem::path directory_;
  std::string stored_;
};

TEST_F(DatasetImportMemoryTest, ACsvTwiceTheBudgetImportsWithinTheBudget) {
  const std::string csv = (directory_ / "in.csv").string();
  {
    std::ofstream out(csv, std::ios::binary);
    out << "c0";
    for (int column = 1; column < 20; ++column) out << ",c" << column;
    out << "\n";
    WriteRows(out, [](const std::vector<std::string>& fields) {
      std::string line;
      for (size_t column = 0; column < fields.size(); ++column) {
        if (column) line += ',';
        line += fields[column];
      }
      return line + '\n';
    });
  }
  ExpectWithinBudget(csv, [&] {
    ImportOptions options;
    options.memory_budget_bytes = kBudget;
    options.threads = 2;
    return ImportCsvFile(csv, stored_, {}, options).ok();
  });
}

TEST_F(DatasetImportMemoryTest, JsonLinesTwiceTheBudgetImportWithinTheBudget) {
  const std::string jsonl = (directory_ / "in.jsonl").string();
  {
    std::ofstream out(jsonl, std::ios::binary);
    WriteRows(out, [](const std::vector<std::string>& fields) {
      std::string line = "{";
      for (size_t column = 0; column < fields.size(); ++column) {
        if (fields[column].empty()) continue;  // a missing key
        if (line.size() > 1) line += ", ";
        line += "\"c" + std::to_string(column) + "\": " + fields[column];
      }
      return line + "}\n";
    });
  }
  ExpectWithinBudget(jsonl, [&] {
    ImportOptions options;
    options.memory_budget_bytes = kBudget;
    return ImportJsonLinesFile(jsonl, stored_, {}, options).ok();
  });
}

}  // namespace
}  // namespace modelhost::data

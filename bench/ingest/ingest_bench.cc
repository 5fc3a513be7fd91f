// bench/ingest's measuring binary; bench/ingest/run.sh drives it (and the
// pandas peer) and prints the table. Subcommands, each printing one
// "key value" line per figure:
//
//   generate PATH MIB            a deterministic numeric CSV of about MIB MiB:
//                                20 columns (float64 and int64 alternating),
//                                5 % of the fields empty (missing)
//   parse PATH                   ReadCsvFile once: seconds, MB/s, rows, and
//                                cpu_seconds (user + system, all threads)
//   stages PATH                  the parse's stages apart: reading the file,
//                                then ReadCsvBuffer on 1 and on 2 threads
//                                (wall and CPU seconds of each, and the
//                                system part of the CPU: page faults, copies)
//   import PATH OUT BUDGET_MIB   ImportCsvFile in a child process; the
//                                child's peak RSS (getrusage) and the budget
//   load OUT CSV                 ReadDataset once: seconds, MB/s (of the CSV)
//   profile OUT                  ProfileTable of the stored table (loaded
//                                first, untimed): seconds, and the columns
//                                whose quantiles and distinct counts are
//                                approximate (past 100,000 values)
//   checksum MIB                 CRC-32C and SHA-256 speed on MIB MiB

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/file_reader.h"
#include "core/sha256.h"
#include "data/csv_reader.h"
#include "data/dataset_checksum.h"
#include "data/dataset_import.h"
#include "data/dataset_reader.h"
#include "data/profile.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace data = modelhost::data;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double Seconds(const timeval& time) {
  return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
}

// User + system CPU seconds of the process so far, all threads.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return Seconds(usage.ru_utime) + Seconds(usage.ru_stime);
}

// System (kernel) CPU seconds of the process so far: page faults, copies.
double SystemSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return Seconds(usage.ru_stime);
}

double FileMegabytes(const std::string& path) {
  return static_cast<double>(std::filesystem::file_size(path)) / 1e6;
}

int Generate(const std::string& path, size_t mebibytes) {
  constexpr int kColumns = 20;
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) return 2;
  std::string line;
  for (int column = 0; column < kColumns; ++column) {
    line += (column ? ",c" : "c") + std::to_string(column);
  }
  line += '\n';
  std::fputs(line.c_str(), out);
  uint64_t state = 0x9E3779B97F4A7C15ULL;  // xorshift64: the same file on every machine
  const auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  size_t written = line.size();
  const size_t target = mebibytes << 20;
  char field[32];
  while (written < target) {
    line.clear();
    for (int column = 0; column < kColumns; ++column) {
      if (column) line += ',';
      const uint64_t draw = next();
      if (draw % 100 < 5) continue;  // missing
      if (column % 2 == 0) {
        const int64_t whole = static_cast<int64_t>((draw >> 8) % 20000) - 10000;
        std::snprintf(field, sizeof(field), "%" PRId64 ".%03u", whole,
                      static_cast<unsigned>((draw >> 32) % 1000));
      } else {
        std::snprintf(field, sizeof(field), "%" PRIu64, (draw >> 8) % 100000);
      }
      line += field;
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), out);
    written += line.size();
  }
  return std::fclose(out) == 0 ? 0 : 2;
}

int Parse(const std::string& path) {
  const auto start = Clock::now();
  const double cpu_start = CpuSeconds();
  auto result = data::ReadCsvFile(path);
  const double seconds = SecondsSince(start);
  const double cpu_seconds = CpuSeconds() - cpu_start;
  if (!result.ok()) {
    std::fprintf(stderr, "%s\n", result.status().ToString().c_str());
    return 2;
  }
  std::printf("seconds %.4f\ncpu_seconds %.4f\nmb_per_s %.1f\nrows %zu\n", seconds, cpu_seconds,
              FileMegabytes(path) / seconds, result->table.num_rows());
  return 0;
}

int Stages(const std::string& path) {
  auto start = Clock::now();
  double cpu_start = CpuSeconds();
  auto content = modelhost::core::ReadFileToString(path);
  if (!content.ok()) return 2;
  std::printf("read_seconds %.4f\nread_cpu_seconds %.4f\n", SecondsSince(start),
              CpuSeconds() - cpu_start);
  for (size_t threads : {1, 2}) {
    data::ReadCsvOptions options;
    options.threads = threads;
    start = Clock::now();
    cpu_start = CpuSeconds();
    const double system_start = SystemSeconds();
    auto result = data::ReadCsvBuffer(*content, path, options);
    if (!result.ok()) return 2;
    std::printf(
        "parse_%zu_thread_seconds %.4f\nparse_%zu_thread_cpu_seconds %.4f\n"
        "parse_%zu_thread_system_seconds %.4f\n",
        threads, SecondsSince(start), threads, CpuSeconds() - cpu_start, threads,
        SystemSeconds() - system_start);
  }
  return 0;
}

int Import(const std::string& path, const std::string& out, size_t budget_mib) {
  const pid_t child = fork();
  if (child < 0) return 2;
  if (child == 0) {
    data::ImportOptions options;
    options.memory_budget_bytes = budget_mib << 20;
    const auto start = Clock::now();
    auto result = data::ImportCsvFile(path, out, {}, options);
    if (!result.ok()) {
      std::fprintf(stderr, "%s\n", result.status().ToString().c_str());
      _exit(2);
    }
    std::printf("seconds %.4f\nmb_per_s %.1f\nrows %zu\nchunks %zu\npasses %zu\n",
                SecondsSince(start), FileMegabytes(path) / SecondsSince(start), result->rows,
                result->chunks, result->passes);
    std::fflush(stdout);
    _exit(0);
  }
  int status = 0;
  struct rusage usage {};
  if (wait4(child, &status, 0, &usage) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return 2;
  }
  const double peak_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is KiB
  std::printf("peak_rss_mib %.1f\nbudget_mib %zu\nwithin_budget %d\n", peak_mib, budget_mib,
              peak_mib <= static_cast<double>(budget_mib) ? 1 : 0);
  return 0;
}

int Load(const std::string& out, const std::string& csv) {
  const auto start = Clock::now();
  auto table = data::ReadDataset(out);
  const double seconds = SecondsSince(start);
  if (!table.ok()) {
    std::fprintf(stderr, "%s\n", table.status().ToString().c_str());
    return 2;
  }
  std::printf("seconds %.4f\nmb_per_s %.1f\nrows %zu\n", seconds, FileMegabytes(csv) / seconds,
              table->num_rows());
  return 0;
}

int Profile(const std::string& out) {
  auto table = data::ReadDataset(out);
  if (!table.ok()) {
    std::fprintf(stderr, "%s\n", table.status().ToString().c_str());
    return 2;
  }
  const auto start = Clock::now();
  const data::TableProfile profile = data::ProfileTable(*table);
  const double seconds = SecondsSince(start);
  size_t approximate = 0;
  for (const data::ColumnProfile& column : profile.columns) {
    if (column.distinct_approximate) ++approximate;
  }
  std::printf("seconds %.4f\ncolumns %zu\napproximate_distinct_columns %zu\n", seconds,
              profile.columns.size(), approximate);
  return 0;
}

int Checksum(size_t mebibytes) {
  std::string bytes(mebibytes << 20, '\0');
  for (size_t at = 0; at < bytes.size(); ++at) bytes[at] = static_cast<char>(at * 131 + 7);
  auto start = Clock::now();
  volatile uint32_t crc = data::Crc32c(bytes);
  const double crc_seconds = SecondsSince(start);
  start = Clock::now();
  modelhost::core::Sha256 sha;
  sha.Update(bytes);
  volatile uint8_t first = sha.Finish()[0];
  const double sha_seconds = SecondsSince(start);
  (void)crc;
  (void)first;
  const double gb = static_cast<double>(bytes.size()) / 1e9;
  std::printf("crc32c_gb_per_s %.2f\nsha256_gb_per_s %.2f\n", gb / crc_seconds, gb / sha_seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "generate" && argc == 4)
    return Generate(argv[2], std::strtoull(argv[3], nullptr, 10));
  if (command == "parse" && argc == 3) return Parse(argv[2]);
  if (command == "stages" && argc == 3) return Stages(argv[2]);
  if (command == "import" && argc == 5)
    return Import(argv[2], argv[3], std::strtoull(argv[4], nullptr, 10));
  if (command == "load" && argc == 4) return Load(argv[2], argv[3]);
  if (command == "profile" && argc == 3) return Profile(argv[2]);
  if (command == "checksum" && argc == 3) return Checksum(std::strtoull(argv[2], nullptr, 10));
  std::fprintf(stderr,
               "usage: ingest_bench generate PATH MIB | parse PATH | stages PATH | "
               "import PATH OUT BUDGET_MIB | "
               "load OUT CSV | profile OUT | checksum MIB\n");
  return 2;
}

// TransferProgress: the progress bar of `modelhost datasets upload` — bytes
// sent of the total, percentage, rate and time left — redrawn in place on a
// terminal (at most every 100 ms, and at the end), and nothing at all when
// the stream is not a terminal (a pipe or a file keeps only the command's
// answer):
//
//   pima.csv [=========>          ] 12.0 MiB / 40.0 MiB  30%  8.1 MiB/s  ETA 4s
//
// The rate counts the time until the last byte was sent, not the wait for the
// server's answer after it.
//
// Thread-safety: one thread at a time.

#ifndef MODELHOST_CLI_TRANSFER_PROGRESS_H_
#define MODELHOST_CLI_TRANSFER_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace modelhost::cli {

// `bytes` with a binary unit and one decimal: "512 B", "59.0 KiB", "1.5 GiB".
std::string FormatBytes(uint64_t bytes);

// A duration for humans, rounded up to whole seconds: "4s", "2m05s", "1h02m".
std::string FormatSeconds(double seconds);

// One line of progress: `label`, a bar, "<sent> / <total>", the percentage,
// the mean rate since the start and the time left at that rate ("--" while
// nothing has been sent or no time has passed).
std::string FormatTransferLine(const std::string& label, uint64_t sent, uint64_t total,
                               double elapsed_seconds);

class TransferProgress {
 public:
  // Draws on `out` (not owned) when `terminal`, else stays silent.
  TransferProgress(std::FILE* out, bool terminal, std::string label);

  // Records that `sent` of `total` bytes are sent; redraws when due.
  void Update(uint64_t sent, uint64_t total);
  // Draws the final state and ends the line (when anything was drawn).
  void Finish();

 private:
  using Clock = std::chrono::steady_clock;
  void Draw();

  std::FILE* out_;
  bool terminal_;
  std::string label_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_;
  std::optional<Clock::time_point> all_sent_;  // when the last byte went out
  uint64_t sent_ = 0;
  uint64_t total_ = 0;
  bool drawn_ = false;
};

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_TRANSFER_PROGRESS_H_

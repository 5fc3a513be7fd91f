#include "cli/transfer_progress.h"

#include <cmath>

namespace modelhost::cli {
namespace {

constexpr int kBarWidth = 20;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

}  // namespace

std::string FormatBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes) / 1024.0;
  size_t unit = 0;
  // Switch units before the one-decimal rounding would print "1024.0".
  while (value >= 1023.95 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f %s", value, kUnits[unit]);
  return text;
}

std::string FormatSeconds(double seconds) {
  long total = static_cast<long>(std::ceil(std::max(seconds, 0.0)));
  char text[32];
  if (total < 60) {
    std::snprintf(text, sizeof(text), "%lds", total);
  } else if (total < 3600) {
    std::snprintf(text, sizeof(text), "%ldm%02lds", total / 60, total % 60);
  } else {
    std::snprintf(text, sizeof(text), "%ldh%02ldm", total / 3600, total % 3600 / 60);
  }
  return text;
}

std::string FormatTransferLine(const std::string& label, uint64_t sent, uint64_t total,
                               double elapsed_seconds) {
  double fraction = total > 0 ? std::min(1.0, static_cast<double>(sent) / total) : 1.0;
  int filled = static_cast<int>(fraction * kBarWidth);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kBarWidth) bar += '>';
  bar.resize(kBarWidth, ' ');
  std::string rate = "--";
  std::string eta = "--";
  if (sent > 0 && elapsed_seconds > 0) {
    double bytes_per_second = static_cast<double>(sent) / elapsed_seconds;
    rate = FormatBytes(static_cast<uint64_t>(bytes_per_second)) + "/s";
    eta = FormatSeconds(static_cast<double>(total > sent ? total - sent : 0) / bytes_per_second);
  }
  char percent[8];
  std::snprintf(percent, sizeof(percent), "%3d%%", static_cast<int>(fraction * 100));
  return label + " [" + bar + "] " + FormatBytes(sent) + " / " + FormatBytes(total) + "  " +
         percent + "  " + rate + "  ETA " + eta;
}

TransferProgress::TransferProgress(std::FILE* out, bool terminal, std::string label)
    : out_(out), terminal_(terminal), label_(std::move(label)) {}

void TransferProgress::Update(uint64_t sent, uint64_t total) {
  sent_ = sent;
  total_ = total;
  if (!terminal_) return;
  Clock::time_point now = Clock::now();
  // The rate is the sending's: the wait for the server's answer after the
  // last byte does not count.
  if (sent >= total && !all_sent_) all_sent_ = now;
  if (now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  Draw();
}

void TransferProgress::Finish() {
  if (!terminal_ || !drawn_) return;
  Draw();
  std::fputc('\n', out_);
  std::fflush(out_);
}

void TransferProgress::Draw() {
  double elapsed = std::chrono::duration<double>(all_sent_.value_or(Clock::now()) - start_).count();
  std::string line = FormatTransferLine(label_, sent_, total_, elapsed);
  std::fprintf(out_, "\r\033[K%s", line.c_str());
  std::fflush(out_);
  drawn_ = true;
}

}  // namespace modelhost::cli

#include "cli/training_progress.h"

#include <atomic>
#include <cmath>

namespace modelhost::cli {
namespace {

std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

void OnInterrupt(int /*signal_number*/) { interrupted.store(true); }

void AppendValue(std::string& line, const std::string& key, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), " %s=%.4f", key.c_str(), value);
  line += buffer;
}

constexpr int kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

}  // namespace

CancelOnInterrupt::CancelOnInterrupt() {
  interrupted.store(false);
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_int_);
  sigaction(SIGTERM, &action, &previous_term_);
}

CancelOnInterrupt::~CancelOnInterrupt() {
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
}

bool CancelOnInterrupt::Interrupted() { return interrupted.load(); }

std::string FormatEpochLine(const nn::EpochLog& log, int epochs,
                            const std::vector<std::string>& metrics) {
  std::string line = "epoch " + std::to_string(log.epoch + 1) + "/" + std::to_string(epochs);
  std::vector<std::string> keys = {"loss"};
  keys.insert(keys.end(), metrics.begin(), metrics.end());
  for (const std::string& prefix : {std::string(), std::string("val_")}) {
    for (const std::string& key : keys) {
      auto found = log.values.find(prefix + key);
      if (found != log.values.end()) AppendValue(line, found->first, found->second);
    }
  }
  if (log.skipped_batches > 0) line += " skipped_batches=" + std::to_string(log.skipped_batches);
  return line;
}

TrainingProgress::TrainingProgress(std::FILE* out, bool terminal, int epochs,
                                   std::vector<std::string> metrics)
    : out_(out), terminal_(terminal), epochs_(epochs), metrics_(std::move(metrics)) {}

void TrainingProgress::OnBatchEnd(int epoch, int batch, int batches, double loss) {
  if (epoch != current_epoch_) {
    current_epoch_ = epoch;
    epoch_start_ = Clock::now();
    last_draw_ = Clock::time_point();
  }
  if (!terminal_) return;
  Clock::time_point now = Clock::now();
  int done = batch + 1;
  if (done < batches && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  double eta = batches > done ? elapsed / done * (batches - done) : 0.0;
  int filled = batches > 0 ? kBarWidth * done / batches : kBarWidth;
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kBarWidth) bar += '>';
  bar.resize(kBarWidth, ' ');
  std::fprintf(out_, "\r\033[Kepoch %d/%d [%s] %d/%d loss=%.4f ETA %.1fs", epoch + 1, epochs_,
               bar.c_str(), done, batches, loss, eta);
  std::fflush(out_);
}

void TrainingProgress::OnEpochEnd(const nn::EpochLog& log) {
  std::string line = FormatEpochLine(log, epochs_, metrics_);
  std::fprintf(out_, "%s%s\n", terminal_ ? "\r\033[K" : "", line.c_str());
  std::fflush(out_);
}

bool TrainingProgress::ShouldContinue() { return !CancelOnInterrupt::Interrupted(); }

}  // namespace modelhost::cli

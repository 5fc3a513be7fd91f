// TrainingProgress: the TrainingObserver of `modelhost train` — shows live
// progress on a stream and cancels training on SIGINT.
//
// On a terminal each epoch is a progress bar (batches done, running loss,
// ETA) rewritten in place, which becomes the epoch's summary line when the
// epoch ends. Otherwise (a pipe, a file) only the summary line is written,
// once per epoch:
//   epoch 3/10 loss=0.5213 accuracy=0.7405 val_loss=0.5530 val_accuracy=0.7208
//
// Cancellation: while a CancelOnInterrupt object lives, SIGINT (and SIGTERM)
// only set a flag, which ShouldContinue reads between batches.
//
// Thread-safety: one training thread; the signal handler only writes a
// lock-free atomic flag.

#ifndef MODELHOST_CLI_TRAINING_PROGRESS_H_
#define MODELHOST_CLI_TRAINING_PROGRESS_H_

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "nn/trainer.h"

namespace modelhost::cli {

// Installs the SIGINT/SIGTERM handlers for its lifetime; restores the
// previous ones on destruction. One at a time per process.
class CancelOnInterrupt {
 public:
  CancelOnInterrupt();
  ~CancelOnInterrupt();
  CancelOnInterrupt(const CancelOnInterrupt&) = delete;
  CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;

  // Whether a signal arrived since construction.
  static bool Interrupted();

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

// The summary of one epoch: "epoch E/N key=value …" with the loss first, then
// `metrics` in order, then the validation values in the same order.
std::string FormatEpochLine(const nn::EpochLog& log, int epochs,
                            const std::vector<std::string>& metrics);

class TrainingProgress : public nn::TrainingObserver {
 public:
  // Writes to `out` (not owned), as a terminal when `terminal`.
  TrainingProgress(std::FILE* out, bool terminal, int epochs, std::vector<std::string> metrics);

  void OnBatchEnd(int epoch, int batch, int batches, double loss) override;
  void OnEpochEnd(const nn::EpochLog& log) override;
  bool ShouldContinue() override;

 private:
  using Clock = std::chrono::steady_clock;

  std::FILE* out_;
  bool terminal_;
  int epochs_;
  std::vector<std::string> metrics_;
  Clock::time_point epoch_start_;
  Clock::time_point last_draw_;
  int current_epoch_ = -1;
};

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_TRAINING_PROGRESS_H_

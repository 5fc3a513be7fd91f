// What a training job's watcher hears of its progress, against what the job
// stores in its history.

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <string>

#include "training_jobs_fixture.h"

namespace modelhost::jobs {
namespace {

class TrainingJobProgressTest : public TrainingJobsTestBase {};

// Fit reports the epoch's running mean loss after each batch; the progress
// events carry it as is, so an epoch's last one is the epoch's loss (it was
// averaged a second time, over the batches' running means).
TEST_F(TrainingJobProgressTest, TheLastProgressEventOfAnEpochCarriesTheEpochLoss) {
  StartJobs();
  std::mutex mu;
  std::map<int, double> last_progress_loss, epoch_loss;
  store::JobRecord created = CreateJob(Spec("progress", 3), [&](const TrainingJobEvent& event) {
    if (const auto* ended = std::get_if<EpochEnded>(&event)) {
      std::lock_guard lock(mu);
      epoch_loss[ended->epoch] = ended->values.at("loss");
    } else if (const auto* progress = std::get_if<BatchProgress>(&event)) {
      EXPECT_GT(progress->batches, 2);  // several batches, or any mean would do
      if (progress->batch == progress->batches) {
        std::lock_guard lock(mu);
        last_progress_loss[progress->epoch] = progress->loss;
      }
    }
    return true;
  });
  ASSERT_EQ(WaitForEnd(created.id).state, store::JobState::kSucceeded);
  std::lock_guard lock(mu);
  ASSERT_EQ(last_progress_loss.size(), 3u);
  ASSERT_EQ(epoch_loss.size(), 3u);
  for (int epoch = 0; epoch < 3; ++epoch) {
    EXPECT_DOUBLE_EQ(last_progress_loss[epoch], epoch_loss[epoch]) << "epoch " << epoch;
  }
}

}  // namespace
}  // namespace modelhost::jobs

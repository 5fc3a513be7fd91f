// The restart and shutdown rules of TrainingJobs (training_jobs.h).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/file_reader.h"
#include "jobs/training_jobs.h"
#include "model/model_directory.h"
#include "training_jobs_fixture.h"

namespace modelhost::jobs {
namespace {

using Json = nlohmann::json;

class TrainingJobsRestartTest : public TrainingJobsTestBase {
 protected:
  // Stores a job as a server that stopped would have left it.
  void InsertJob(const std::string& id, store::JobState state, const std::string& spec) {
    store::JobRecord record;
    record.id = id;
    record.kind = "training";
    record.dataset_id = kDatasetId;
    record.spec_json = spec;
    record.created_at = "2026-01-01T00:00:00Z";
    record.result_json = "{}";
    ASSERT_TRUE(store_->InsertJob(record).ok());
    record.state = state;
    if (state == store::JobState::kRunning) record.started_at = "2026-01-01T00:00:01Z";
    ASSERT_TRUE(store_->UpdateJob(record).ok());
  }

  // Creates a job that shuts the service down (without waiting) when its
  // epoch `epoch` ends, so that it stops before the next one; then waits
  // for that and for the shutdown to end.
  std::string RunJobStoppedByShutdownAfter(int epoch, const std::string& spec,
                                           const std::string& queued_spec = "") {
    TrainingJobs* jobs = jobs_.get();
    auto queued = std::make_shared<Latch>();
    auto shutdown_begun = std::make_shared<Latch>();
    const std::string id = CreateJob(spec, [=](const TrainingJobEvent& event) {
                             const auto* ended = std::get_if<EpochEnded>(&event);
                             if (ended == nullptr || ended->epoch != epoch) return true;
                             EXPECT_TRUE(queued->Wait());  // Create is refused once shutdown begins
                             jobs->BeginShutdown();
                             shutdown_begun->Open();
                             return false;
                           }).id;
    if (!queued_spec.empty()) queued_id_ = CreateJob(queued_spec).id;
    queued->Open();
    EXPECT_TRUE(shutdown_begun->Wait());
    jobs_->Shutdown();
    return id;
  }

  std::string queued_id_;

  std::string WeightsOf(const std::string& model) {
    return *core::ReadFileToString(store::ModelVersionPath(data_dir_, model, 1) + "/" +
                                   model::kWeightsFile);
  }
};

TEST_F(TrainingJobsRestartTest, RunningJobsFailAsInterruptedAndQueuedOnesRunInTheirOrder) {
  InsertJob("job_00000000000000a1", store::JobState::kRunning, Spec("restart", 1));
  InsertJob("job_00000000000000a2", store::JobState::kQueued, Spec("restart", 1));
  InsertJob("job_00000000000000a3", store::JobState::kQueued, Spec("restart", 1));
  StartJobs(1);
  store::JobRecord interrupted = *store_->GetJob("job_00000000000000a1");
  EXPECT_EQ(interrupted.state, store::JobState::kFailed);
  EXPECT_EQ(interrupted.error, "interrupted");
  EXPECT_FALSE(interrupted.finished_at.empty());
  EXPECT_EQ(WaitForEnd("job_00000000000000a3").state, store::JobState::kSucceeded);
  EXPECT_EQ(WaitForEnd("job_00000000000000a2").state, store::JobState::kSucceeded);
  // One worker, one model name: the versions show the order they ran in.
  EXPECT_EQ(Json::parse(store_->GetJob("job_00000000000000a2")->result_json)["model"]["version"],
            1);
  EXPECT_EQ(Json::parse(store_->GetJob("job_00000000000000a3")->result_json)["model"]["version"],
            2);
}

// A crash after a job registered its version but before its final state was
// stored: at the next start the job is the success it was, and nothing is
// trained or registered again.
TEST_F(TrainingJobsRestartTest, AJobThatRegisteredBeforeTheCrashSucceedsWithThatVersion) {
  StartJobs(1);
  store::JobRecord finished = WaitForEnd(CreateJob(Spec("once", 2)).id);
  ASSERT_EQ(finished.state, store::JobState::kSucceeded) << finished.error;
  jobs_->Shutdown();
  // As the store held it just before the final update: running, with its
  // per-epoch history but no model yet.
  Json before_crash = Json::parse(finished.result_json);
  before_crash.erase("model");
  store::JobRecord crashed = finished;
  crashed.state = store::JobState::kRunning;
  crashed.finished_at.clear();
  crashed.result_json = before_crash.dump();
  ASSERT_TRUE(store_->UpdateJob(crashed).ok());

  StartJobs(1);
  store::JobRecord recovered = *store_->GetJob(finished.id);
  EXPECT_EQ(recovered.state, store::JobState::kSucceeded);
  EXPECT_TRUE(recovered.error.empty());
  const Json result = Json::parse(recovered.result_json);
  EXPECT_EQ(result["model"]["version"], 1);
  EXPECT_EQ(result["history"], Json::parse(finished.result_json)["history"]);
  EXPECT_EQ(result["validation"], Json::parse(finished.result_json)["validation"]);
  EXPECT_EQ(result["training_rows"], Json::parse(finished.result_json)["training_rows"]);
  EXPECT_EQ(store_->ListModelVersions("once")->size(), 1u);
}

TEST_F(TrainingJobsRestartTest, ShutdownInterruptsARunningJobAndKeepsQueuedOnes) {
  StartJobs(1);
  const std::string running =
      RunJobStoppedByShutdownAfter(0, Spec("stopped", 1000), Spec("waiting", 1));
  const std::string queued = queued_id_;
  store::JobRecord stopped = *store_->GetJob(running);
  EXPECT_EQ(stopped.state, store::JobState::kFailed);
  EXPECT_EQ(stopped.error, "interrupted");
  EXPECT_EQ(Json::parse(stopped.result_json)["history"].size(), 1u);
  EXPECT_EQ(store_->GetJob(queued)->state, store::JobState::kQueued);
  EXPECT_EQ(jobs_->Create(Spec("late", 1)).status().code(), core::StatusCode::kFailedPrecondition);

  jobs_.reset();
  StartJobs(1);
  EXPECT_EQ(WaitForEnd(queued).state, store::JobState::kSucceeded);
  EXPECT_EQ(store_->GetJob(running)->state, store::JobState::kFailed);
}

TEST_F(TrainingJobsRestartTest, ACheckpointedJobResumesAndEndsAsIfNeverInterrupted) {
  const Json checkpoints = {{"checkpoint_every", 1}, {"validation_split", 0.25}};
  StartJobs(1);
  const std::string reference = CreateJob(Spec("reference", 4, checkpoints)).id;
  ASSERT_EQ(WaitForEnd(reference).state, store::JobState::kSucceeded);

  const std::string job = RunJobStoppedByShutdownAfter(1, Spec("resumed", 4, checkpoints));
  store::JobRecord paused = *store_->GetJob(job);
  EXPECT_EQ(paused.state, store::JobState::kRunning);
  EXPECT_EQ(Json::parse(paused.result_json)["history"].size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(TrainingCheckpointPath(data_dir_, job)));

  jobs_.reset();
  StartJobs(1);
  store::JobRecord done = WaitForEnd(job);
  ASSERT_EQ(done.state, store::JobState::kSucceeded) << done.error;
  EXPECT_EQ(done.started_at, paused.started_at);
  Json result = Json::parse(done.result_json);
  Json expected = Json::parse(store_->GetJob(reference)->result_json);
  EXPECT_EQ(result["resumed_from_epoch"], 2);
  EXPECT_EQ(result["history"], expected["history"]);
  EXPECT_EQ(result["validation"], expected["validation"]);
  EXPECT_EQ(WeightsOf("resumed"), WeightsOf("reference"));
  EXPECT_FALSE(std::filesystem::exists(TrainingCheckpointPath(data_dir_, job)));
}

TEST_F(TrainingJobsRestartTest, AStoppedJobWithoutACheckpointYetFailsAsInterrupted) {
  // checkpoint_every 5: the shutdown after the first epoch finds none.
  StartJobs(1);
  const std::string job =
      RunJobStoppedByShutdownAfter(0, Spec("early", 10, {{"checkpoint_every", 5}}));
  EXPECT_EQ(store_->GetJob(job)->state, store::JobState::kFailed);
  EXPECT_EQ(store_->GetJob(job)->error, "interrupted");
}

}  // namespace
}  // namespace modelhost::jobs

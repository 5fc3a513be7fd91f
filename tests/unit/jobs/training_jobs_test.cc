#include "jobs/training_jobs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/file_reader.h"
#include "model/model_directory.h"
#include "training_jobs_fixture.h"

namespace modelhost::jobs {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::json;

class TrainingJobsTest : public TrainingJobsTestBase {};

TEST_F(TrainingJobsTest, AJobTrainsRegistersAndRecordsItsLineage) {
  StartJobs();
  store::JobRecord created = CreateJob(Spec("pima", 3, {{"validation_split", 0.2}}));
  EXPECT_EQ(created.state, store::JobState::kQueued);
  EXPECT_EQ(created.kind, "training");
  EXPECT_EQ(created.dataset_id, kDatasetId);
  EXPECT_THAT(created.id, ::testing::MatchesRegex("job_[0-9a-f]{16}"));

  store::JobRecord done = WaitForEnd(created.id);
  ASSERT_EQ(done.state, store::JobState::kSucceeded) << done.error;
  EXPECT_FALSE(done.started_at.empty());
  EXPECT_FALSE(done.finished_at.empty());
  Json result = Json::parse(done.result_json);
  ASSERT_EQ(result["history"].size(), 3u);
  EXPECT_TRUE(result["history"][2]["values"].contains("val_accuracy"));
  EXPECT_EQ(result["model"]["name"], "pima");
  EXPECT_EQ(result["model"]["version"], 1);
  EXPECT_EQ(result["training_rows"], 768);
  EXPECT_TRUE(result["validation"].contains("accuracy"));
  EXPECT_GT(result["samples_per_second"].get<double>(), 0.0);

  auto version = store_->GetModelVersion("pima", 1);
  ASSERT_TRUE(version.ok()) << version.status().message();
  Json info = Json::parse(version->info_json);
  const std::string dataset_sha = store_->GetDataset(kDatasetId)->sha256;
  EXPECT_EQ(info["lineage"]["dataset_id"], kDatasetId);
  EXPECT_EQ(info["lineage"]["dataset_sha256"], dataset_sha);
  EXPECT_EQ(info["lineage"]["job_id"], created.id);
  EXPECT_EQ(info["lineage"]["seed"], 7);
  EXPECT_FALSE(info["lineage"]["modelhost_version"].get<std::string>().empty());
  EXPECT_EQ(info["evaluation"]["validation"], result["validation"]);
  auto directory = model::ModelDirectory::Read(store::ModelVersionPath(data_dir_, "pima", 1));
  ASSERT_TRUE(directory.ok()) << directory.status().message();
  EXPECT_EQ((*directory)->description().training.data_sha256, dataset_sha);
  EXPECT_EQ((*directory)->description().training.data_file, kDatasetId);
  // The bundle itself carries the lineage and evaluation, so a downloaded
  // and re-uploaded bundle keeps them.
  EXPECT_EQ((*directory)->description().training.dataset_id, kDatasetId);
  EXPECT_EQ((*directory)->description().training.job_id, created.id);
  EXPECT_EQ(Json((*directory)->description().training.validation), result["validation"]);
  EXPECT_FALSE(std::filesystem::exists(TrainingCheckpointPath(data_dir_, created.id)));

  const std::string text = metrics_.RenderText();
  EXPECT_THAT(text, HasSubstr("modelhost_training_jobs{state=\"succeeded\"} 1"));
  EXPECT_THAT(text, HasSubstr("modelhost_training_jobs{state=\"queued\"} 0"));
  EXPECT_THAT(text, HasSubstr("modelhost_training_samples_total"));
}

TEST_F(TrainingJobsTest, AWatcherHearsWhatFollowsTheRecordItGot) {
  StartJobs();
  // Held at its first epoch's end while a second watcher registers.
  HeldJob created = CreateHeldJob(Spec("pima", 3));
  ASSERT_TRUE(created.held->Wait());
  std::mutex mu;
  std::vector<std::string> heard;
  auto ended = std::make_shared<Latch>();
  // Watch waits for the job's event lock, which the held watcher keeps.
  std::future<core::Result<store::JobRecord>> watched = std::async(std::launch::async, [&] {
    return jobs_->Watch(created.job.id, [&, ended](const TrainingJobEvent& event) {
      std::lock_guard lock(mu);
      if (const auto* epoch = std::get_if<EpochEnded>(&event)) {
        heard.push_back("epoch " + std::to_string(epoch->epoch));
      } else if (const auto* progress = std::get_if<BatchProgress>(&event)) {
        EXPECT_LE(progress->batch, progress->batches);
        EXPECT_EQ(progress->epochs, 3);
      } else if (const auto* finished = std::get_if<JobFinished>(&event)) {
        heard.push_back(std::string(store::ToString(finished->job.state)));
        ended->Open();
      } else {
        heard.push_back("state");
      }
      return true;
    });
  });
  created.release->Open();
  core::Result<store::JobRecord> now = watched.get();
  ASSERT_TRUE(now.ok()) << now.status().message();
  ASSERT_TRUE(ended->Wait());
  // The record it got, every epoch after those in it, each once, then the
  // end (the job may even have ended before the watcher came).
  std::vector<std::string> expected = {"state"};
  const size_t history = Json::parse(now->result_json)["history"].size();
  for (size_t epoch = history; epoch < 3 && !store::IsFinal(now->state); ++epoch) {
    expected.push_back("epoch " + std::to_string(epoch));
  }
  expected.push_back("succeeded");
  std::lock_guard lock(mu);
  EXPECT_EQ(heard, expected);
}

TEST_F(TrainingJobsTest, JobsRunOneAtATimeInTheOrderTheyWereCreated) {
  StartJobs(1);
  std::vector<std::string> ids;
  for (int job = 0; job < 3; ++job) {
    ids.push_back(CreateJob(Spec("fifo", 1)).id);
  }
  for (int job = 0; job < 3; ++job) {
    WaitForEnd(ids[job]);
  }
  // The same model name: versions follow the order the jobs registered in.
  for (int job = 0; job < 3; ++job) {
    Json result = Json::parse(store_->GetJob(ids[job])->result_json);
    EXPECT_EQ(result["model"]["version"], job + 1) << "job " << job;
  }
}

TEST_F(TrainingJobsTest, OneWorkerKeepsTheSecondJobQueuedWhileTheFirstRuns) {
  StartJobs(1);
  HeldJob first = CreateHeldJob(Spec("one", 2));
  store::JobRecord second = CreateJob(Spec("two", 1));
  ASSERT_TRUE(first.held->Wait());
  EXPECT_EQ(store_->GetJob(second.id)->state, store::JobState::kQueued);
  EXPECT_EQ(store_->GetJob(first.job.id)->state, store::JobState::kRunning);
  first.release->Open();
  EXPECT_EQ(WaitForEnd(second.id).state, store::JobState::kSucceeded);
  EXPECT_EQ(WaitForEnd(first.job.id).state, store::JobState::kSucceeded);
}

TEST_F(TrainingJobsTest, TwoWorkersRunTwoJobsAtOnce) {
  StartJobs(2);
  HeldJob first = CreateHeldJob(Spec("one", 2));
  ASSERT_TRUE(first.held->Wait());
  // The first is released only by the second's first epoch: they train side by side.
  store::JobRecord second =
      CreateJob(Spec("two", 1), [release = first.release](const TrainingJobEvent& event) {
        if (!std::holds_alternative<EpochEnded>(event)) return true;
        release->Open();
        return false;
      });
  EXPECT_EQ(WaitForEnd(second.id).state, store::JobState::kSucceeded);
  EXPECT_EQ(WaitForEnd(first.job.id).state, store::JobState::kSucceeded);
}

TEST_F(TrainingJobsTest, AQueuedJobIsCancelledAtOnce) {
  StartJobs(1);
  HeldJob first = CreateHeldJob(Spec("one", 2));
  store::JobRecord second = CreateJob(Spec("two", 1));
  ASSERT_TRUE(first.held->Wait());
  auto cancelled = jobs_->Cancel(second.id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().message();
  EXPECT_EQ(cancelled->state, store::JobState::kCancelled);
  EXPECT_EQ(store_->GetJob(second.id)->state, store::JobState::kCancelled);
  auto again = jobs_->Cancel(second.id);
  EXPECT_EQ(again.status().code(), core::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("cancelled"));
  first.release->Open();
  EXPECT_EQ(WaitForEnd(first.job.id).state, store::JobState::kSucceeded);
  EXPECT_EQ(store_->ListModelVersions("two").status().code(), core::StatusCode::kNotFound);
}

TEST_F(TrainingJobsTest, ARunningJobStopsAtTheNextBatchWhenCancelled) {
  StartJobs(1);
  HeldJob held = CreateHeldJob(Spec("long", 1000, {{"checkpoint_every", 1}}));
  ASSERT_TRUE(held.held->Wait());
  const store::JobRecord& job = held.job;
  auto cancelling = jobs_->Cancel(job.id);
  ASSERT_TRUE(cancelling.ok()) << cancelling.status().message();
  EXPECT_EQ(cancelling->state, store::JobState::kRunning);
  held.release->Open();
  store::JobRecord done = WaitForEnd(job.id);
  EXPECT_EQ(done.state, store::JobState::kCancelled);
  EXPECT_EQ(Json::parse(done.result_json)["history"].size(), 1u);
  EXPECT_EQ(store_->ListModelVersions("long").status().code(), core::StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(TrainingCheckpointPath(data_dir_, job.id)));
  EXPECT_EQ(jobs_->Cancel(job.id).status().code(), core::StatusCode::kFailedPrecondition);
}

TEST_F(TrainingJobsTest, CreateChecksTheDatasetAndTargetBeforeAccepting) {
  StartJobs();
  auto unknown = jobs_->Create(R"({"dataset": "nope", "target": "diabetes", "register_as": "m"})");
  EXPECT_EQ(unknown.status().code(), core::StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(),
              HasSubstr("dataset: no dataset has the id or name 'nope'"));
  auto target = jobs_->Create(R"({"dataset": "pima", "target": "outcome", "register_as": "m"})");
  EXPECT_EQ(target.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(target.status().message(), HasSubstr("target: "));
  EXPECT_THAT(target.status().message(), HasSubstr("'outcome'"));
  auto field = jobs_->Create(R"({"dataset": "pima", "target": "diabetes", "register_as": "m",
                                 "fit": {"epochs": 0}})");
  EXPECT_THAT(field.status().message(), HasSubstr("fit.epochs"));
  EXPECT_TRUE(store_->ListJobs()->empty());
}

TEST_F(TrainingJobsTest, ADatasetNameMeansTheNewestDatasetOfThatName) {
  AddPima("ds_00000000000000b2", "pima");
  StartJobs();
  EXPECT_EQ(CreateJob(Spec("m", 1)).dataset_id, "ds_00000000000000b2");
  auto by_id = jobs_->Create(std::string(R"({"dataset": ")") + kDatasetId +
                             R"(", "target": "diabetes", "register_as": "m"})");
  ASSERT_TRUE(by_id.ok()) << by_id.status().message();
  EXPECT_EQ(by_id->dataset_id, kDatasetId);
}

TEST_F(TrainingJobsTest, UnknownJobsAreNotFound) {
  StartJobs();
  EXPECT_EQ(jobs_->Get("job_0000000000000000").status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(jobs_->Cancel("job_0000000000000000").status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(jobs_->Watch("job_0000000000000000", [](const TrainingJobEvent&) { return true; })
                .status()
                .code(),
            core::StatusCode::kNotFound);
}

}  // namespace
}  // namespace modelhost::jobs

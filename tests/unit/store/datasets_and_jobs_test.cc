// Datasets and jobs in the SQLite MetadataStore: placement inside the
// transaction, persistence, the delete guard of datasets that jobs read, and
// job state round trips.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "store/metadata_store.h"
#include "store_fixture.h"

namespace modelhost::store {
namespace {

using ::testing::HasSubstr;

class DatasetsAndJobsTest : public StoreTest {
 protected:
  static DatasetRecord Dataset(const std::string& id) {
    return {.id = id,
            .name = "pima",
            .created_at = "2026-11-29T00:00:00Z",
            .rows = 768,
            .bytes = 4096,
            .sha256 = std::string(64, 'a'),
            .schema_json = R"([{"name":"glucose","type":"float64"}])",
            .profile_json = "{}",
            .lineage_json = R"({"source":"upload"})"};
  }
  static JobRecord Job(const std::string& id, const std::string& dataset) {
    JobRecord job;
    job.id = id;
    job.kind = "training";
    job.dataset_id = dataset;
    job.spec_json = R"({"target":"diabetes"})";
    job.created_at = "2026-11-29T00:00:01Z";
    job.result_json = "{}";
    return job;
  }
  static core::Status Placed() { return core::OkStatus(); }
};

TEST_F(DatasetsAndJobsTest, DatasetsPersistInInsertionOrder) {
  ASSERT_TRUE(store_->AddDataset(Dataset("ds_b"), Placed).ok());
  ASSERT_TRUE(store_->AddDataset(Dataset("ds_a"), Placed).ok());
  Reopen();
  auto datasets = store_->ListDatasets();
  ASSERT_TRUE(datasets.ok()) << datasets.status().message();
  ASSERT_EQ(datasets->size(), 2u);
  EXPECT_EQ((*datasets)[0].id, "ds_b");
  EXPECT_EQ((*datasets)[1].id, "ds_a");
  auto one = store_->GetDataset("ds_a");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->rows, 768);
  EXPECT_EQ(one->bytes, 4096);
  EXPECT_EQ(one->schema_json, Dataset("x").schema_json);
  EXPECT_EQ(one->lineage_json, R"({"source":"upload"})");
  EXPECT_EQ(store_->AddDataset(Dataset("ds_a"), Placed).code(), core::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetDataset("ds_zz").status().code(), core::StatusCode::kNotFound);
}

TEST_F(DatasetsAndJobsTest, AFailedPlacementAddsNothing) {
  core::Status status =
      store_->AddDataset(Dataset("ds_a"), [] { return core::Internal("disk full"); });
  EXPECT_THAT(status.message(), HasSubstr("disk full"));
  EXPECT_EQ(store_->GetDataset("ds_a").status().code(), core::StatusCode::kNotFound);
}

TEST_F(DatasetsAndJobsTest, NamesAndIdsThatCouldEscapeAreRefused) {
  DatasetRecord bad = Dataset("../x");
  EXPECT_EQ(store_->AddDataset(bad, Placed).code(), core::StatusCode::kInvalidArgument);
  bad = Dataset("ds_a");
  bad.name = "a/b";
  EXPECT_THAT(store_->AddDataset(bad, Placed).message(), HasSubstr("dataset name"));
}

TEST_F(DatasetsAndJobsTest, ADatasetAQueuedOrRunningJobReadsCannotBeDeleted) {
  ASSERT_TRUE(store_->AddDataset(Dataset("ds_a"), Placed).ok());
  JobRecord job = Job("job_1", "ds_a");
  ASSERT_TRUE(store_->InsertJob(job).ok());
  core::Status refused = store_->DeleteDataset("ds_a");
  EXPECT_EQ(refused.code(), core::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("queued job 'job_1'"));

  job.state = JobState::kRunning;
  ASSERT_TRUE(store_->UpdateJob(job).ok());
  EXPECT_THAT(store_->DeleteDataset("ds_a").message(), HasSubstr("running job"));
  EXPECT_TRUE(store_->GetDataset("ds_a").ok());

  job.state = JobState::kSucceeded;
  ASSERT_TRUE(store_->UpdateJob(job).ok());
  ASSERT_TRUE(store_->DeleteDataset("ds_a").ok());
  EXPECT_EQ(store_->GetDataset("ds_a").status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteDataset("ds_a").code(), core::StatusCode::kNotFound);
}

TEST_F(DatasetsAndJobsTest, AJobNeedsAnExistingDataset) {
  core::Status status = store_->InsertJob(Job("job_1", "ds_missing"));
  EXPECT_EQ(status.code(), core::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("ds_missing"));
}

TEST_F(DatasetsAndJobsTest, JobsRoundTripEveryFieldAndState) {
  ASSERT_TRUE(store_->AddDataset(Dataset("ds_a"), Placed).ok());
  ASSERT_TRUE(store_->InsertJob(Job("job_2", "ds_a")).ok());
  ASSERT_TRUE(store_->InsertJob(Job("job_1", "ds_a")).ok());
  EXPECT_EQ(store_->InsertJob(Job("job_1", "ds_a")).code(), core::StatusCode::kAlreadyExists);

  JobRecord job = Job("job_1", "ds_a");
  job.state = JobState::kFailed;
  job.started_at = "2026-11-29T00:00:02Z";
  job.finished_at = "2026-11-29T00:00:03Z";
  job.error = "interrupted";
  job.result_json = R"({"history":[]})";
  ASSERT_TRUE(store_->UpdateJob(job).ok());
  Reopen();
  auto got = store_->GetJob("job_1");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->state, JobState::kFailed);
  EXPECT_EQ(got->kind, "training");
  EXPECT_EQ(got->spec_json, job.spec_json);
  EXPECT_EQ(got->started_at, job.started_at);
  EXPECT_EQ(got->finished_at, job.finished_at);
  EXPECT_EQ(got->error, "interrupted");
  EXPECT_EQ(got->result_json, job.result_json);

  auto jobs = store_->ListJobs();
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ((*jobs)[0].id, "job_2");

  JobRecord unknown = Job("job_9", "ds_a");
  EXPECT_EQ(store_->UpdateJob(unknown).code(), core::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetJob("job_9").status().code(), core::StatusCode::kNotFound);
}

TEST(JobStateTest, NamesRoundTripAndFinalStatesAreKnown) {
  for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kSucceeded,
                         JobState::kFailed, JobState::kCancelled}) {
    EXPECT_EQ(ParseJobState(ToString(state)), state);
  }
  EXPECT_FALSE(ParseJobState("done").has_value());
  EXPECT_FALSE(IsFinal(JobState::kQueued));
  EXPECT_FALSE(IsFinal(JobState::kRunning));
  EXPECT_TRUE(IsFinal(JobState::kCancelled));
}

}  // namespace
}  // namespace modelhost::store

// DatasetJobs on a real SQLite store and data directory: transforms and
// splits run as jobs in order, their outcome (datasets made, or the error
// and its code) stored; waiters hear a job once, when it ends or when their
// wait is over; queued jobs can be cancelled and protect their parent; a
// restart fails what was running and runs what was queued.

#include "jobs/dataset_jobs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "core/utc_time.h"
#include "dataset_service_fixture.h"

namespace modelhost::jobs {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::json;
using std::chrono::milliseconds;

constexpr std::string_view kStandardize =
    R"({"pipeline": {"steps": [{"op": "standardize", "columns": "numeric"}]}, "target": "diabetes"})";

class DatasetJobsTest : public DatasetServiceTestBase {
 protected:
  void SetUp() override {
    DatasetServiceTestBase::SetUp();
    pima_ = ImportPima();
  }
  void TearDown() override {
    jobs_.reset();
    DatasetServiceTestBase::TearDown();
  }

  void StartJobs() {
    auto jobs = DatasetJobs::Start(store_.get(), service_.get());
    ASSERT_TRUE(jobs.ok()) << jobs.status().message();
    jobs_ = std::move(*jobs);
  }

  // Waits (up to a minute) for job `id` to end and returns its record.
  store::JobRecord Finished(const std::string& id) {
    std::promise<store::JobRecord> heard;
    core::Status awaited = jobs_->Await(
        id, milliseconds(60'000), [&heard](const store::JobRecord& job) { heard.set_value(job); });
    EXPECT_TRUE(awaited.ok()) << awaited.message();
    return heard.get_future().get();
  }

  // Polls (up to a minute) until job `id` has left the queue.
  void WaitUntilStarted(const std::string& id) {
    for (int poll = 0; poll < 60'000; ++poll) {
      auto job = jobs_->Get(id);
      ASSERT_TRUE(job.ok()) << job.status().message();
      if (job->state != store::JobState::kQueued) return;
      std::this_thread::sleep_for(milliseconds(1));
    }
    FAIL() << id << " never started";
  }

  // A dataset big enough that a transform of it takes a while (a job queued
  // behind it stays queued for that long).
  store::DatasetRecord ImportBig() {
    const std::string path = (root_ / "big.csv").string();
    std::ofstream csv(path);
    csv << "a,b,c\n";
    for (int row = 0; row < 200'000; ++row)
      csv << row << "," << row % 97 << "," << row * 0.5 << "\n";
    csv.close();
    auto big = service_->Import({.name = "big", .file = path});
    EXPECT_TRUE(big.ok()) << big.status().message();
    return big.ok() ? *big : store::DatasetRecord{};
  }

  // Starts the jobs with a transform of ImportBig() as `first` and a split
  // of Pima queued behind it as `second`.
  void StartWithASplitQueuedBehindABigTransform(store::JobRecord& first, store::JobRecord& second) {
    const store::DatasetRecord big = ImportBig();
    StartJobs();
    auto transform =
        jobs_->Create(DatasetJobKind::kTransform, big.id,
                      R"({"pipeline": {"steps": [{"op": "standardize", "columns": "numeric"}]}})");
    ASSERT_TRUE(transform.ok()) << transform.status().message();
    first = *transform;
    auto split = jobs_->Create(DatasetJobKind::kSplit, pima_.id, "{}");
    ASSERT_TRUE(split.ok()) << split.status().message();
    second = *split;
  }

  std::unique_ptr<DatasetJobs> jobs_;
  store::DatasetRecord pima_;
};

TEST_F(DatasetJobsTest, ATransformJobStoresTheDerivedDatasetAsItsResult) {
  StartJobs();
  auto created = jobs_->Create(DatasetJobKind::kTransform, pima_.id, kStandardize);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(created->state, store::JobState::kQueued);
  EXPECT_EQ(created->kind, "transform");
  EXPECT_EQ(created->dataset_id, pima_.id);

  const store::JobRecord done = Finished(created->id);
  ASSERT_EQ(done.state, store::JobState::kSucceeded) << done.error;
  EXPECT_FALSE(done.started_at.empty());
  EXPECT_FALSE(done.finished_at.empty());
  const Json result = Json::parse(done.result_json);
  ASSERT_EQ(result["datasets"].size(), 1u);
  auto derived = service_->Get(result["datasets"][0].get<std::string>());
  ASSERT_TRUE(derived.ok()) << derived.status().message();
  EXPECT_EQ(derived->name, "pima-transformed");
  EXPECT_EQ(derived->rows, 768);
  EXPECT_EQ(Json::parse(derived->lineage_json)["parent"], pima_.id);
  // As stored, and listed.
  auto stored = jobs_->Get(created->id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->state, store::JobState::kSucceeded);
  auto listed = jobs_->List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, created->id);
}

TEST_F(DatasetJobsTest, ASplitJobMakesOneDatasetPerPart) {
  StartJobs();
  auto created = jobs_->Create(DatasetJobKind::kSplit, pima_.id,
                               R"({"train": 0.7, "validation": 0.1, "test": 0.2, "seed": 3,
                                   "stratify": "diabetes", "name": "p"})");
  ASSERT_TRUE(created.ok()) << created.status().message();
  const store::JobRecord done = Finished(created->id);
  ASSERT_EQ(done.state, store::JobState::kSucceeded) << done.error;
  const Json ids = Json::parse(done.result_json)["datasets"];
  ASSERT_EQ(ids.size(), 3u);
  int64_t rows = 0;
  std::vector<std::string> names;
  for (const Json& id : ids) {
    auto part = service_->Get(id.get<std::string>());
    ASSERT_TRUE(part.ok());
    rows += part->rows;
    names.push_back(part->name);
  }
  EXPECT_EQ(rows, 768);
  EXPECT_THAT(names, ::testing::ElementsAre("p-train", "p-validation", "p-test"));
}

TEST_F(DatasetJobsTest, BadRequestsAreRefusedBeforeAnythingIsQueued) {
  StartJobs();
  auto unknown_field = jobs_->Create(DatasetJobKind::kSplit, pima_.id, R"({"trian": 0.5})");
  EXPECT_EQ(unknown_field.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown_field.status().message(), HasSubstr("'trian'"));
  auto bad_op = jobs_->Create(DatasetJobKind::kTransform, pima_.id,
                              R"({"pipeline": {"steps": [{"op": "sparkle"}]}})");
  EXPECT_EQ(bad_op.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_op.status().message(), HasSubstr("sparkle"));
  auto bad_name = jobs_->Create(DatasetJobKind::kTransform, pima_.id,
                                R"({"pipeline": {"steps": []}, "name": "../x"})");
  EXPECT_EQ(bad_name.status().code(), core::StatusCode::kInvalidArgument);
  auto no_dataset = jobs_->Create(DatasetJobKind::kTransform, "ds_0000000000000000", kStandardize);
  EXPECT_EQ(no_dataset.status().code(), core::StatusCode::kNotFound);
  auto listed = jobs_->List();
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

// A default name made from the parent's is checked when the job is created,
// not when it runs, and the refusal names it: the client never sent it.
TEST_F(DatasetJobsTest, ADefaultNameTooLongForTheParentIsRefusedAtCreationNamingIt) {
  StartJobs();
  const std::string long_name(60, 'p');
  auto parent = service_->Import({.name = long_name, .file = kPimaCsv});
  ASSERT_TRUE(parent.ok()) << parent.status().message();

  auto transform = jobs_->Create(DatasetJobKind::kTransform, parent->id, kStandardize);
  EXPECT_EQ(transform.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(transform.status().message(), HasSubstr("'" + long_name + "-transformed'"));
  EXPECT_THAT(transform.status().message(), HasSubstr("pass 'name'"));
  auto split = jobs_->Create(DatasetJobKind::kSplit, parent->id, "{}");
  EXPECT_EQ(split.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(split.status().message(), HasSubstr("'" + long_name + "-train'"));
  EXPECT_THAT(split.status().message(), HasSubstr("pass 'name'"));
  // A prefix that fits "-train" but not "-validation".
  const std::string prefix(58, 'q');
  auto prefixed = jobs_->Create(DatasetJobKind::kSplit, pima_.id,
                                R"({"validation": 0.1, "name": ")" + prefix + R"("})");
  EXPECT_EQ(prefixed.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(prefixed.status().message(), HasSubstr("'" + prefix + "-validation'"));
  EXPECT_THAT(prefixed.status().message(), HasSubstr("field 'name'"));
  auto listed = jobs_->List();
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());

  auto named = jobs_->Create(DatasetJobKind::kTransform, parent->id,
                             R"({"pipeline": {"steps": []}, "name": "short"})");
  EXPECT_TRUE(named.ok()) << named.status().message();
}

TEST_F(DatasetJobsTest, AFailedJobKeepsTheErrorAndItsCode) {
  StartJobs();
  auto created = jobs_->Create(DatasetJobKind::kTransform, pima_.id,
                               R"({"pipeline": {"steps": [{"op": "standardize",
                                                           "columns": ["weight"]}]}})");
  ASSERT_TRUE(created.ok()) << created.status().message();
  const store::JobRecord done = Finished(created->id);
  EXPECT_EQ(done.state, store::JobState::kFailed);
  EXPECT_THAT(done.error, HasSubstr("weight"));
  EXPECT_EQ(Json::parse(done.result_json)["error_code"], "invalid_argument");
}

TEST_F(DatasetJobsTest, AWaiterOfAnEndedJobHearsItAtOnceOnItsOwnThread) {
  StartJobs();
  auto created = jobs_->Create(DatasetJobKind::kSplit, pima_.id, "{}");
  ASSERT_TRUE(created.ok());
  Finished(created->id);
  int heard = 0;
  ASSERT_TRUE(jobs_
                  ->Await(created->id, milliseconds(0),
                          [&heard](const store::JobRecord& job) {
                            EXPECT_EQ(job.state, store::JobState::kSucceeded);
                            ++heard;
                          })
                  .ok());
  EXPECT_EQ(heard, 1);
  EXPECT_EQ(jobs_
                ->Await("job_0000000000000000", milliseconds(0),
                        [](const auto&) { ADD_FAILURE() << "a waiter of no job was called"; })
                .code(),
            core::StatusCode::kNotFound);
}

// The states a watcher heard, in order; safe to read once the job has ended.
struct HeardStates {
  std::mutex mu;
  std::vector<store::JobState> states;
  DatasetJobs::Watcher Watcher(bool keep_listening = true) {
    return [this, keep_listening](const store::JobRecord& job) {
      std::lock_guard lock(mu);
      states.push_back(job.state);
      return keep_listening;
    };
  }
};

TEST_F(DatasetJobsTest, AWatcherHearsEachStateOnceInOrder) {
  store::JobRecord first, second;
  ASSERT_NO_FATAL_FAILURE(StartWithASplitQueuedBehindABigTransform(first, second));
  HeardStates queued_one, stopping_early, running_one;
  ASSERT_TRUE(jobs_->Watch(second.id, queued_one.Watcher()).ok());
  ASSERT_TRUE(jobs_->Watch(second.id, stopping_early.Watcher(false)).ok());
  ASSERT_TRUE(jobs_->Watch(first.id, running_one.Watcher()).ok());
  EXPECT_EQ(Finished(second.id).state, store::JobState::kSucceeded);
  EXPECT_EQ(Finished(first.id).state, store::JobState::kSucceeded);
  // Waiters hear the end after watchers do, so every state is in by now.
  using store::JobState;
  EXPECT_THAT(queued_one.states,
              ElementsAre(JobState::kQueued, JobState::kRunning, JobState::kSucceeded));
  EXPECT_THAT(stopping_early.states, ElementsAre(JobState::kQueued));
  // It was queued or running when watched: the rest followed, each once.
  if (running_one.states.size() == 3) {
    EXPECT_THAT(running_one.states,
                ElementsAre(JobState::kQueued, JobState::kRunning, JobState::kSucceeded));
  } else {
    EXPECT_THAT(running_one.states, ElementsAre(JobState::kRunning, JobState::kSucceeded));
  }

  // An ended job is heard once, at once, on this thread; an unknown one never.
  HeardStates ended;
  ASSERT_TRUE(jobs_->Watch(second.id, ended.Watcher()).ok());
  EXPECT_THAT(ended.states, ElementsAre(JobState::kSucceeded));
  EXPECT_EQ(jobs_
                ->Watch("job_0000000000000000",
                        [](const auto&) {
                          ADD_FAILURE() << "a watcher of no job was called";
                          return true;
                        })
                .code(),
            core::StatusCode::kNotFound);
}

TEST_F(DatasetJobsTest, AtShutdownAWatcherHearsTheJobOnceMoreAndThenNothing) {
  store::JobRecord first, second;
  ASSERT_NO_FATAL_FAILURE(StartWithASplitQueuedBehindABigTransform(first, second));
  using store::JobState;
  // Shut down once the worker holds the transform: before that, on a loaded
  // machine, both jobs could still be queued and stay so.
  std::promise<void> taken;
  ASSERT_TRUE(jobs_
                  ->Watch(first.id,
                          [&taken](const store::JobRecord& job) {
                            if (job.state == JobState::kQueued) return true;
                            taken.set_value();
                            return false;
                          })
                  .ok());
  taken.get_future().wait();
  HeardStates queued_one;
  ASSERT_TRUE(jobs_->Watch(second.id, queued_one.Watcher()).ok());
  jobs_->Shutdown();  // the running job finishes; a queued one stays queued
  // The split is still queued at shutdown (the transform takes a while). On a
  // loaded machine the test thread may lose its core between Watch and
  // Shutdown: the split may have started (heard once more at shutdown, then
  // its end unheard) or even ended (heard ending, then nothing).
  EXPECT_THAT(
      queued_one.states,
      ::testing::AnyOf(ElementsAre(JobState::kQueued, JobState::kQueued),
                       ElementsAre(JobState::kQueued, JobState::kRunning, JobState::kRunning),
                       ElementsAre(JobState::kQueued, JobState::kRunning, JobState::kSucceeded)));
  EXPECT_EQ(jobs_->Get(first.id)->state, JobState::kSucceeded);
}

TEST_F(DatasetJobsTest, AJobQueuedBehindAnotherCanBeCancelledAndItsWaiterHearsTheDeadline) {
  store::JobRecord first, second;
  ASSERT_NO_FATAL_FAILURE(StartWithASplitQueuedBehindABigTransform(first, second));

  // The second waits for the first: a short wait ends before it does.
  std::promise<store::JobRecord> at_deadline;
  ASSERT_TRUE(jobs_
                  ->Await(second.id, milliseconds(1),
                          [&](const store::JobRecord& job) { at_deadline.set_value(job); })
                  .ok());
  EXPECT_EQ(at_deadline.get_future().get().state, store::JobState::kQueued);
  // A queued job protects its parent.
  EXPECT_EQ(service_->Delete(pima_.id).code(), core::StatusCode::kFailedPrecondition);

  auto cancelled = jobs_->Cancel(second.id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().message();
  EXPECT_EQ(cancelled->state, store::JobState::kCancelled);
  EXPECT_EQ(jobs_->Get(second.id)->state, store::JobState::kCancelled);
  auto again = jobs_->Cancel(second.id);
  EXPECT_EQ(again.status().code(), core::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("cancelled"));
  EXPECT_EQ(Finished(first.id).state, store::JobState::kSucceeded);
  EXPECT_EQ(jobs_->Cancel(first.id).status().code(), core::StatusCode::kFailedPrecondition);
  // Ended jobs no longer protect it.
  EXPECT_TRUE(service_->Delete(pima_.id).ok());
}

TEST_F(DatasetJobsTest, ARestartFailsWhatWasRunningAndRunsWhatWasQueued) {
  auto stored_job = [&](const std::string& id, store::JobState state) {
    store::JobRecord job;
    job.id = id;
    job.kind = "split";
    job.state = state;
    job.dataset_id = pima_.id;
    job.spec_json = R"({"train": 0.5, "test": 0.5})";
    job.created_at = core::UtcNowRfc3339();
    job.result_json = "{}";
    ASSERT_TRUE(store_->InsertJob(job).ok());
  };
  stored_job("job_00000000000000a1", store::JobState::kRunning);
  stored_job("job_00000000000000a2", store::JobState::kQueued);
  StartJobs();
  auto interrupted = jobs_->Get("job_00000000000000a1");
  ASSERT_TRUE(interrupted.ok());
  EXPECT_EQ(interrupted->state, store::JobState::kFailed);
  EXPECT_EQ(interrupted->error, "interrupted");
  const store::JobRecord resumed = Finished("job_00000000000000a2");
  EXPECT_EQ(resumed.state, store::JobState::kSucceeded) << resumed.error;
  EXPECT_EQ(Json::parse(resumed.result_json)["datasets"].size(), 2u);
}

// A crash after a job stored its datasets but before its final state: the
// next start finds them by the job id in their lineage. A split cut short
// between its parts (as a modelhost that stored them one by one could leave
// it) loses the parts it had, so that a retry makes no duplicates.
TEST_F(DatasetJobsTest, ARestartKeepsWhatAFinishedJobMadeAndRemovesAHalfSplit) {
  DatasetTransformRequest transform;
  transform.pipeline_json = R"({"steps": []})";
  transform.job_id = "job_00000000000000b1";
  auto made = service_->Transform(pima_.id, transform);
  ASSERT_TRUE(made.ok()) << made.status().message();
  auto parts = service_->Split(
      pima_.id, {.train_fraction = 0.5, .test_fraction = 0.5, .job_id = "job_00000000000000b2"});
  ASSERT_TRUE(parts.ok()) << parts.status().message();
  ASSERT_EQ(parts->size(), 2u);
  ASSERT_TRUE(service_->Delete((*parts)[1].id).ok());  // the crash came before the second part
  auto stored_job = [&](const std::string& id, const std::string& kind, const std::string& spec) {
    store::JobRecord job;
    job.id = id;
    job.kind = kind;
    job.state = store::JobState::kRunning;
    job.dataset_id = pima_.id;
    job.spec_json = spec;
    job.created_at = core::UtcNowRfc3339();
    job.result_json = "{}";
    ASSERT_TRUE(store_->InsertJob(job).ok());
  };
  stored_job("job_00000000000000b1", "transform", R"({"pipeline": {"steps": []}})");
  stored_job("job_00000000000000b2", "split", R"({"train": 0.5, "test": 0.5})");
  StartJobs();

  auto finished = jobs_->Get("job_00000000000000b1");
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(finished->state, store::JobState::kSucceeded);
  EXPECT_EQ(Json::parse(finished->result_json)["datasets"], Json::array({made->id}));
  auto cut = jobs_->Get("job_00000000000000b2");
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->state, store::JobState::kFailed);
  EXPECT_EQ(cut->error, "interrupted");
  EXPECT_EQ(service_->Get((*parts)[0].id).status().code(), core::StatusCode::kNotFound);
  EXPECT_TRUE(service_->Get(made->id).ok());
}

TEST_F(DatasetJobsTest, ShutdownAnswersWaitersKeepsQueuedJobsAndRefusesNewOnes) {
  store::JobRecord first, second;
  ASSERT_NO_FATAL_FAILURE(StartWithASplitQueuedBehindABigTransform(first, second));
  std::promise<store::JobRecord> heard;
  ASSERT_TRUE(jobs_
                  ->Await(second.id, milliseconds(600'000),
                          [&](const store::JobRecord& job) { heard.set_value(job); })
                  .ok());
  WaitUntilStarted(first.id);
  // BeginShutdown answers the waiter without waiting for the running job.
  jobs_->BeginShutdown();
  EXPECT_EQ(heard.get_future().get().state, store::JobState::kQueued);
  jobs_->Shutdown();
  // The running one finished; the queued one waits for the next start.
  EXPECT_EQ(jobs_->Get(first.id)->state, store::JobState::kSucceeded);
  EXPECT_EQ(jobs_->Get(second.id)->state, store::JobState::kQueued);
  auto refused = jobs_->Create(DatasetJobKind::kSplit, pima_.id, "{}");
  EXPECT_EQ(refused.status().code(), core::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace modelhost::jobs

// The fixture of the training job tests: a data directory in a temporary
// directory with a real SQLite store and the Pima dataset stored in it
// (pima_dataset.h), plus helpers to start the service and wait on jobs.

#ifndef MODELHOST_TESTS_UNIT_JOBS_TRAINING_JOBS_FIXTURE_H_
#define MODELHOST_TESTS_UNIT_JOBS_TRAINING_JOBS_FIXTURE_H_

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "jobs/training_jobs.h"
#include "pima_dataset.h"
#include "store/artifact_paths.h"
#include "store/metadata_store.h"

namespace modelhost::jobs {

// A one-shot latch; Wait gives up after a minute (a hang guard, not a timing
// expectation) and reports whether it was opened.
class Latch {
 public:
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool Wait() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::minutes(1), [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

class TrainingJobsTestBase : public ::testing::Test {
 protected:
  static constexpr const char* kDatasetId = "ds_00000000000000a1";

  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) /
            ("training_jobs_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(root_);
    data_dir_ = (root_ / "data").string();
    auto store = store::OpenSqliteMetadataStore(data_dir_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    AddPima(kDatasetId, "pima");
  }

  void TearDown() override {
    jobs_.reset();
    std::filesystem::remove_all(root_);
  }

  // Stores the Pima CSV as dataset `id` named `name`.
  void AddPima(const std::string& id, const std::string& name) {
    testing::StorePimaDataset(*store_, data_dir_, id, name);
  }

  void StartJobs(int max_running_jobs = 1) {
    auto jobs = TrainingJobs::Start(
        store_.get(),
        {.data_dir = data_dir_, .max_running_jobs = max_running_jobs, .metrics = &metrics_});
    ASSERT_TRUE(jobs.ok()) << jobs.status().message();
    jobs_ = std::move(*jobs);
  }

  // A request training Pima's default network for `epochs` epochs; `fit`
  // adds keys to "fit".
  static std::string Spec(const std::string& model, int epochs, nlohmann::json fit = {}) {
    nlohmann::json spec = {{"dataset", "pima"},
                           {"target", "diabetes"},
                           {"register_as", model},
                           {"compile", {{"optimizer", "adam"}, {"metrics", {"accuracy"}}}},
                           {"fit", {{"epochs", epochs}, {"batch_size", 64}, {"seed", 7}}}};
    for (const auto& [key, value] : fit.items()) spec["fit"][key] = value;
    return spec.dump();
  }

  store::JobRecord CreateJob(const std::string& spec, TrainingJobs::Watcher watcher = {}) {
    auto job = jobs_->Create(spec, std::move(watcher));
    EXPECT_TRUE(job.ok()) << job.status().message();
    return job.ok() ? *job : store::JobRecord{};
  }

  // A job held on its training thread at the end of its first epoch: `held`
  // opens when it gets there, and it goes on once `release` opens.
  struct HeldJob {
    store::JobRecord job;
    std::shared_ptr<Latch> held = std::make_shared<Latch>();
    std::shared_ptr<Latch> release = std::make_shared<Latch>();
  };
  HeldJob CreateHeldJob(const std::string& spec) {
    HeldJob held;
    held.job =
        CreateJob(spec, [at = held.held, release = held.release](const TrainingJobEvent& event) {
          if (!std::holds_alternative<EpochEnded>(event)) return true;
          at->Open();
          EXPECT_TRUE(release->Wait());
          return false;  // heard once
        });
    return held;
  }

  // Waits for job `id` to end and returns its stored record.
  store::JobRecord WaitForEnd(const std::string& id) {
    auto ended = std::make_shared<Latch>();
    auto current = jobs_->Watch(id, [ended](const TrainingJobEvent& event) {
      if (std::holds_alternative<JobFinished>(event)) ended->Open();
      return true;
    });
    EXPECT_TRUE(current.ok()) << current.status().message();
    if (current.ok() && !store::IsFinal(current->state)) {
      EXPECT_TRUE(ended->Wait());
    }
    return *store_->GetJob(id);
  }

  std::filesystem::path root_;
  std::string data_dir_;
  std::unique_ptr<store::MetadataStore> store_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<TrainingJobs> jobs_;
};

}  // namespace modelhost::jobs

#endif  // MODELHOST_TESTS_UNIT_JOBS_TRAINING_JOBS_FIXTURE_H_

// Training jobs over HTTP against the real binary (issue 5, step 3): a dataset
// uploaded, a job created, its Server-Sent Events followed to the end, the
// registered version predicting by name; a long job cancelled; a bad request
// refused naming the field; the metrics.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "server_process.h"

namespace modelhost::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;

// Polls `condition` (the server is another process: nothing to block on);
// false when it is still not met after 30 s.
bool WaitFor(const std::function<bool()>& condition) {
  for (int attempt = 0; attempt < 3000; ++attempt) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

class TrainingJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("training_jobs_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    server_ = std::make_unique<ServerProcess>((root_ / "data").string());
    ASSERT_NE(server_->port(), 0);
    auth_ = server_->AdminAuth();
    HttpReply uploaded = HttpRequest(
        server_->port(), "POST", "/v1/datasets?name=pima",
        ReadWholeFile(std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes.csv"), auth_);
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(root_);
  }

  HttpReply Call(const std::string& method, const std::string& target,
                 const std::string& body = "") {
    return HttpRequest(server_->port(), method, target, body, auth_);
  }

  // The events stream of job `id`, read until the server ends it.
  std::string Events(const std::string& id) {
    RawConnection connection(server_->port());
    std::string request = "GET /v1/training-jobs/" + id + "/events HTTP/1.1\r\nHost: t\r\n";
    for (const auto& [name, value] : auth_) request += name + ": " + value + "\r\n";
    connection.Send(request + "Connection: close\r\n\r\n");
    return connection.ReadUntilClosed();
  }

  fs::path root_;
  std::unique_ptr<ServerProcess> server_;
  std::map<std::string, std::string> auth_;
};

TEST_F(TrainingJobsTest, AJobTrainsRegistersAndItsModelPredictsByName) {
  HttpReply created = Call("POST", "/v1/training-jobs", R"({
      "dataset": "pima", "target": "diabetes", "register_as": "pima",
      "pipeline": {"steps": [{"op": "standardize", "columns": "numeric"}]},
      "model": {"layers": [{"dense": 8, "activation": "relu"},
                           {"dense": 1, "activation": "sigmoid"}]},
      "compile": {"optimizer": "adam", "loss": "binary_crossentropy", "metrics": ["accuracy"]},
      "fit": {"epochs": 5, "batch_size": 32, "seed": 3, "validation_split": 0.2,
              "test_split": 0.1}})");
  ASSERT_EQ(created.status, 202) << created.body;
  const std::string id = Json::parse(created.body)["id"];

  const std::string events = Events(id);
  EXPECT_THAT(events, HasSubstr("event: state\n"));
  EXPECT_THAT(events, HasSubstr("event: end\n"));
  EXPECT_THAT(events, HasSubstr(R"("state":"succeeded")"));

  HttpReply shown = Call("GET", "/v1/training-jobs/" + id);
  ASSERT_EQ(shown.status, 200);
  Json job = Json::parse(shown.body);
  ASSERT_EQ(job["state"], "succeeded") << shown.body;
  EXPECT_EQ(job["history"].size(), 5u);
  EXPECT_EQ(job["model"]["name"], "pima");
  EXPECT_EQ(job["model"]["version"], 1);
  EXPECT_TRUE(job["validation"].contains("accuracy"));
  EXPECT_TRUE(job["test"].contains("accuracy"));

  HttpReply version = Call("GET", "/v1/models/pima/versions/1");
  ASSERT_EQ(version.status, 200) << version.body;
  EXPECT_EQ(Json::parse(version.body)["summary"]["lineage"]["job_id"], id);

  Json instance = {{"pregnant", 6}, {"glucose", 148}, {"pressure", 72},    {"triceps", 35},
                   {"insulin", 0},  {"mass", 33.6},   {"pedigree", 0.627}, {"age", 50}};
  HttpReply predicted =
      Call("POST", "/v1/models/pima:predict", Json{{"instances", {instance}}}.dump());
  ASSERT_EQ(predicted.status, 200) << predicted.body;
  Json answer = Json::parse(predicted.body);
  EXPECT_EQ(answer["predictions"].size(), 1u);
  EXPECT_EQ(answer["model_version"], 1);

  const std::string metrics = Call("GET", "/metrics").body;
  EXPECT_THAT(metrics, HasSubstr("modelhost_training_jobs{state=\"succeeded\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("modelhost_training_samples_total"));
}

TEST_F(TrainingJobsTest, ALongJobIsCancelled) {
  HttpReply created = Call("POST", "/v1/training-jobs",
                           R"({"dataset": "pima", "target": "diabetes", "register_as": "long",
                               "fit": {"epochs": 1000000}})");
  ASSERT_EQ(created.status, 202) << created.body;
  const std::string id = Json::parse(created.body)["id"];
  HttpReply cancelled = Call("POST", "/v1/training-jobs/" + id + ":cancel");
  // 200 when it was still queued, 202 when it stops at its next batch.
  EXPECT_TRUE(cancelled.status == 200 || cancelled.status == 202) << cancelled.body;
  EXPECT_THAT(Events(id), HasSubstr(R"("state":"cancelled")"));
  EXPECT_EQ(Json::parse(Call("GET", "/v1/training-jobs/" + id).body)["state"], "cancelled");
  EXPECT_EQ(Call("POST", "/v1/training-jobs/" + id + ":cancel").status, 409);
  EXPECT_EQ(Call("GET", "/v1/models/long").status, 404);
}

TEST_F(TrainingJobsTest, AJobStoppedByShutdownResumesFromItsCheckpointAfterTheRestart) {
  HttpReply created = Call("POST", "/v1/training-jobs",
                           R"({"dataset": "pima", "target": "diabetes", "register_as": "long",
                               "fit": {"epochs": 1000000, "checkpoint_every": 1}})");
  ASSERT_EQ(created.status, 202) << created.body;
  const std::string id = Json::parse(created.body)["id"];
  const fs::path checkpoint = root_ / "data" / "checkpoints" / (id + ".safetensors");
  ASSERT_TRUE(WaitFor([&] { return fs::exists(checkpoint); }));
  EXPECT_EQ(server_->StopWith(SIGTERM), 0);
  EXPECT_THAT(server_->StderrText(), HasSubstr("it resumes at the next start"));

  server_ = std::make_unique<ServerProcess>((root_ / "data").string());
  ASSERT_NE(server_->port(), 0);
  Json job;
  ASSERT_TRUE(WaitFor([&] {
    job = Json::parse(Call("GET", "/v1/training-jobs/" + id).body);
    return job.contains("resumed_from_epoch");
  }));
  EXPECT_EQ(job["state"], "running");
  EXPECT_GE(job["resumed_from_epoch"].get<int>(), 1);
  // 202 while it stops at its next batch; 200 with the final record when the
  // stop this cancel asked for was stored before the answer was written (a
  // Pima batch takes microseconds).
  HttpReply cancelled = Call("POST", "/v1/training-jobs/" + id + ":cancel");
  EXPECT_TRUE(cancelled.status == 202 || cancelled.status == 200) << cancelled.body;
  EXPECT_THAT(Events(id), HasSubstr(R"("state":"cancelled")"));
  EXPECT_FALSE(fs::exists(checkpoint));
}

TEST_F(TrainingJobsTest, ABadRequestIsRefusedNamingTheField) {
  HttpReply refused = Call("POST", "/v1/training-jobs",
                           R"({"dataset": "pima", "target": "diabetes", "register_as": "m",
                               "compile": {"optimizer": "adam", "metrics": ["accuracy", "x"]}})");
  EXPECT_EQ(refused.status, 400);
  EXPECT_THAT(refused.body, HasSubstr("compile.metrics[1]"));
  HttpReply target = Call("POST", "/v1/training-jobs",
                          R"({"dataset": "pima", "target": "outcome", "register_as": "m"})");
  EXPECT_EQ(target.status, 400);
  EXPECT_THAT(target.body, HasSubstr("outcome"));
  EXPECT_EQ(Json::parse(Call("GET", "/v1/training-jobs").body)["training_jobs"].size(), 0u);
}

}  // namespace
}  // namespace modelhost::testing

// Issue 5's "done when", against the real binary: a CSV uploaded over HTTP
// trains the seed model as a job (progress over Server-Sent Events), the job
// registers a version, and the model answers by name, by version and through
// KServe v2 infer — the same numbers each way, before and after a restart.
// Then the faults: SIGKILL during an upload, during training and at moments
// spread over a job's end (registration included), each followed by a
// restart that must show nothing half-visible and serve every earlier model.
// And access: each route refuses a missing key (401) and a key without its
// scope (403).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "server_process.h"

namespace modelhost::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string kPima = std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes.csv";

// The seed model of the Pima example: 12-8-1, relu, sigmoid, adam.
Json TrainingSpec(const std::string& dataset, int epochs, const std::string& register_as) {
  return {{"dataset", dataset},
          {"target", "diabetes"},
          {"pipeline", {{"steps", {{{"op", "standardize"}, {"columns", "numeric"}}}}}},
          {"model",
           {{"layers",
             {{{"dense", 12}, {"activation", "relu"}},
              {{"dense", 8}, {"activation", "relu"}},
              {{"dense", 1}, {"activation", "sigmoid"}}}}}},
          {"compile",
           {{"loss", "binary_crossentropy"}, {"optimizer", "adam"}, {"metrics", {"accuracy"}}}},
          {"fit",
           {{"epochs", epochs},
            {"batch_size", 32},
            {"seed", 3},
            {"validation_split", 0.2},
            {"test_split", 0.1}}},
          {"register_as", register_as}};
}

// Three Pima rows as raw named fields (the target left out).
const Json kInstances = Json::parse(R"([
  {"pregnant": 6, "glucose": 148, "pressure": 72, "triceps": 35, "insulin": 0, "mass": 33.6,
   "pedigree": 0.627, "age": 50},
  {"pregnant": 1, "glucose": 85, "pressure": 66, "triceps": 29, "insulin": 0, "mass": 26.6,
   "pedigree": 0.351, "age": 31},
  {"pregnant": 8, "glucose": 183, "pressure": 64, "triceps": 0, "insulin": 0, "mass": 23.3,
   "pedigree": 0.672, "age": 32}])");

class ServiceFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        fs::path(::testing::TempDir()) /
        ("flow_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    data_dir_ = (root_ / "data").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  // Uploads the Pima CSV; returns the dataset id.
  static std::string Upload(const ServerProcess& server) {
    HttpReply reply = HttpRequest(server.port(), "POST", "/v1/datasets?name=pima",
                                  ReadWholeFile(kPima), WithType(server.AdminAuth(), "text/csv"));
    EXPECT_EQ(reply.status, 201) << reply.body;
    if (reply.status != 201) return "";
    Json dataset = Json::parse(reply.body);
    EXPECT_EQ(dataset["rows"], 768);
    EXPECT_EQ(reply.headers["location"], "/v1/datasets/" + dataset["id"].get<std::string>());
    return dataset["id"];
  }

  static std::map<std::string, std::string> WithType(std::map<std::string, std::string> headers,
                                                     const std::string& type) {
    headers["Content-Type"] = type;
    return headers;
  }

  static std::string CreateJob(const ServerProcess& server, const Json& spec) {
    HttpReply reply =
        HttpRequest(server.port(), "POST", "/v1/training-jobs", spec.dump(), server.AdminAuth());
    EXPECT_EQ(reply.status, 202) << reply.body;
    return reply.status == 202 ? Json::parse(reply.body)["id"].get<std::string>() : "";
  }

  static Json GetJob(const ServerProcess& server, const std::string& id) {
    HttpReply reply =
        HttpRequest(server.port(), "GET", "/v1/training-jobs/" + id, "", server.AdminAuth());
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.status == 200 ? Json::parse(reply.body) : Json();
  }

  // Polls until the job's state is `state` (10 s at most).
  static bool WaitForState(const ServerProcess& server, const std::string& id,
                           const std::string& state) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
      if (GetJob(server, id)["state"] == state) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  // The probabilities `target` answers for kInstances through /v1 predict.
  static std::vector<float> Predict(const ServerProcess& server, const std::string& target) {
    HttpReply reply = HttpRequest(server.port(), "POST", target,
                                  Json{{"instances", kInstances}}.dump(), server.AdminAuth());
    EXPECT_EQ(reply.status, 200) << target << ": " << reply.body;
    std::vector<float> probabilities;
    if (reply.status != 200) return probabilities;
    const Json answer = Json::parse(reply.body);
    for (const Json& prediction : answer["predictions"]) {
      probabilities.push_back(prediction["probability"].get<float>());
    }
    return probabilities;
  }

  fs::path root_;
  std::string data_dir_;
};

TEST_F(ServiceFlowTest, UploadTrainWatchRegisterPredictRestartPredict) {
  std::vector<float> before;
  {
    ServerProcess server(data_dir_);
    ASSERT_NE(server.port(), 0);
    const std::string dataset = Upload(server);
    ASSERT_FALSE(dataset.empty());
    const std::string job = CreateJob(server, TrainingSpec(dataset, 30, "pima"));
    ASSERT_FALSE(job.empty());

    // The event stream replays the state, reports epochs, and ends with the job.
    HttpReply events = HttpRequest(server.port(), "GET", "/v1/training-jobs/" + job + "/events", "",
                                   server.AdminAuth());
    EXPECT_EQ(events.status, 200);
    EXPECT_EQ(events.headers["content-type"], "text/event-stream");
    EXPECT_THAT(events.body, HasSubstr("event: epoch"));
    EXPECT_THAT(events.body, HasSubstr("\"epoch\":29"));  // epochs count from 0
    EXPECT_THAT(events.body, HasSubstr("succeeded"));

    Json finished = GetJob(server, job);
    ASSERT_EQ(finished["state"], "succeeded") << finished.dump();
    EXPECT_EQ(finished["model"]["name"], "pima") << finished.dump();
    EXPECT_EQ(finished["model"]["version"], 1);
    EXPECT_EQ(finished["history"].size(), 30u);

    // The registered version carries its lineage.
    HttpReply version =
        HttpRequest(server.port(), "GET", "/v1/models/pima/versions/1", "", server.AdminAuth());
    ASSERT_EQ(version.status, 200) << version.body;
    EXPECT_THAT(version.body, HasSubstr(dataset));
    EXPECT_THAT(version.body, HasSubstr(job));

    before = Predict(server, "/v1/models/pima:predict");
    ASSERT_EQ(before.size(), 3u);
    for (float p : before) EXPECT_TRUE(p > 0.0f && p < 1.0f) << p;
    EXPECT_EQ(Predict(server, "/v1/models/pima/versions/1:predict"), before);

    // KServe v2: one tensor per raw input column.
    Json inputs = Json::array();
    for (const auto& [name, value] : kInstances[0].items()) {
      Json data = Json::array();
      for (const Json& instance : kInstances) data.push_back(instance[name]);
      inputs.push_back({{"name", name}, {"datatype", "FP64"}, {"shape", {3}}, {"data", data}});
    }
    HttpReply infer = HttpRequest(server.port(), "POST", "/v2/models/pima/infer",
                                  Json{{"inputs", inputs}}.dump(), server.AdminAuth());
    ASSERT_EQ(infer.status, 200) << infer.body;
    Json outputs = Json::parse(infer.body)["outputs"];
    ASSERT_EQ(outputs[0]["name"], "probability");
    for (size_t row = 0; row < 3; ++row) {
      EXPECT_EQ(outputs[0]["data"][row].get<float>(), before[row]) << row;
    }
    EXPECT_EQ(server.StopWith(SIGTERM), 0);
  }
  ServerProcess restarted(data_dir_);
  ASSERT_NE(restarted.port(), 0);
  EXPECT_EQ(Predict(restarted, "/v1/models/pima:predict"), before);
  EXPECT_EQ(HttpRequest(restarted.port(), "GET", "/v1/datasets", "", restarted.AdminAuth()).status,
            200);
}

TEST_F(ServiceFlowTest, KillDuringAnUploadLeavesNoDatasetAndNoFile) {
  {
    ServerProcess server(data_dir_);
    ASSERT_NE(server.port(), 0);
    RawConnection upload(server.port());
    upload.Send("POST /v1/datasets?name=half HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
                server.AdminKey() + "\r\nContent-Length: 100000000\r\n\r\n" + ReadWholeFile(kPima));
    // Wait until the server is writing the body to disk, then kill it.
    const fs::path uploads = fs::path(data_dir_) / "uploads";
    for (int attempt = 0; attempt < 500 && fs::is_empty(uploads); ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_FALSE(fs::is_empty(uploads));
    server.Signal(SIGKILL);
    server.WaitForExit();
  }
  ServerProcess restarted(data_dir_);
  ASSERT_NE(restarted.port(), 0);
  EXPECT_EQ(HttpRequest(restarted.port(), "GET", "/v1/datasets", "", restarted.AdminAuth()).body,
            R"({"datasets":[]})");
  EXPECT_TRUE(fs::is_empty(fs::path(data_dir_) / "uploads"));
}

TEST_F(ServiceFlowTest, KillsDuringTrainingAndRegistrationLeaveNothingHalfVisible) {
  std::string dataset;
  std::vector<float> first;
  {
    ServerProcess server(data_dir_);
    ASSERT_NE(server.port(), 0);
    dataset = Upload(server);
    const std::string job = CreateJob(server, TrainingSpec(dataset, 3, "pima"));
    ASSERT_TRUE(WaitForState(server, job, "succeeded"));
    first = Predict(server, "/v1/models/pima:predict");
    ASSERT_EQ(first.size(), 3u);

    // Killed mid-training: the job is interrupted, nothing registered.
    const std::string long_job = CreateJob(server, TrainingSpec(dataset, 100000, "pima"));
    ASSERT_TRUE(WaitForState(server, long_job, "running"));
    server.Signal(SIGKILL);
    server.WaitForExit();
    ServerProcess restarted(data_dir_);
    ASSERT_NE(restarted.port(), 0);
    Json interrupted = GetJob(restarted, long_job);
    EXPECT_EQ(interrupted["state"], "failed");
    EXPECT_THAT(interrupted["error"].get<std::string>(), HasSubstr("interrupted"));
    EXPECT_EQ(Predict(restarted, "/v1/models/pima:predict"), first);
    HttpReply versions =
        HttpRequest(restarted.port(), "GET", "/v1/models/pima/versions", "", restarted.AdminAuth());
    EXPECT_EQ(Json::parse(versions.body)["versions"].size(), 1u);
  }
  // Kills at moments spread over short jobs' ends — training, writing the
  // model, registering it. Whatever each kill hit, after the restart every
  // listed version loads (its checksum holds) and answers, the first model
  // answers as before, and no job is left running.
  for (int round = 0; round < 6; ++round) {
    {
      ServerProcess server(data_dir_);
      ASSERT_NE(server.port(), 0);
      CreateJob(server, TrainingSpec(dataset, 2, "flaky"));
      std::this_thread::sleep_for(std::chrono::milliseconds(20 + 40 * round));
      server.Signal(SIGKILL);
      server.WaitForExit();
    }
    ServerProcess restarted(data_dir_);
    ASSERT_NE(restarted.port(), 0);
    EXPECT_EQ(Predict(restarted, "/v1/models/pima:predict"), first) << "round " << round;
    HttpReply versions = HttpRequest(restarted.port(), "GET", "/v1/models/flaky/versions", "",
                                     restarted.AdminAuth());
    if (versions.status == 200) {
      const Json listed = Json::parse(versions.body);
      for (const Json& version : listed["versions"]) {
        const std::string target = "/v1/models/flaky/versions/" +
                                   std::to_string(version["version"].get<int>()) + ":predict";
        EXPECT_EQ(Predict(restarted, target).size(), 3u) << "round " << round;
      }
    } else {
      EXPECT_EQ(versions.status, 404) << versions.body;
    }
    HttpReply jobs =
        HttpRequest(restarted.port(), "GET", "/v1/training-jobs", "", restarted.AdminAuth());
    const Json listed_jobs = Json::parse(jobs.body);
    for (const Json& job : listed_jobs["training_jobs"]) {
      EXPECT_NE(job["state"], "running") << "round " << round << ": " << job.dump();
    }
    EXPECT_EQ(restarted.StopWith(SIGTERM), 0);
  }
}

TEST_F(ServiceFlowTest, EveryServiceRouteChecksItsKeyAndScope) {
  ServerProcess server(data_dir_);
  ASSERT_NE(server.port(), 0);
  HttpReply created =
      HttpRequest(server.port(), "POST", "/v1/keys", R"({"name": "client", "scopes": ["predict"]})",
                  server.AdminAuth());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::map<std::string, std::string> predict_only = {
      {"Authorization", "Bearer " + Json::parse(created.body)["key"].get<std::string>()}};
  const std::vector<std::pair<std::string, std::string>> write_routes = {
      {"POST", "/v1/datasets?name=x"},         {"DELETE", "/v1/datasets/ds_1"},
      {"POST", "/v1/datasets/ds_1:transform"}, {"POST", "/v1/datasets/ds_1:split"},
      {"POST", "/v1/training-jobs"},           {"POST", "/v1/training-jobs/job_1:cancel"}};
  const std::vector<std::pair<std::string, std::string>> read_routes = {
      {"GET", "/v1/datasets"},
      {"GET", "/v1/datasets/ds_1"},
      {"GET", "/v1/datasets/ds_1/rows"},
      {"GET", "/v1/datasets/ds_1/export"},
      {"GET", "/v1/training-jobs"},
      {"GET", "/v1/training-jobs/job_1"},
      {"GET", "/v1/training-jobs/job_1/events"}};
  for (const auto& routes : {write_routes, read_routes}) {
    for (const auto& [method, target] : routes) {
      EXPECT_EQ(HttpRequest(server.port(), method, target, "{}").status, 401)
          << method << " " << target;
      EXPECT_EQ(HttpRequest(server.port(), method, target, "{}", predict_only).status, 403)
          << method << " " << target;
    }
  }
}

}  // namespace
}  // namespace modelhost::testing

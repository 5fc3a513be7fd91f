// The model-as-a-service flow against the real binary: a model trained with a
// data pipeline is uploaded as a bundle, registered, and answers raw records
// over HTTP — /v1 predict and KServe v2 infer — exactly as offline `predict`
// does, before and after a restart, alone or batched with other requests.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "server_process.h"

namespace modelhost::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string kPimaNa = std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes_na.csv";

// The first `count` data rows of the Pima NA file as a CSV, and as predict
// instances (NA → null; the target left out).
std::pair<std::string, Json> FirstRows(size_t count) {
  std::istringstream lines(ReadWholeFile(kPimaNa));
  std::string header, line, csv;
  std::getline(lines, header);
  csv = header + "\n";
  std::vector<std::string> names;
  {
    std::istringstream fields(header);
    for (std::string name; std::getline(fields, name, ',');) names.push_back(name);
  }
  Json instances = Json::array();
  for (size_t row = 0; row < count && std::getline(lines, line); ++row) {
    csv += line + "\n";
    std::istringstream fields(line);
    Json instance = Json::object();
    size_t column = 0;
    for (std::string value; std::getline(fields, value, ','); ++column) {
      if (names[column] == "diabetes") continue;
      instance[names[column]] = value == "NA" ? Json(nullptr) : Json(std::stod(value));
    }
    instances.push_back(instance);
  }
  return {csv, instances};
}

// The probabilities offline `modelhost predict` gives for the rows of `csv`.
std::vector<float> OfflineProbabilities(const std::string& model, const std::string& csv) {
  CommandResult offline = RunModelhost({"predict", "--model", model, "--data", csv});
  EXPECT_EQ(offline.exit_code, 0) << offline.stderr_text;
  std::vector<float> probabilities;
  std::istringstream lines(offline.stdout_text);
  std::string line;
  std::getline(lines, line);  // probability,label
  while (std::getline(lines, line)) {
    probabilities.push_back(std::stof(line.substr(0, line.find(','))));
  }
  return probabilities;
}

class ServingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        fs::path(::testing::TempDir()) /
        ("serving_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(ServingTest, UploadedPipelineModelAnswersAsOfflinePredictDoes) {
  // Train offline with a pipeline that imputes the NA values.
  std::ofstream(root_ / "pipeline.json") << R"({"steps": [
      {"op": "impute", "columns": "numeric", "strategy": "median"},
      {"op": "standardize", "columns": "numeric"}]})";
  const std::string model = (root_ / "model").string();
  CommandResult trained = RunModelhost({"train", "--data", kPimaNa, "--target", "diabetes",
                                        "--pipeline", (root_ / "pipeline.json").string(),
                                        "--epochs", "5", "--seed", "2", "--out", model});
  ASSERT_EQ(trained.exit_code, 0) << trained.stderr_text;
  const std::string bundle = (root_ / "bundle.tar").string();
  ASSERT_EQ(std::system(("tar -C '" + model + "' -cf '" + bundle + "' .").c_str()), 0);

  auto [csv, instances] = FirstRows(6);
  std::ofstream(root_ / "rows.csv") << csv;
  const std::vector<float> expected = OfflineProbabilities(model, (root_ / "rows.csv").string());
  ASSERT_EQ(expected.size(), 6u);

  const std::string data_dir = (root_ / "data").string();
  const Json body = {{"instances", instances}};
  auto check_predictions = [&](uint16_t port, const std::map<std::string, std::string>& auth,
                               int version) {
    HttpReply reply = HttpRequest(port, "POST", "/v1/models/pima:predict", body.dump(), auth);
    ASSERT_EQ(reply.status, 200) << reply.body;
    Json answer = Json::parse(reply.body);
    EXPECT_EQ(answer["model_version"], version);
    for (size_t row = 0; row < expected.size(); ++row) {
      EXPECT_EQ(answer["predictions"][row]["probability"].get<float>(), expected[row]) << row;
      EXPECT_EQ(answer["predictions"][row]["label"], expected[row] > 0.5f ? 1 : 0);
    }
  };
  {
    // A bundle streams to disk: one above --max-body-bytes still uploads.
    const std::string max_body_bytes = std::to_string(std::max(body.dump().size(), size_t{1024}));
    ASSERT_GT(ReadWholeFile(bundle).size(), std::stoul(max_body_bytes));
    ServerProcess server(data_dir, {"--max-body-bytes", max_body_bytes});
    ASSERT_NE(server.port(), 0);
    HttpReply garbage = HttpRequest(server.port(), "POST", "/v1/models/pima/versions", "not a tar",
                                    server.AdminAuth());
    EXPECT_EQ(garbage.status, 400);
    EXPECT_EQ(HttpRequest(server.port(), "GET", "/v1/models", "", server.AdminAuth()).body,
              R"({"models":[]})");

    HttpReply uploaded = HttpRequest(server.port(), "POST", "/v1/models/pima/versions",
                                     ReadWholeFile(bundle), server.AdminAuth());
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    EXPECT_EQ(Json::parse(uploaded.body)["version"], 1);
    EXPECT_EQ(Json::parse(uploaded.body)["summary"]["pipeline"], true);
    check_predictions(server.port(), server.AdminAuth(), 1);

    // The downloaded bundle uploads again as version 2.
    HttpReply downloaded = HttpRequest(server.port(), "GET", "/v1/models/pima/versions/1/bundle",
                                       "", server.AdminAuth());
    ASSERT_EQ(downloaded.status, 200);
    EXPECT_EQ(downloaded.headers["content-type"], "application/x-tar");
    HttpReply again = HttpRequest(server.port(), "POST", "/v1/models/pima/versions",
                                  downloaded.body, server.AdminAuth());
    ASSERT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(Json::parse(again.body)["version"], 2);

    HttpReply ready =
        HttpRequest(server.port(), "GET", "/v2/models/pima/ready", "", server.AdminAuth());
    EXPECT_EQ(ready.status, 200);
    EXPECT_EQ(server.StopWith(SIGTERM), 0);
  }
  // After a restart every registered version still serves. The batcher
  // forms a batch only of 6 rows here (the delay is a minute), so the six
  // single-instance requests below are answered by one forward pass.
  ServerProcess server(
      data_dir, {"--max-batch-size", "6", "--max-queue-delay-us", "60000000", "--preload=true"});
  ASSERT_NE(server.port(), 0);
  check_predictions(server.port(), server.AdminAuth(), 2);
  std::vector<HttpReply> single(instances.size());
  {
    std::vector<std::thread> clients;
    for (size_t row = 0; row < instances.size(); ++row) {
      clients.emplace_back([&, row] {
        single[row] = HttpRequest(server.port(), "POST", "/v1/models/pima:predict",
                                  Json{{"instances", {instances[row]}}}.dump(), server.AdminAuth());
      });
    }
    for (std::thread& client : clients) client.join();
  }
  for (size_t row = 0; row < single.size(); ++row) {
    ASSERT_EQ(single[row].status, 200) << single[row].body;
    EXPECT_EQ(Json::parse(single[row].body)["predictions"][0]["probability"].get<float>(),
              expected[row])
        << row;
  }
  // Two batches of 6 rows: the 6-instance request, then the six of one.
  const std::string metrics =
      HttpRequest(server.port(), "GET", "/metrics", "", server.AdminAuth()).body;
  const std::string labels = R"({model="pima",version="2"})";
  EXPECT_THAT(metrics, HasSubstr("modelhost_predictions_total" + labels + " 12"));
  EXPECT_THAT(metrics, HasSubstr("modelhost_batch_rows_count" + labels + " 2"));
  EXPECT_THAT(metrics, HasSubstr("modelhost_batch_rows_sum" + labels + " 12"));
  EXPECT_THAT(metrics, HasSubstr("modelhost_inference_latency_seconds_count" + labels + " 7"));
  EXPECT_THAT(metrics, HasSubstr("modelhost_batch_queue_depth" + labels + " 0"));
  EXPECT_THAT(metrics, HasSubstr("modelhost_model_cache_bytes "));
  EXPECT_EQ(HttpRequest(server.port(), "POST", "/v1/models/pima/versions/1:predict", body.dump(),
                        server.AdminAuth())
                .status,
            200);
  EXPECT_EQ(HttpRequest(server.port(), "POST", "/v1/models/pima:predict", body.dump()).status, 401);
}

// A network wide enough that the GEMM's leftover rows take another code path:
// offline predict and the server both pad to whole row blocks
// (serve/batched_prediction.h), so a table of 45 rows — offline, a batch of
// 32 and one of 13, thirteen rows past the last whole block of 16 — answers
// bit for bit alike.
TEST_F(ServingTest, AWideModelAnswersOfflineAsOverHttpForRowsPastTheLastWholeBlock) {
  std::ofstream(root_ / "pipeline.json") << R"({"steps": [
      {"op": "impute", "columns": "numeric", "strategy": "median"},
      {"op": "standardize", "columns": "numeric"}]})";
  std::ofstream(root_ / "wide.json") << R"({"layers": [
      {"dense": 300, "activation": "relu"}, {"dense": 300, "activation": "relu"},
      {"dense": 1, "activation": "sigmoid"}]})";
  const std::string model = (root_ / "model").string();
  CommandResult trained =
      RunModelhost({"train", "--data", kPimaNa, "--target", "diabetes", "--pipeline",
                    (root_ / "pipeline.json").string(), "--model", (root_ / "wide.json").string(),
                    "--epochs", "2", "--seed", "5", "--out", model});
  ASSERT_EQ(trained.exit_code, 0) << trained.stderr_text;
  const std::string bundle = (root_ / "bundle.tar").string();
  ASSERT_EQ(std::system(("tar -C '" + model + "' -cf '" + bundle + "' .").c_str()), 0);
  auto [csv, instances] = FirstRows(45);
  std::ofstream(root_ / "rows.csv") << csv;
  const std::vector<float> expected = OfflineProbabilities(model, (root_ / "rows.csv").string());
  ASSERT_EQ(expected.size(), 45u);

  ServerProcess server((root_ / "data").string());
  ASSERT_NE(server.port(), 0);
  HttpReply uploaded = HttpRequest(server.port(), "POST", "/v1/models/wide/versions",
                                   ReadWholeFile(bundle), server.AdminAuth());
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  HttpReply reply = HttpRequest(server.port(), "POST", "/v1/models/wide:predict",
                                Json{{"instances", instances}}.dump(), server.AdminAuth());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const Json predictions = Json::parse(reply.body)["predictions"];
  ASSERT_EQ(predictions.size(), 45u);
  for (size_t row = 0; row < expected.size(); ++row) {
    EXPECT_EQ(predictions[row]["probability"].get<float>(), expected[row]) << row;
  }
}

}  // namespace
}  // namespace modelhost::testing

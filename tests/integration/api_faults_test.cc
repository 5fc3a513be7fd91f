// Faults of the API against the real binary, each found by review: bodies
// nested deep enough to overflow the stack, a deleted model version that kept
// serving.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "server_process.h"

namespace modelhost::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string kPima = std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes.csv";

class FaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("api_faults_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    // A registered model, so that the infer routes get as far as the tensors.
    const std::string model = (root_ / "model").string();
    CommandResult trained = RunModelhost({"train", "--data", kPima, "--target", "diabetes",
                                          "--epochs", "1", "--seed", "1", "--out", model});
    ASSERT_EQ(trained.exit_code, 0) << trained.stderr_text;
    bundle_ = (root_ / "bundle.tar").string();
    ASSERT_EQ(std::system(("tar -C '" + model + "' -cf '" + bundle_ + "' .").c_str()), 0);
    server_ = std::make_unique<ServerProcess>((root_ / "data").string());
    ASSERT_NE(server_->port(), 0);
    HttpReply uploaded = Call("POST", "/v1/models/pima/versions", ReadWholeFile(bundle_));
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    HttpReply dataset = Call("POST", "/v1/datasets?name=pima", ReadWholeFile(kPima));
    ASSERT_EQ(dataset.status, 201) << dataset.body;
    dataset_ = Json::parse(dataset.body)["id"];
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(root_);
  }

  HttpReply Call(const std::string& method, const std::string& target,
                 const std::string& body = "") {
    return HttpRequest(server_->port(), method, target, body, server_->AdminAuth());
  }

  fs::path root_;
  std::string bundle_;  // the model, registered as version 1
  std::unique_ptr<ServerProcess> server_;
  std::string dataset_;
};

// Request bodies nested deeper than the server's limit (api/json_nesting.h)
// are refused with 400 on every kind of JSON route, and the server lives on:
// a body of 100,000 nested arrays once crashed it (stack overflow) in the
// KServe tensor walk, the echoed request id, and the training and dataset
// job specs.
TEST_F(FaultsTest, DeeplyNestedBodiesAre400AndTheServerLivesOn) {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  const std::string infer_data = R"({"inputs": [{"name": "glucose", "data": )" + deep + "}]}";
  const std::string infer_id =
      R"({"id": )" + deep + R"(, "inputs": [{"name": "glucose", "data": [148]}]})";
  const std::string training = R"({"dataset": ")" + dataset_ +
                               R"(", "target": "diabetes", "register_as": "deep",
                                   "model": {"layers": )" +
                               deep + "}}";
  const std::string transform =
      R"({"pipeline": {"steps": [{"op": "standardize", "columns": )" + deep + "}]}}";
  const std::pair<std::string, std::string> requests[] = {
      {"/v2/models/pima/infer", infer_data},
      {"/v2/models/pima/versions/1/infer", infer_id},
      {"/v1/models/pima:predict", R"({"instances": )" + deep + "}"},
      {"/v1/training-jobs", training},
      {"/v1/datasets/" + dataset_ + ":transform", transform},
  };
  for (const auto& [target, body] : requests) {
    HttpReply refused = Call("POST", target, body);
    EXPECT_EQ(refused.status, 400) << target << ": " << refused.body;
    EXPECT_THAT(refused.body, HasSubstr("deeper than 64 levels")) << target;
    ASSERT_EQ(HttpRequest(server_->port(), "GET", "/v2/health/live").status, 200) << target;
  }
  // Nesting within the limit still reaches the handlers, which judge it.
  HttpReply shallow = Call("POST", "/v2/models/pima/infer",
                           R"({"inputs": [{"name": "glucose", "data": [[[1]]]}]})");
  EXPECT_THAT(shallow.body, ::testing::Not(HasSubstr("deeper than")));
}

// A deleted version answered predictions from the cache for as long as the
// server ran.
TEST_F(FaultsTest, ADeletedVersionServesNoMore) {
  ASSERT_EQ(Call("POST", "/v1/models/pima/versions", ReadWholeFile(bundle_)).status, 201);
  const std::string instances = R"({"instances": [{"pregnant": 6, "glucose": 148,
      "pressure": 72, "triceps": 35, "insulin": 0, "mass": 33.6, "pedigree": 0.627, "age": 50}]})";
  for (const std::string version : {"1", "2"}) {
    HttpReply predicted =
        Call("POST", "/v1/models/pima/versions/" + version + ":predict", instances);
    ASSERT_EQ(predicted.status, 200) << predicted.body;
  }
  ASSERT_EQ(Call("DELETE", "/v1/models/pima/versions/1").status, 204);
  HttpReply gone = Call("POST", "/v1/models/pima/versions/1:predict", instances);
  EXPECT_EQ(gone.status, 404) << gone.body;
  EXPECT_THAT(gone.body, HasSubstr("no model 'pima' version 1"));
  EXPECT_EQ(Call("GET", "/v2/models/pima/versions/1/ready").status, 404);
  EXPECT_EQ(Call("POST", "/v1/models/pima/versions/2:predict", instances).status, 200);
  EXPECT_EQ(Call("GET", "/v2/models/pima/versions/2/ready").status, 200);
}

}  // namespace
}  // namespace modelhost::testing

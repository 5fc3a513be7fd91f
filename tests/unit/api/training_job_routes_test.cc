#include "api/training_job_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../jobs/pima_dataset.h"
#include "jobs/training_jobs.h"
#include "registry_server_test.h"

namespace modelhost::api::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class TrainingJobRoutesTest : public RegistryServerTest {
 protected:
  void SetUp() override {
    RegistryServerTest::SetUp();
    modelhost::testing::StorePimaDataset(*store_, data_dir_, "ds_00000000000000a1", "pima");
    auto jobs = jobs::TrainingJobs::Start(store_.get(), {.data_dir = data_dir_});
    ASSERT_TRUE(jobs.ok()) << jobs.status().message();
    jobs_ = std::move(*jobs);
    Router router;
    AddTrainingJobRoutes(router, jobs_.get());
    StartServer(std::move(router));
  }
  void TearDown() override {
    server_.reset();
    jobs_.reset();
    RegistryServerTest::TearDown();
  }

  // The (event, data) pairs of a text/event-stream body.
  static std::vector<std::pair<std::string, Json>> ParseEvents(const std::string& body) {
    std::vector<std::pair<std::string, Json>> events;
    size_t at = 0;
    while (at < body.size()) {
      const size_t end = body.find("\n\n", at);
      if (end == std::string::npos) break;
      const std::string block = body.substr(at, end - at);
      const size_t data = block.find("\ndata: ");
      EXPECT_EQ(block.rfind("event: ", 0), 0u) << block;
      events.emplace_back(block.substr(7, data - 7), Json::parse(block.substr(data + 7)));
      at = end + 2;
    }
    return events;
  }

  std::unique_ptr<jobs::TrainingJobs> jobs_;
};

TEST_F(TrainingJobRoutesTest, AJobIsCreatedWatchedToItsEndAndShown) {
  ParsedResponse created = Call("POST", "/v1/training-jobs",
                                R"({"dataset": "pima", "target": "diabetes", "register_as": "pima",
               "fit": {"epochs": 2, "validation_split": 0.2}})");
  ASSERT_EQ(created.status, 202) << created.body;
  Json job = Json::parse(created.body);
  const std::string id = job["id"];
  EXPECT_EQ(job["state"], "queued");
  EXPECT_EQ(job["dataset_id"], "ds_00000000000000a1");
  EXPECT_EQ(job["spec"]["register_as"], "pima");

  ParsedResponse stream = Call("GET", "/v1/training-jobs/" + id + "/events");
  EXPECT_EQ(stream.status, 200);
  EXPECT_EQ(stream.Header("content-type"), "text/event-stream");
  auto events = ParseEvents(stream.body);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.front().first, "state");
  EXPECT_EQ(events.back().first, "end");
  EXPECT_EQ(events.back().second["state"], "succeeded");
  int epochs = 0;
  for (const auto& [name, data] : events) {
    if (name == "epoch") {
      EXPECT_TRUE(data["values"].contains("val_accuracy"));
      ++epochs;
    }
  }
  // The stream may open after the first epoch: the replayed state holds it.
  EXPECT_EQ(epochs + events.front().second["history"].size(), 2u);

  ParsedResponse shown = Call("GET", "/v1/training-jobs/" + id);
  ASSERT_EQ(shown.status, 200);
  Json done = Json::parse(shown.body);
  EXPECT_EQ(done["state"], "succeeded");
  EXPECT_EQ(done["history"].size(), 2u);
  EXPECT_EQ(done["model"]["name"], "pima");
  EXPECT_EQ(done["model"]["version"], 1);
  EXPECT_TRUE(done["error"].is_null());
  EXPECT_TRUE(done["timings"].contains("train_seconds"));

  Json list = Json::parse(Call("GET", "/v1/training-jobs").body);
  ASSERT_EQ(list["training_jobs"].size(), 1u);
  EXPECT_EQ(list["training_jobs"][0]["id"], id);

  // An ended job: its stream is the state and the end at once; cancel is refused.
  auto replay = ParseEvents(Call("GET", "/v1/training-jobs/" + id + "/events").body);
  ASSERT_EQ(replay.size(), 2u);
  EXPECT_EQ(replay[1].first, "end");
  ParsedResponse cancel = Call("POST", "/v1/training-jobs/" + id + ":cancel");
  EXPECT_EQ(cancel.status, 409);
  EXPECT_THAT(cancel.body, HasSubstr("succeeded"));
}

TEST_F(TrainingJobRoutesTest, BadRequestsAreRefusedNamingWhatIsWrong) {
  ParsedResponse field = Call("POST", "/v1/training-jobs",
                              R"({"dataset": "pima", "target": "diabetes", "register_as": "m",
                                  "fit": {"epochs": "ten"}})");
  EXPECT_EQ(field.status, 400);
  EXPECT_THAT(field.body, HasSubstr("fit.epochs"));
  ParsedResponse dataset = Call("POST", "/v1/training-jobs",
                                R"({"dataset": "iris", "target": "y", "register_as": "m"})");
  EXPECT_EQ(dataset.status, 404);
  EXPECT_THAT(dataset.body, HasSubstr("iris"));
  EXPECT_EQ(Call("GET", "/v1/training-jobs/job_0123456789abcdef").status, 404);
  EXPECT_EQ(Call("GET", "/v1/training-jobs/job_0123456789abcdef/events").status, 404);
  EXPECT_EQ(Call("POST", "/v1/training-jobs/job_0123456789abcdef:cancel").status, 404);
  EXPECT_EQ(Json::parse(Call("GET", "/v1/training-jobs").body)["training_jobs"].size(), 0u);
}

}  // namespace
}  // namespace modelhost::api::testing

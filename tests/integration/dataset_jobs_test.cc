// Transforms and splits as dataset jobs against the real binary: answered
// at once with 202 when the client prefers (RFC 7240 respond-async) and then
// polled, or awaited within `Prefer: wait` and answered as the operation
// (201, or the operation's own error); listed, cancelled (409 once ended) and
// kept across a restart.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
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

class DatasetJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = fs::path(::testing::TempDir()) / "modelhost_dataset_jobs";
    fs::remove_all(data_dir_);
  }
  void TearDown() override { fs::remove_all(data_dir_); }

  // Headers with the admin key, plus `extra`.
  std::map<std::string, std::string> Headers(const ServerProcess& server,
                                             std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> headers = server.AdminAuth();
    headers.merge(extra);
    return headers;
  }

  // The (event, data) pairs of a text/event-stream body sent chunked.
  static std::vector<std::pair<std::string, Json>> Events(const std::string& chunked) {
    std::string body;  // the chunks' data: "<hex size>\r\n<data>\r\n", ..., "0\r\n\r\n"
    for (size_t at = 0; at < chunked.size();) {
      const size_t line_end = chunked.find("\r\n", at);
      if (line_end == std::string::npos) break;
      const size_t size = std::stoul(chunked.substr(at, line_end - at), nullptr, 16);
      body += chunked.substr(line_end + 2, size);
      at = line_end + 2 + size + 2;
    }
    std::vector<std::pair<std::string, Json>> events;
    for (size_t at = 0, end; (end = body.find("\n\n", at)) != std::string::npos; at = end + 2) {
      const std::string block = body.substr(at, end - at);
      if (block.starts_with(":")) continue;  // a keep-alive comment
      const size_t data = block.find("\ndata: ");
      EXPECT_TRUE(block.starts_with("event: ") && data != std::string::npos) << block;
      if (data == std::string::npos) break;
      events.emplace_back(block.substr(7, data - 7), Json::parse(block.substr(data + 7)));
    }
    return events;
  }

  fs::path data_dir_;
};

TEST_F(DatasetJobsTest, OperationsRunAsJobsAnsweredAsTheClientPrefers) {
  auto server = std::make_unique<ServerProcess>(data_dir_.string());
  ASSERT_NE(server->port(), 0);
  const std::string pima =
      ReadWholeFile(std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes.csv");
  HttpReply uploaded =
      HttpRequest(server->port(), "POST", "/v1/datasets?name=pima", pima, Headers(*server));
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const std::string parent = Json::parse(uploaded.body)["id"];

  // respond-async: 202 at once, then polled at its Location.
  HttpReply accepted =
      HttpRequest(server->port(), "POST", "/v1/datasets/" + parent + ":transform",
                  R"({"pipeline": {"steps": [{"op": "standardize", "columns": "numeric"}]},
          "target": "diabetes", "name": "pima-std"})",
                  Headers(*server, {{"Prefer", "respond-async"}}));
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_EQ(accepted.headers["preference-applied"], "respond-async");
  const Json queued = Json::parse(accepted.body);
  EXPECT_EQ(queued["kind"], "transform");
  EXPECT_EQ(queued["dataset_id"], parent);
  const std::string location = accepted.headers["location"];
  EXPECT_EQ(location, "/v1/dataset-jobs/" + queued["id"].get<std::string>());
  Json polled;
  for (int poll = 0; poll < 600; ++poll) {
    polled = Json::parse(HttpRequest(server->port(), "GET", location, "", Headers(*server)).body);
    if (polled["state"] != "queued" && polled["state"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(polled["state"], "succeeded") << polled.dump();
  ASSERT_EQ(polled["datasets"].size(), 1u);
  HttpReply derived =
      HttpRequest(server->port(), "GET", "/v1/datasets/" + polled["datasets"][0].get<std::string>(),
                  "", Headers(*server));
  ASSERT_EQ(derived.status, 200);
  EXPECT_EQ(Json::parse(derived.body)["name"], "pima-std");
  EXPECT_EQ(Json::parse(derived.body)["lineage"]["parent"], parent);

  // Its events, once it has ended: the final state and the end, at once.
  HttpReply ended = HttpRequest(server->port(), "GET", location + "/events", "", Headers(*server));
  ASSERT_EQ(ended.status, 200) << ended.body;
  EXPECT_THAT(ended.headers["content-type"], HasSubstr("text/event-stream"));
  auto events = Events(ended.body);
  ASSERT_EQ(events.size(), 2u) << ended.body;
  EXPECT_EQ(events[0].first, "state");
  EXPECT_EQ(events[0].second["state"], "succeeded");
  EXPECT_EQ(events[1].first, "end");
  EXPECT_EQ(events[1].second, polled);
  // Watched from the start: each state as it comes, in order, then the end.
  HttpReply another =
      HttpRequest(server->port(), "POST", "/v1/datasets/" + parent + ":transform",
                  R"({"pipeline": {"steps": [{"op": "minmax", "columns": "numeric"}]}})",
                  Headers(*server, {{"Prefer", "respond-async"}}));
  ASSERT_EQ(another.status, 202) << another.body;
  HttpReply watched = HttpRequest(server->port(), "GET", another.headers["location"] + "/events",
                                  "", Headers(*server));
  ASSERT_EQ(watched.status, 200) << watched.body;
  events = Events(watched.body);
  ASSERT_GE(events.size(), 2u) << watched.body;
  std::vector<std::string> states;
  for (size_t index = 0; index + 1 < events.size(); ++index) {
    EXPECT_EQ(events[index].first, "state");
    states.push_back(events[index].second["state"]);
  }
  EXPECT_EQ(states.back(), "succeeded");
  EXPECT_TRUE(std::is_sorted(states.begin(), states.end(), [](const auto& a, const auto& b) {
    const std::vector<std::string> order = {"queued", "running", "succeeded"};
    return std::find(order.begin(), order.end(), a) < std::find(order.begin(), order.end(), b);
  }));
  EXPECT_EQ(std::adjacent_find(states.begin(), states.end()), states.end()) << watched.body;
  EXPECT_EQ(events.back().first, "end");
  EXPECT_EQ(events.back().second["state"], "succeeded");
  EXPECT_EQ(HttpRequest(server->port(), "GET", "/v1/dataset-jobs/job_0000000000000000/events", "",
                        Headers(*server))
                .status,
            404);

  // wait=N: answered as the operation once it ends.
  HttpReply split = HttpRequest(server->port(), "POST", "/v1/datasets/" + parent + ":split",
                                R"({"train": 0.75, "test": 0.25, "seed": 1})",
                                Headers(*server, {{"Prefer", "wait=60"}}));
  ASSERT_EQ(split.status, 201) << split.body;
  const Json parts = Json::parse(split.body);
  ASSERT_EQ(parts["datasets"].size(), 2u);
  EXPECT_EQ(parts["datasets"][0]["rows"].get<int>() + parts["datasets"][1]["rows"].get<int>(), 768);
  const std::string split_job = parts["job_id"];

  // The operation's own error, and the failed job that recorded it.
  HttpReply failed =
      HttpRequest(server->port(), "POST", "/v1/datasets/" + parent + ":transform",
                  R"({"pipeline": {"steps": [{"op": "standardize", "columns": ["weight"]}]}})",
                  Headers(*server, {{"Prefer", "wait=60"}}));
  EXPECT_EQ(failed.status, 400) << failed.body;
  EXPECT_THAT(failed.body, HasSubstr("weight"));
  // A bad request is refused before a job exists.
  HttpReply refused = HttpRequest(server->port(), "POST", "/v1/datasets/" + parent + ":split",
                                  R"({"train": "most"})", Headers(*server));
  EXPECT_EQ(refused.status, 400);
  EXPECT_THAT(refused.body, HasSubstr("'train'"));
  HttpReply missing = HttpRequest(server->port(), "POST", "/v1/datasets/ds_0000000000000000:split",
                                  "{}", Headers(*server));
  EXPECT_EQ(missing.status, 404);

  auto list_states = [&] {
    HttpReply list = HttpRequest(server->port(), "GET", "/v1/dataset-jobs", "", Headers(*server));
    EXPECT_EQ(list.status, 200);
    const Json jobs = Json::parse(list.body)["dataset_jobs"];
    std::vector<std::string> states;
    for (const Json& job : jobs) {
      states.push_back(job["kind"].get<std::string>() + " " + job["state"].get<std::string>());
    }
    return states;
  };
  const std::vector<std::string> expected = {"transform succeeded", "transform succeeded",
                                             "split succeeded", "transform failed"};
  EXPECT_EQ(list_states(), expected);
  HttpReply cancel = HttpRequest(server->port(), "POST",
                                 "/v1/dataset-jobs/" + split_job + ":cancel", "", Headers(*server));
  EXPECT_EQ(cancel.status, 409);
  EXPECT_THAT(cancel.body, HasSubstr("succeeded"));
  EXPECT_EQ(HttpRequest(server->port(), "GET", "/v1/dataset-jobs/job_0000000000000000", "",
                        Headers(*server))
                .status,
            404);
  // Reading jobs needs a key.
  EXPECT_EQ(HttpRequest(server->port(), "GET", "/v1/dataset-jobs").status, 401);

  // Kept across a restart.
  EXPECT_EQ(server->StopWith(SIGTERM), 0);
  server = std::make_unique<ServerProcess>(data_dir_.string());
  ASSERT_NE(server->port(), 0);
  EXPECT_EQ(list_states(), expected);
}

}  // namespace
}  // namespace modelhost::testing

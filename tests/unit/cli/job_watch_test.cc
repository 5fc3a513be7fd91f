#include "cli/job_watch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace modelhost::cli {
namespace {

using ::testing::HasSubstr;

const std::vector<ServerSentEvent> kSucceeded = {
    {"state", R"({"id":"job_1","state":"queued"})"},
    {"state", R"({"id":"job_1","state":"running"})"},
    {"progress", R"({"epoch":0,"epochs":2,"batch":5,"batches":10,"loss":0.7})"},
    {"epoch", R"({"epoch":0,"epochs":2,"values":{"loss":0.65,"accuracy":0.6,"val_loss":0.6,)"
              R"("val_accuracy":0.7},"skipped_batches":0})"},
    {"epoch",
     R"({"epoch":1,"epochs":2,"values":{"loss":0.5,"accuracy":null},"skipped_batches":0})"},
    {"end",
     R"({"id":"job_1","state":"succeeded","error":null,"model":{"name":"pima","version":3}})"},
};

// What a JobWatch wrote for `events`, and its outcome.
struct Watched {
  std::string text;
  core::Status outcome;
  bool more_after_last = true;
};

Watched Watch(const std::vector<ServerSentEvent>& events, bool terminal, bool json) {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  Watched watched;
  {
    JobWatch watch(out, terminal, json);
    for (const ServerSentEvent& event : events) {
      core::Result<bool> more = watch.OnEvent(event);
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      watched.more_after_last = more.ok() && *more;
    }
    watched.outcome = watch.Outcome();
  }
  std::fclose(out);
  watched.text.assign(text, size);
  std::free(text);
  return watched;
}

TEST(JobWatchTest, PlainOutputIsStateAndEpochLines) {
  Watched watched = Watch(kSucceeded, /*terminal=*/false, /*json=*/false);
  EXPECT_EQ(watched.text,
            "job job_1 queued\n"
            "job job_1 running\n"
            "epoch 1/2 loss=0.6500 accuracy=0.6000 val_loss=0.6000 val_accuracy=0.7000\n"
            "epoch 2/2 loss=0.5000 accuracy=nan\n"
            "job job_1 succeeded: registered pima version 3\n");
  EXPECT_TRUE(watched.outcome.ok());
  EXPECT_FALSE(watched.more_after_last);
}

TEST(JobWatchTest, EpochsRunBeforeTheStreamComeFromTheHistoryEachOnce) {
  Watched watched =
      Watch({{"state", R"({"id":"job_5","state":"running","epochs":3,"history":[)"
                       R"({"epoch":0,"values":{"loss":0.9},"skipped_batches":0}]})"},
             {"epoch", R"({"epoch":0,"epochs":3,"values":{"loss":0.9},"skipped_batches":0})"},
             {"epoch", R"({"epoch":1,"epochs":3,"values":{"loss":0.8},"skipped_batches":0})"},
             {"end", R"({"id":"job_5","state":"succeeded","epochs":3,"history":[)"
                     R"({"epoch":0,"values":{"loss":0.9},"skipped_batches":0},)"
                     R"({"epoch":1,"values":{"loss":0.8},"skipped_batches":0},)"
                     R"({"epoch":2,"values":{"loss":0.7},"skipped_batches":1}],)"
                     R"("model":{"name":"m","version":1}})"}},
            /*terminal=*/false, /*json=*/false);
  EXPECT_EQ(watched.text,
            "job job_5 running\n"
            "epoch 1/3 loss=0.9000\n"
            "epoch 2/3 loss=0.8000\n"
            "epoch 3/3 loss=0.7000 skipped_batches=1\n"
            "job job_5 succeeded: registered m version 1\n");
  EXPECT_TRUE(watched.outcome.ok());
}

TEST(JobWatchTest, TerminalDrawsABarThatTheEpochLineReplaces) {
  Watched watched = Watch(kSucceeded, /*terminal=*/true, /*json=*/false);
  EXPECT_THAT(watched.text, HasSubstr("\r\033[Kepoch 1/2 [===============>              ] 5/10 "
                                      "loss=0.7000\r\033[Kepoch 1/2 loss=0.6500"));
}

TEST(JobWatchTest, JsonIsOneEventPerLine) {
  Watched watched = Watch(kSucceeded, /*terminal=*/true, /*json=*/true);
  std::istringstream lines(watched.text);
  std::string line;
  std::vector<std::string> names;
  while (std::getline(lines, line)) {
    nlohmann::json event = nlohmann::json::parse(line);
    names.push_back(event.at("event"));
    EXPECT_TRUE(event.at("data").is_object());
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"state", "state", "progress", "epoch", "epoch", "end"}));
}

TEST(JobWatchTest, FailedCancelledAndCutStreamsAreErrors) {
  Watched failed =
      Watch({{"end", R"({"id":"job_2","state":"failed","error":"loss is NaN"})"}}, false, false);
  EXPECT_EQ(failed.outcome.code(), core::StatusCode::kFailedPrecondition);
  EXPECT_EQ(failed.outcome.message(), "job job_2 failed: loss is NaN");

  Watched cancelled =
      Watch({{"end", R"({"id":"job_3","state":"cancelled","error":null})"}}, false, false);
  EXPECT_EQ(cancelled.outcome.message(), "job job_3 was cancelled");

  Watched cut = Watch({{"state", R"({"id":"job_4","state":"running"})"}}, false, false);
  EXPECT_EQ(cut.outcome.code(), core::StatusCode::kUnavailable);
  EXPECT_THAT(cut.outcome.message(), HasSubstr("ended before the job did"));
}

TEST(JobWatchTest, MalformedEventIsAnError) {
  std::FILE* out = std::tmpfile();
  JobWatch watch(out, false, false);
  EXPECT_EQ(watch.OnEvent({"epoch", "not json"}).status().code(), core::StatusCode::kInternal);
  EXPECT_EQ(watch.OnEvent({"epoch", R"({"epochs":2})"}).status().code(),
            core::StatusCode::kInternal);
  std::fclose(out);
}

}  // namespace
}  // namespace modelhost::cli

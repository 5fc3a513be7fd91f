#include "serve/dynamic_batcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/log.h"
#include "core/metrics.h"
#include "serve/clock.h"

namespace modelhost::serve {
namespace {

using std::chrono::microseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A request is an id; its answer is id * 10. A request's rows live in a side
// table so tests can give requests different sizes.
using Batcher = DynamicBatcher<int, int>;

// Records every batch RunBatch saw and every answer delivered, and lets a test
// block until a number of answers have arrived (no sleeping, no timeouts: a
// missing answer hangs and ctest's timeout reports it).
class Recorder {
 public:
  Batcher::RunBatchFn RunBatch() {
    return [this](std::span<int> requests) -> core::Result<std::vector<int>> {
      std::vector<int> answers;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        batches_.emplace_back(requests.begin(), requests.end());
      }
      for (int id : requests) answers.push_back(id * 10);
      return answers;
    };
  }

  Batcher::DoneFn Done(int id) {
    return [this, id](core::Result<int> answer) {
      std::lock_guard<std::mutex> lock(mutex_);
      answers_.emplace(id, std::move(answer));
      ++answer_calls_[id];
      answered_.notify_all();
    };
  }

  void WaitForAnswers(size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    answered_.wait(lock, [&] { return answers_.size() >= count; });
  }

  std::vector<std::vector<int>> batches() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return batches_;
  }
  size_t answer_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return answers_.size();
  }
  core::Result<int> answer(int id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return answers_.at(id);
  }
  int answer_calls(int id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = answer_calls_.find(id);
    return found == answer_calls_.end() ? 0 : found->second;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable answered_;
  std::vector<std::vector<int>> batches_;
  std::map<int, core::Result<int>> answers_;
  std::map<int, int> answer_calls_;
};

std::unique_ptr<Batcher> CreateBatcher(BatcherOptions options, Batcher::RunBatchFn run_batch,
                                       BatcherMetrics metrics = {},
                                       Clock& clock = Clock::Steady()) {
  auto batcher = Batcher::Create(std::move(options), std::move(run_batch), metrics, clock);
  EXPECT_TRUE(batcher.ok()) << batcher.status().ToString();
  return batcher.ok() ? std::move(batcher).value() : nullptr;
}

class DynamicBatcherTest : public ::testing::Test {
 protected:
  std::unique_ptr<Batcher> Make(BatcherOptions options, BatcherMetrics metrics = {}) {
    return CreateBatcher(std::move(options), recorder_.RunBatch(), metrics, clock_);
  }
  core::Status Submit(Batcher& batcher, int id, size_t rows = 1) {
    return batcher.Submit(id, rows, recorder_.Done(id));
  }

  ManualClock clock_;
  Recorder recorder_;
};

TEST_F(DynamicBatcherTest, RunsABatchAsSoonAsMaxBatchSizeRowsWait) {
  auto batcher = Make({.max_batch_size = 4, .max_queue_delay_us = 1000, .max_queue_size = 16});
  for (int id = 0; id < 4; ++id) ASSERT_TRUE(Submit(*batcher, id).ok());
  recorder_.WaitForAnswers(4);  // the clock never moved: only the size rule can have fired
  EXPECT_THAT(recorder_.batches(), ElementsAre(ElementsAre(0, 1, 2, 3)));
  for (int id = 0; id < 4; ++id) EXPECT_EQ(*recorder_.answer(id), id * 10);
}

TEST_F(DynamicBatcherTest, RunsAPartialBatchWhenTheOldestRequestHasWaitedTheDelay) {
  auto batcher = Make({.max_batch_size = 4, .max_queue_delay_us = 1000, .max_queue_size = 16});
  ASSERT_TRUE(Submit(*batcher, 0).ok());
  clock_.Advance(microseconds(600));
  ASSERT_TRUE(Submit(*batcher, 1).ok());
  clock_.Advance(microseconds(399));  // request 0 has waited 999 µs
  clock_.BlockUntilWaiting();         // the worker saw that time and kept waiting
  EXPECT_EQ(recorder_.answer_count(), 0u);
  EXPECT_EQ(batcher->queued_requests(), 2u);

  clock_.Advance(microseconds(1));  // 1000 µs: the delay of the oldest, not the newest, counts
  recorder_.WaitForAnswers(2);
  EXPECT_THAT(recorder_.batches(), ElementsAre(ElementsAre(0, 1)));
}

TEST_F(DynamicBatcherTest, ZeroDelayRunsWhateverIsQueued) {
  auto batcher = Make({.max_batch_size = 8, .max_queue_delay_us = 0, .max_queue_size = 16});
  ASSERT_TRUE(Submit(*batcher, 7).ok());
  recorder_.WaitForAnswers(1);
  EXPECT_THAT(recorder_.batches(), ElementsAre(ElementsAre(7)));
}

TEST_F(DynamicBatcherTest, KeepsSubmissionOrderAcrossBatches) {
  auto batcher = Make({.max_batch_size = 3, .max_queue_delay_us = 1000, .max_queue_size = 16});
  for (int id = 0; id < 10; ++id) ASSERT_TRUE(Submit(*batcher, id).ok());
  recorder_.WaitForAnswers(9);
  clock_.Advance(microseconds(1000));
  recorder_.WaitForAnswers(10);
  EXPECT_THAT(recorder_.batches(), ElementsAre(ElementsAre(0, 1, 2), ElementsAre(3, 4, 5),
                                               ElementsAre(6, 7, 8), ElementsAre(9)));
  for (int id = 0; id < 10; ++id) {
    EXPECT_EQ(*recorder_.answer(id), id * 10);
    EXPECT_EQ(recorder_.answer_calls(id), 1);
  }
}

TEST_F(DynamicBatcherTest, CountsRowsAndRunsAnOversizeRequestAlone) {
  auto batcher = Make({.max_batch_size = 4, .max_queue_delay_us = 1000, .max_queue_size = 16});
  ASSERT_TRUE(Submit(*batcher, 0, /*rows=*/2).ok());
  ASSERT_TRUE(Submit(*batcher, 1, /*rows=*/6).ok());  // more than a batch holds
  ASSERT_TRUE(Submit(*batcher, 2, /*rows=*/2).ok());
  // 10 rows waited: request 0 runs (1 would overflow its batch), then 1 alone.
  recorder_.WaitForAnswers(2);
  clock_.BlockUntilWaiting();  // request 2's 2 rows wait for the delay
  EXPECT_THAT(recorder_.batches(), ElementsAre(ElementsAre(0), ElementsAre(1)));
  clock_.Advance(microseconds(1000));
  recorder_.WaitForAnswers(3);
  EXPECT_THAT(recorder_.batches(), ElementsAre(ElementsAre(0), ElementsAre(1), ElementsAre(2)));
}

TEST_F(DynamicBatcherTest, FillsABatchWithRequestsOfSeveralRows) {
  auto batcher = Make({.max_batch_size = 8, .max_queue_delay_us = 1000, .max_queue_size = 16});
  ASSERT_TRUE(Submit(*batcher, 0, 3).ok());
  ASSERT_TRUE(Submit(*batcher, 1, 3).ok());
  ASSERT_TRUE(Submit(*batcher, 2, 2).ok());  // 8 rows: full
  recorder_.WaitForAnswers(3);
  EXPECT_THAT(recorder_.batches(), ElementsAre(ElementsAre(0, 1, 2)));
}

TEST_F(DynamicBatcherTest, AFullQueueRejectsAtOnceAndNeverCallsTheRejectedCallback) {
  core::MetricsRegistry registry;
  core::Counter& rejected = registry.AddCounter("rejected", "help").WithLabels({});
  auto batcher = Make({.max_batch_size = 8, .max_queue_delay_us = 1000, .max_queue_size = 2},
                      {.rejected = &rejected});
  ASSERT_TRUE(Submit(*batcher, 0).ok());
  ASSERT_TRUE(Submit(*batcher, 1).ok());
  const core::Status full = Submit(*batcher, 2);
  EXPECT_EQ(full.code(), core::StatusCode::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr("queue full: 2 requests waiting"));
  EXPECT_EQ(rejected.Value(), 1.0);

  clock_.Advance(microseconds(1000));
  recorder_.WaitForAnswers(2);
  ASSERT_TRUE(Submit(*batcher, 3).ok());  // room again once the batch was taken
  batcher->Stop();
  EXPECT_EQ(recorder_.answer_calls(2), 0);
  EXPECT_EQ(recorder_.answer_calls(3), 1);
}

TEST_F(DynamicBatcherTest, AFailingBatchAnswersEveryRequestWithItsError) {
  auto batcher = CreateBatcher(
      {.max_batch_size = 3, .max_queue_delay_us = 1000, .max_queue_size = 16},
      [](std::span<int>) -> core::Result<std::vector<int>> {
        return core::Internal("forward pass: layer dense_1: shape mismatch");
      },
      {}, clock_);
  for (int id = 0; id < 3; ++id) ASSERT_TRUE(batcher->Submit(id, 1, recorder_.Done(id)).ok());
  recorder_.WaitForAnswers(3);
  for (int id = 0; id < 3; ++id) {
    EXPECT_EQ(recorder_.answer(id).status(),
              core::Internal("forward pass: layer dense_1: shape mismatch"));
    EXPECT_EQ(recorder_.answer_calls(id), 1);
  }
}

TEST_F(DynamicBatcherTest, AThrowingBatchAnswersInternalAndTheWorkerLivesOn) {
  std::mutex log_mutex;
  std::vector<std::string> log_lines;
  core::SetLogSinkForTesting([&](std::string_view line) {
    std::lock_guard<std::mutex> lock(log_mutex);
    log_lines.emplace_back(line);
  });
  bool throw_next = true;
  auto batcher = CreateBatcher(
      {.max_batch_size = 2, .max_queue_delay_us = 1000, .max_queue_size = 16},
      [&](std::span<int> requests) -> core::Result<std::vector<int>> {
        if (std::exchange(throw_next, false)) throw std::runtime_error("out of memory");
        return std::vector<int>(requests.begin(), requests.end());
      },
      {}, clock_);
  for (int id = 0; id < 4; ++id) ASSERT_TRUE(batcher->Submit(id, 1, recorder_.Done(id)).ok());
  recorder_.WaitForAnswers(4);
  for (int id = 0; id < 2; ++id) {
    EXPECT_EQ(recorder_.answer(id).status().code(), core::StatusCode::kInternal);
    EXPECT_THAT(recorder_.answer(id).status().message(),
                HasSubstr("RunBatch threw: out of memory"));
  }
  EXPECT_EQ(*recorder_.answer(2), 2);
  EXPECT_EQ(*recorder_.answer(3), 3);
  batcher.reset();
  core::SetLogSinkForTesting(nullptr);
  ASSERT_EQ(log_lines.size(), 1u);
  EXPECT_THAT(log_lines[0], HasSubstr("in=RunBatch"));
  EXPECT_THAT(log_lines[0], HasSubstr("out of memory"));
}

TEST_F(DynamicBatcherTest, TheWrongNumberOfResultsIsAnInternalErrorForEachRequest) {
  auto batcher = CreateBatcher(
      {.max_batch_size = 2, .max_queue_delay_us = 1000, .max_queue_size = 16},
      [](std::span<int>) -> core::Result<std::vector<int>> { return std::vector<int>{1}; }, {},
      clock_);
  for (int id = 0; id < 2; ++id) ASSERT_TRUE(batcher->Submit(id, 1, recorder_.Done(id)).ok());
  recorder_.WaitForAnswers(2);
  for (int id = 0; id < 2; ++id) {
    EXPECT_THAT(recorder_.answer(id).status().message(),
                HasSubstr("RunBatch returned 1 results for 2 requests"));
  }
}

TEST_F(DynamicBatcherTest, StopRunsWhatIsQueuedThenRefusesNewRequests) {
  auto batcher =
      Make({.max_batch_size = 2, .max_queue_delay_us = kMaxQueueDelayUs, .max_queue_size = 16});
  for (int id = 0; id < 5; ++id) ASSERT_TRUE(Submit(*batcher, id).ok());
  batcher->Stop();  // the clock never moved: the last request runs because of the drain
  EXPECT_EQ(recorder_.answer_count(), 5u);
  EXPECT_THAT(recorder_.batches(),
              ElementsAre(ElementsAre(0, 1), ElementsAre(2, 3), ElementsAre(4)));
  const core::Status refused = Submit(*batcher, 9);
  EXPECT_EQ(refused.code(), core::StatusCode::kUnavailable);
  EXPECT_THAT(refused.message(), HasSubstr("shutting down"));
  EXPECT_EQ(recorder_.answer_calls(9), 0);
  batcher->Stop();  // idempotent
}

TEST_F(DynamicBatcherTest, DestroyingTheBatcherAnswersEveryQueuedRequest) {
  auto batcher = Make({.max_batch_size = 8, .max_queue_delay_us = 1000, .max_queue_size = 16});
  for (int id = 0; id < 3; ++id) ASSERT_TRUE(Submit(*batcher, id).ok());
  batcher.reset();
  EXPECT_EQ(recorder_.answer_count(), 3u);
  EXPECT_EQ(*recorder_.answer(2), 20);
}

// The batch is blocked inside RunBatch while the batcher is destroyed and more
// requests wait; the order of the release and the destructor's start is left to
// the scheduler, and both orders must answer everything (checked under ASan/TSan).
TEST_F(DynamicBatcherTest, DestructionWhileABatchRunsIsSafe) {
  std::mutex mutex;
  std::condition_variable changed;
  bool entered = false;
  bool released = false;
  auto batcher = CreateBatcher(
      {.max_batch_size = 1, .max_queue_delay_us = 1000, .max_queue_size = 16},
      [&](std::span<int> requests) -> core::Result<std::vector<int>> {
        std::unique_lock<std::mutex> lock(mutex);
        entered = true;
        changed.notify_all();
        changed.wait(lock, [&] { return released; });
        return std::vector<int>(requests.begin(), requests.end());
      },
      {}, clock_);
  ASSERT_TRUE(batcher->Submit(0, 1, recorder_.Done(0)).ok());
  {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return entered; });
  }
  ASSERT_TRUE(batcher->Submit(1, 1, recorder_.Done(1)).ok());
  std::thread releaser([&] {
    std::lock_guard<std::mutex> lock(mutex);
    released = true;
    changed.notify_all();
  });
  batcher.reset();
  releaser.join();
  EXPECT_EQ(*recorder_.answer(0), 0);
  EXPECT_EQ(*recorder_.answer(1), 1);
}

TEST_F(DynamicBatcherTest, ACallbackMaySubmitTheNextRequest) {
  auto batcher = Make({.max_batch_size = 1, .max_queue_delay_us = 0, .max_queue_size = 4});
  Batcher* raw = batcher.get();
  ASSERT_TRUE(batcher
                  ->Submit(0, 1,
                           [&, raw](core::Result<int> answer) {
                             EXPECT_TRUE(answer.ok());
                             EXPECT_TRUE(Submit(*raw, 1).ok());
                           })
                  .ok());
  recorder_.WaitForAnswers(1);
  EXPECT_EQ(*recorder_.answer(1), 10);
}

TEST_F(DynamicBatcherTest, RecordsBatchRowsAndQueueDepth) {
  core::MetricsRegistry registry;
  core::Histogram& batch_rows =
      registry.AddHistogram("batch_rows", "help", {}, BatchRowsBuckets(4)).WithLabels({});
  core::Gauge& queue_depth = registry.AddGauge("queue_depth", "help").WithLabels({});
  auto batcher = Make({.max_batch_size = 4, .max_queue_delay_us = 1000, .max_queue_size = 16},
                      {.batch_rows = &batch_rows, .queue_depth = &queue_depth});
  ASSERT_TRUE(Submit(*batcher, 0, 1).ok());
  ASSERT_TRUE(Submit(*batcher, 1, 2).ok());
  EXPECT_EQ(queue_depth.Value(), 2.0);
  ASSERT_TRUE(Submit(*batcher, 2, 1).ok());  // 4 rows: one full batch
  recorder_.WaitForAnswers(3);
  ASSERT_TRUE(Submit(*batcher, 3, 3).ok());
  clock_.Advance(microseconds(1000));
  recorder_.WaitForAnswers(4);
  EXPECT_EQ(queue_depth.Value(), 0.0);
  EXPECT_EQ(batch_rows.Count(), 2u);
  EXPECT_EQ(batch_rows.Sum(), 7.0);
  // Buckets 1, 2, 4, +Inf: one batch of 4 rows, one of 3.
  EXPECT_EQ(batch_rows.BucketCount(2), 2u);
}

TEST_F(DynamicBatcherTest, RejectsBadOptionsAndBadRequests) {
  for (const BatcherOptions& bad :
       {BatcherOptions{.max_batch_size = 0}, BatcherOptions{.max_queue_delay_us = -1},
        BatcherOptions{.max_queue_delay_us = kMaxQueueDelayUs + 1},
        BatcherOptions{.max_queue_size = 0}}) {
    auto batcher = Batcher::Create(bad, recorder_.RunBatch(), {}, clock_);
    EXPECT_EQ(batcher.status().code(), core::StatusCode::kInvalidArgument);
  }
  EXPECT_THAT(ValidateBatcherOptions({.max_batch_size = 0, .name = "pima:3"}).message(),
              HasSubstr("batcher 'pima:3': max_batch_size must be >= 1"));
  EXPECT_EQ(Batcher::Create({}, nullptr, {}, clock_).status().code(),
            core::StatusCode::kInvalidArgument);

  auto batcher = Make({});
  EXPECT_EQ(Submit(*batcher, 0, /*rows=*/0).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(batcher->Submit(1, 1, nullptr).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(batcher->queued_requests(), 0u);
}

TEST(BatchRowsBucketsTest, PowersOfTwoUpToTheBatchSize) {
  EXPECT_THAT(BatchRowsBuckets(1), ElementsAre(1.0));
  EXPECT_THAT(BatchRowsBuckets(8), ElementsAre(1.0, 2.0, 4.0, 8.0));
  EXPECT_THAT(BatchRowsBuckets(48), ElementsAre(1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 48.0));
}

// Many threads submit at once against the real clock. No timing is asserted:
// every request is answered exactly once with its own result, no batch exceeds
// max_batch_size, and each thread's requests run in the order it submitted them.
TEST(DynamicBatcherConcurrencyTest, ManySubmittersEachGetTheirOwnAnswerInOrder) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 400;
  Recorder recorder;
  auto batcher = CreateBatcher(
      {.max_batch_size = 16, .max_queue_delay_us = 50, .max_queue_size = kThreads * kPerThread},
      recorder.RunBatch());
  std::vector<std::thread> submitters;
  for (int thread = 0; thread < kThreads; ++thread) {
    submitters.emplace_back([&, thread] {
      for (int sequence = 0; sequence < kPerThread; ++sequence) {
        const int id = thread * kPerThread + sequence;
        EXPECT_TRUE(batcher->Submit(id, 1, recorder.Done(id)).ok());
      }
    });
  }
  for (std::thread& submitter : submitters) submitter.join();
  recorder.WaitForAnswers(kThreads * kPerThread);
  batcher.reset();

  std::vector<int> last_seen(kThreads, -1);
  size_t batched = 0;
  for (const std::vector<int>& batch : recorder.batches()) {
    EXPECT_LE(batch.size(), 16u);
    for (int id : batch) {
      EXPECT_GT(id % kPerThread, last_seen[id / kPerThread]) << "request " << id << " out of order";
      last_seen[id / kPerThread] = id % kPerThread;
      ++batched;
    }
  }
  EXPECT_EQ(batched, static_cast<size_t>(kThreads * kPerThread));
  for (int id = 0; id < kThreads * kPerThread; ++id) {
    ASSERT_EQ(recorder.answer_calls(id), 1) << "request " << id;
    ASSERT_EQ(*recorder.answer(id), id * 10);
  }
}

// Stop races with submitters: every Submit that returned OK is answered exactly
// once (by the drain if need be), every refused one never, and after Stop
// began nothing more is accepted. Submitters retry a full queue and run until
// Stop refuses them, so the test ends however the threads are scheduled.
TEST(DynamicBatcherConcurrencyTest, StopDuringSubmissionsAnswersEveryAcceptedRequest) {
  constexpr int kThreads = 4;
  Recorder recorder;
  auto batcher = CreateBatcher({.max_batch_size = 8, .max_queue_delay_us = 0, .max_queue_size = 64},
                               recorder.RunBatch());
  std::vector<std::vector<int>> accepted(kThreads);
  std::vector<std::thread> submitters;
  for (int thread = 0; thread < kThreads; ++thread) {
    submitters.emplace_back([&, thread] {
      for (int sequence = 0;; ++sequence) {
        const int id = sequence * kThreads + thread;
        const core::Status status = batcher->Submit(id, 1, recorder.Done(id));
        if (status.ok()) {
          accepted[thread].push_back(id);
        } else if (status.code() == core::StatusCode::kUnavailable) {
          return;
        } else {
          ASSERT_EQ(status.code(), core::StatusCode::kResourceExhausted);
          std::this_thread::yield();
        }
      }
    });
  }
  recorder.WaitForAnswers(1000);  // submissions are under way
  batcher->Stop();
  for (std::thread& submitter : submitters) submitter.join();

  size_t accepted_total = 0;
  for (const std::vector<int>& ids : accepted) {
    accepted_total += ids.size();
    for (int id : ids) ASSERT_EQ(recorder.answer_calls(id), 1) << "request " << id;
  }
  EXPECT_EQ(recorder.answer_count(), accepted_total);
  EXPECT_EQ(batcher->queued_requests(), 0u);
}

}  // namespace
}  // namespace modelhost::serve

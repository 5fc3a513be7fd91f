// ModelCache and LoadedModel over a real metadata store and model files:
// resolution, prediction through the batcher, LRU by bytes with draining,
// back-pressure, metrics and preloading.

#include "serve/model_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "registered_models.h"

namespace modelhost::serve {
namespace {

class ModelCacheTest : public testing::RegisteredModels {
 protected:
  static nn::Matrix Rows(size_t count) {
    nn::Matrix rows(count, 3);
    for (size_t index = 0; index < rows.size(); ++index) {
      rows.data()[index] = 0.25f * static_cast<float>(index) - 1.0f;
    }
    return rows;
  }

  // Predicts `rows` on `model` and waits for the answer.
  static core::Result<nn::Matrix> PredictAndWait(LoadedModel& model, const nn::Matrix& rows) {
    std::promise<core::Result<nn::Matrix>> answered;
    core::Status queued = model.Predict(rows, [&answered](core::Result<nn::Matrix> outputs) {
      answered.set_value(std::move(outputs));
    });
    if (!queued.ok()) return queued;
    return answered.get_future().get();
  }

  // Options under which nothing runs until Stop (or eviction) drains the
  // queue: a batch would need 1000 rows or an hour's wait.
  static BatcherOptions HoldingBatcher(size_t max_queue_size = 100) {
    return {.max_batch_size = 1000,
            .max_queue_delay_us = kMaxQueueDelayUs,
            .max_queue_size = max_queue_size,
            .name = "test"};
  }
};

TEST_F(ModelCacheTest, PredictAnswersOnTheBatcherWorkerAsTheStoredNetworkDoes) {
  ASSERT_NO_FATAL_FAILURE(Register("m", 1));
  ModelCache cache(store_.get(), data_dir_);
  auto loaded = cache.Get("m", {});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->record().version, 1);

  std::promise<std::thread::id> worker;
  std::promise<core::Result<nn::Matrix>> answered;
  ASSERT_TRUE((*loaded)
                  ->Predict(Rows(5),
                            [&](core::Result<nn::Matrix> outputs) {
                              worker.set_value(std::this_thread::get_id());
                              answered.set_value(std::move(outputs));
                            })
                  .ok());
  EXPECT_NE(worker.get_future().get(), std::this_thread::get_id());
  core::Result<nn::Matrix> outputs = answered.get_future().get();
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  EXPECT_EQ(*outputs, OfflinePredict("m", 1, Rows(5)));  // bitwise
}

TEST_F(ModelCacheTest, RowsOfTheWrongWidthOrNoneAreRefusedBeforeQueueing) {
  ASSERT_NO_FATAL_FAILURE(Register("m", 1));
  ModelCache cache(store_.get(), data_dir_);
  auto loaded = cache.Get("m", {});
  ASSERT_TRUE(loaded.ok());
  bool called = false;
  auto done = [&called](core::Result<nn::Matrix>) { called = true; };
  EXPECT_EQ((*loaded)->Predict(nn::Matrix(2, 4), done).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ((*loaded)->Predict(nn::Matrix(0, 3), done).code(), core::StatusCode::kInvalidArgument);
  EXPECT_FALSE(called);
}

TEST_F(ModelCacheTest, AnotherProcesssAliasMoveIsSeenOnceTheTimeToLivePassed) {
  ASSERT_NO_FATAL_FAILURE(Register("m", 1));
  ASSERT_NO_FATAL_FAILURE(Register("m", 2));
  // Another server sharing the database: its writes leave this store's
  // registry generation alone.
  auto other = store::OpenSqliteMetadataStore(data_dir_);
  ASSERT_TRUE(other.ok());
  ManualClock clock;
  ModelCache cache(store_.get(), data_dir_,
                   {.batcher = {.max_batch_size = 32, .max_queue_delay_us = 0},
                    .resolution_ttl_ms = 1000,
                    .clock = &clock});
  auto latest = cache.Get("m", {});
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ((*latest)->record().version, 2);
  ASSERT_TRUE((*other)->SetAlias("m", "production", 1).ok());
  auto kept = cache.Get("m", {});
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ((*kept)->record().version, 2);  // what the store said 0 ms ago still holds
  clock.Advance(std::chrono::milliseconds(999));
  EXPECT_EQ((*cache.Get("m", {}))->record().version, 2);
  clock.Advance(std::chrono::milliseconds(1));
  auto production = cache.Get("m", {});
  ASSERT_TRUE(production.ok());
  EXPECT_EQ((*production)->record().version, 1);
  // A version asked for by number is served while the store lists it.
  EXPECT_EQ((*cache.Get("m", {.version = 2, .alias = {}}))->record().version, 2);

  // Requests queued on version 2 before the move are answered by it.
  auto answer = PredictAndWait(**latest, Rows(2));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(*answer, OfflinePredict("m", 2, Rows(2)));
}

TEST_F(ModelCacheTest, ThisProcesssRegistryWritesAreSeenAtOnce) {
  ASSERT_NO_FATAL_FAILURE(Register("m", 1));
  ManualClock clock;
  ModelCache cache(store_.get(), data_dir_,
                   {.batcher = {}, .resolution_ttl_ms = 60'000, .clock = &clock});
  EXPECT_EQ((*cache.Get("m", {}))->record().version, 1);
  ASSERT_NO_FATAL_FAILURE(Register("m", 2));
  EXPECT_EQ((*cache.Get("m", {}))->record().version, 2);  // no time passed
  ASSERT_TRUE(store_->SetAlias("m", "production", 1).ok());
  EXPECT_EQ((*cache.Get("m", {}))->record().version, 1);
  ASSERT_TRUE(store_->DeleteAlias("m", "production").ok());
  EXPECT_EQ((*cache.Get("m", {}))->record().version, 2);
}

TEST_F(ModelCacheTest, WithoutTimeToLiveVersionsAndAliasesResolveOnEveryCall) {
  ASSERT_NO_FATAL_FAILURE(Register("m", 1));
  ASSERT_NO_FATAL_FAILURE(Register("m", 2));
  ModelCache cache(store_.get(), data_dir_, {.batcher = {}, .resolution_ttl_ms = 0});
  auto latest = cache.Get("m", {});
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ((*latest)->record().version, 2);
  ASSERT_TRUE(store_->SetAlias("m", "production", 1).ok());
  auto production = cache.Get("m", {});
  ASSERT_TRUE(production.ok());
  EXPECT_EQ((*production)->record().version, 1);
  ASSERT_TRUE(store_->SetAlias("m", "production", 2).ok());
  auto moved = cache.Get("m", {.version = {}, .alias = "production"});
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ((*moved)->record().version, 2);
  EXPECT_EQ(moved->get(), latest->get());  // loaded once
  // A request still holding version 1 is answered by it.
  auto answer = PredictAndWait(**production, Rows(2));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(*answer, OfflinePredict("m", 1, Rows(2)));

  EXPECT_EQ(cache.Get("m", {.version = 7, .alias = {}}).status().code(),
            core::StatusCode::kNotFound);
  EXPECT_EQ(cache.Get("m", {.version = {}, .alias = "staging"}).status().code(),
            core::StatusCode::kNotFound);
  EXPECT_EQ(cache.Get("other", {}).status().code(), core::StatusCode::kNotFound);
}

TEST_F(ModelCacheTest, TheLeastRecentlyUsedVersionsGoWhenTheBytesExceedTheBudget) {
  ASSERT_NO_FATAL_FAILURE(Register("m", 1));
  ASSERT_NO_FATAL_FAILURE(Register("m", 2));
  ASSERT_NO_FATAL_FAILURE(Register("m", 3));
  uint64_t one_version = 0;
  {
    ModelCache probe(store_.get(), data_dir_);
    ASSERT_TRUE(probe.Get("m", {.version = 1, .alias = {}}).ok());
    one_version = probe.loaded_bytes();
  }
  ASSERT_GT(one_version, 0u);
  // Room for two versions (all three have the same files' sizes).
  ModelCache cache(store_.get(), data_dir_,
                   {.max_bytes = 2 * one_version + one_version / 2, .batcher = {}});
  auto first = cache.Get("m", {.version = 1, .alias = {}});
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(cache.Get("m", {.version = 2, .alias = {}}).ok());
  ASSERT_TRUE(cache.Get("m", {.version = 1, .alias = {}}).ok());  // 1 is now the most recent
  ASSERT_TRUE(cache.Get("m", {.version = 3, .alias = {}}).ok());  // so 2 goes
  EXPECT_EQ(cache.loaded_count(), 2u);
  EXPECT_EQ(cache.loaded_bytes(), 2 * one_version);
  auto again = cache.Get("m", {.version = 1, .alias = {}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), first->get());  // 1 stayed loaded

  // A version larger than the whole budget still loads, alone.
  ModelCache tiny(store_.get(), data_dir_, {.max_bytes = 1, .batcher = {}});
  ASSERT_TRUE(tiny.Get("m", {.version = 1, .alias = {}}).ok());
  ASSERT_TRUE(tiny.Get("m", {.version = 2, .alias = {}}).ok());
  EXPECT_EQ(tiny.loaded_count(), 1u);
}

TEST_F(ModelCacheTest, AnEvictedVersionAnswersEveryRequestItQueuedBeforeItGoes) {
  ASSERT_NO_FATAL_FAILURE(Register("m", 1));
  ASSERT_NO_FATAL_FAILURE(Register("m", 2));
  ModelCache cache(store_.get(), data_dir_, {.max_bytes = 1, .batcher = HoldingBatcher()});
  std::atomic<int> answered_ok{0};
  {
    auto first = cache.Get("m", {.version = 1, .alias = {}});
    ASSERT_TRUE(first.ok());
    for (int request = 0; request < 10; ++request) {
      ASSERT_TRUE((*first)
                      ->Predict(Rows(1),
                                [&answered_ok](core::Result<nn::Matrix> outputs) {
                                  if (outputs.ok()) ++answered_ok;
                                })
                      .ok());
    }
    EXPECT_EQ((*first)->queued_requests(), 10u);
  }
  EXPECT_EQ(answered_ok.load(), 0);  // the batcher holds them: no batch is ready
  // Loading version 2 evicts version 1, whose queue drains before Get returns.
  ASSERT_TRUE(cache.Get("m", {.version = 2, .alias = {}}).ok());
  EXPECT_EQ(answered_ok.load(), 10);
}

TEST_F(ModelCacheTest, AFullQueueRefusesAtOnceAndAStoppedModelIsUnavailable) {
  ASSERT_NO_FATAL_FAILURE(Register("m", 1));
  core::MetricsRegistry metrics;
  ModelCache cache(store_.get(), data_dir_,
                   {.batcher = HoldingBatcher(/*max_queue_size=*/2), .metrics = &metrics});
  auto loaded = cache.Get("m", {});
  ASSERT_TRUE(loaded.ok());
  std::atomic<int> answered{0};
  auto done = [&answered](core::Result<nn::Matrix> outputs) {
    if (outputs.ok()) ++answered;
  };
  ASSERT_TRUE((*loaded)->Predict(Rows(1), done).ok());
  ASSERT_TRUE((*loaded)->Predict(Rows(1), done).ok());
  core::Status full = (*loaded)->Predict(Rows(1), done);
  EXPECT_EQ(full.code(), core::StatusCode::kResourceExhausted);
  EXPECT_NE(full.message().find("queue full"), std::string::npos) << full.message();
  EXPECT_NE(
      metrics.RenderText().find(R"(modelhost_batch_queue_rejected_total{model="m",version="1"} 1)"),
      std::string::npos);

  (*loaded)->Stop();  // runs the two queued requests
  EXPECT_EQ(answered.load(), 2);
  EXPECT_EQ((*loaded)->Predict(Rows(1), done).code(), core::StatusCode::kUnavailable);
}

TEST_F(ModelCacheTest, MetricsCountPredictionsBatchesLatencyAndQueueDepth) {
  ASSERT_NO_FATAL_FAILURE(Register("m", 1));
  core::MetricsRegistry metrics;
  ModelCache cache(store_.get(), data_dir_, {.batcher = HoldingBatcher(), .metrics = &metrics});
  auto loaded = cache.Get("m", {});
  ASSERT_TRUE(loaded.ok());
  const std::string labels = R"({model="m",version="1"})";
  std::atomic<int> answered{0};
  auto done = [&answered](core::Result<nn::Matrix> outputs) {
    if (outputs.ok()) ++answered;
  };
  ASSERT_TRUE((*loaded)->Predict(Rows(3), done).ok());
  ASSERT_TRUE((*loaded)->Predict(Rows(4), done).ok());
  std::string text = metrics.RenderText();
  EXPECT_NE(text.find("modelhost_batch_queue_depth" + labels + " 2"), std::string::npos) << text;
  EXPECT_NE(text.find("modelhost_model_cache_bytes " + std::to_string(cache.loaded_bytes())),
            std::string::npos)
      << text;

  (*loaded)->Stop();  // one batch of 7 rows
  ASSERT_EQ(answered.load(), 2);
  text = metrics.RenderText();
  EXPECT_NE(text.find("modelhost_predictions_total" + labels + " 7"), std::string::npos) << text;
  EXPECT_NE(text.find("modelhost_batch_rows_count" + labels + " 1"), std::string::npos) << text;
  EXPECT_NE(text.find("modelhost_batch_rows_sum" + labels + " 7"), std::string::npos) << text;
  EXPECT_NE(text.find("modelhost_inference_latency_seconds_count" + labels + " 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("modelhost_batch_queue_depth" + labels + " 0"), std::string::npos) << text;
}

TEST_F(ModelCacheTest, PreloadLoadsWhatEachModelServesAndReportsOneThatFails) {
  ASSERT_NO_FATAL_FAILURE(Register("a", 1));
  ASSERT_NO_FATAL_FAILURE(Register("a", 2));
  ASSERT_NO_FATAL_FAILURE(Register("b", 3));
  ASSERT_NO_FATAL_FAILURE(Register("c", 4));
  ASSERT_TRUE(store_->SetAlias("a", "production", 1).ok());
  // c's weights changed on disk: its checksum fails.
  std::ofstream(
      std::filesystem::path(store::ModelVersionPath(data_dir_, "c", 1)) / model::kWeightsFile,
      std::ios::app)
      << "x";
  ModelCache cache(store_.get(), data_dir_);
  core::Status preloaded = cache.Preload();
  EXPECT_EQ(preloaded.code(), core::StatusCode::kDataLoss) << preloaded.ToString();
  EXPECT_EQ(cache.loaded_count(), 2u);
  auto a = cache.Get("a", {});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->record().version, 1);
  EXPECT_EQ(cache.loaded_count(), 2u);  // a:1 and b:1 were both loaded already
}

TEST_F(ModelCacheTest, ADeletedVersionServesNoMoreAndLeavesTheCache) {
  ASSERT_NO_FATAL_FAILURE(Register("m", 1));
  ASSERT_NO_FATAL_FAILURE(Register("m", 2));
  ManualClock clock;
  ModelCache cache(store_.get(), data_dir_,
                   {.batcher = {.max_batch_size = 32, .max_queue_delay_us = 0},
                    .resolution_ttl_ms = 60'000,
                    .clock = &clock});
  auto one = cache.Get("m", {.version = 1, .alias = {}});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_TRUE(cache.Get("m", {}).ok());
  EXPECT_EQ(cache.loaded_count(), 2u);

  ASSERT_TRUE(store_->DeleteModelVersion("m", 1).ok());
  auto deleted = cache.Get("m", {.version = 1, .alias = {}});
  EXPECT_EQ(deleted.status().code(), core::StatusCode::kNotFound) << deleted.status().ToString();
  EXPECT_EQ(deleted.status().message(), "no model 'm' version 1");
  EXPECT_EQ(cache.loaded_count(), 1u);
  // A request that held it before the delete is still answered by it.
  auto answer = PredictAndWait(**one, Rows(2));
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(*answer, OfflinePredict("m", 1, Rows(2)));

  // The model goes with its last version.
  ASSERT_TRUE(store_->DeleteModelVersion("m", 2).ok());
  EXPECT_EQ(cache.Get("m", {.version = 2, .alias = {}}).status().code(),
            core::StatusCode::kNotFound);
  EXPECT_EQ(cache.Get("m", {}).status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(cache.loaded_count(), 0u);
  EXPECT_EQ(cache.loaded_bytes(), 0u);
}

TEST_F(ModelCacheTest, AnotherProcesssNewVersionServesAtOnceAndItsDeleteWithinTheTtl) {
  ASSERT_NO_FATAL_FAILURE(Register("m", 1));
  auto other = store::OpenSqliteMetadataStore(data_dir_);
  ASSERT_TRUE(other.ok());
  ManualClock clock;
  ModelCache cache(store_.get(), data_dir_,
                   {.batcher = {}, .resolution_ttl_ms = 1000, .clock = &clock});
  ASSERT_TRUE(cache.Get("m", {.version = 1, .alias = {}}).ok());
  // Through `other`, this store's registry generation stays: the cache's list
  // of versions is not due for a re-read, yet a number it lacks is looked up.
  ASSERT_NO_FATAL_FAILURE(Register("m", 2, other->get()));
  auto added = cache.Get("m", {.version = 2, .alias = {}});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_TRUE((*other)->DeleteModelVersion("m", 1).ok());
  clock.Advance(std::chrono::milliseconds(1000));
  EXPECT_EQ(cache.Get("m", {.version = 1, .alias = {}}).status().code(),
            core::StatusCode::kNotFound);
  EXPECT_EQ(cache.loaded_count(), 1u);
}

}  // namespace
}  // namespace modelhost::serve

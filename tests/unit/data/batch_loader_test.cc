#include "data/batch_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "data/in_memory_batch_source.h"

namespace modelhost::data {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Rows whose features {r, r + 0.5} and target r tell which row they are.
struct Numbered {
  explicit Numbered(size_t rows) {
    for (size_t row = 0; row < rows; ++row) {
      features.push_back(static_cast<float>(row));
      features.push_back(static_cast<float>(row) + 0.5f);
      targets.push_back(static_cast<float>(row));
    }
  }
  std::vector<float> features;
  std::vector<float> targets;
};

std::unique_ptr<BatchLoader> MakeLoader(const Numbered& data, BatchLoader::Options options,
                                        InMemoryBatchSource::Options source_options = {}) {
  auto source = InMemoryBatchSource::Create(data.features, data.targets, 2, source_options);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  auto loader = BatchLoader::Create(std::move(source).value(), options);
  EXPECT_TRUE(loader.ok()) << loader.status().ToString();
  return std::move(loader).value();
}

// One epoch: the rows (targets) of each batch, checking each row's features.
std::vector<std::vector<size_t>> ReadEpoch(BatchLoader& loader, uint64_t epoch) {
  loader.StartEpoch(epoch);
  std::vector<std::vector<size_t>> batches;
  Batch batch;
  while (true) {
    auto more = loader.Next(batch);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !more.value()) break;
    EXPECT_EQ(batch.num_features, 2u);
    std::vector<size_t> rows;
    for (size_t index = 0; index < batch.num_rows; ++index) {
      const float row = batch.targets[index];
      EXPECT_EQ(batch.features[index * 2], row);
      EXPECT_EQ(batch.features[index * 2 + 1], row + 0.5f);
      rows.push_back(static_cast<size_t>(row));
    }
    batches.push_back(rows);
  }
  return batches;
}

std::vector<size_t> Flatten(const std::vector<std::vector<size_t>>& batches) {
  std::vector<size_t> rows;
  for (const auto& batch : batches) rows.insert(rows.end(), batch.begin(), batch.end());
  return rows;
}

TEST(BatchLoaderTest, EachEpochYieldsEveryRowOnceInBatches) {
  Numbered data(100);
  auto loader = MakeLoader(data, {.batch_size = 32});
  EXPECT_EQ(loader->batches_per_epoch(), 4u);
  auto batches = ReadEpoch(*loader, 0);
  ASSERT_EQ(batches.size(), 4u);
  EXPECT_EQ(batches[0].size(), 32u);
  EXPECT_EQ(batches[3].size(), 4u);
  std::vector<size_t> rows = Flatten(batches);
  std::vector<size_t> sorted = rows;
  std::sort(sorted.begin(), sorted.end());
  for (size_t row = 0; row < 100; ++row) EXPECT_EQ(sorted[row], row);
  EXPECT_FALSE(std::is_sorted(rows.begin(), rows.end()));  // shuffled
}

TEST(BatchLoaderTest, ShuffleMatchesTheReferenceAndDiffersByEpoch) {
  // seeded_random_reference.py: seed 7, 10 rows.
  Numbered data(10);
  auto loader = MakeLoader(data, {.batch_size = 4}, {.seed = 7});
  EXPECT_THAT(Flatten(ReadEpoch(*loader, 0)), ElementsAre(1, 8, 6, 0, 9, 2, 4, 5, 3, 7));
  EXPECT_THAT(Flatten(ReadEpoch(*loader, 1)), ElementsAre(1, 0, 8, 7, 5, 2, 9, 6, 3, 4));
}

TEST(BatchLoaderTest, EpochOrderDependsOnlyOnSeedAndEpoch) {
  Numbered data(50);
  auto first = MakeLoader(data, {.batch_size = 8}, {.seed = 3});
  auto second = MakeLoader(data, {.batch_size = 8}, {.seed = 3});
  auto other_seed = MakeLoader(data, {.batch_size = 8}, {.seed = 4});
  ReadEpoch(*first, 0);
  ReadEpoch(*first, 1);
  // A loader resumed at epoch 2 sees what the one that ran epochs 0 and 1 sees.
  EXPECT_EQ(ReadEpoch(*first, 2), ReadEpoch(*second, 2));
  EXPECT_NE(ReadEpoch(*first, 2), ReadEpoch(*other_seed, 2));
}

TEST(BatchLoaderTest, WithoutShuffleRowsComeInOrder) {
  Numbered data(5);
  auto loader = MakeLoader(data, {.batch_size = 2}, {.shuffle = false});
  EXPECT_THAT(ReadEpoch(*loader, 4),
              ElementsAre(ElementsAre(0, 1), ElementsAre(2, 3), ElementsAre(4)));
}

TEST(BatchLoaderTest, DropLastLeavesOutTheShortBatch) {
  Numbered data(10);
  auto loader = MakeLoader(data, {.batch_size = 4, .drop_last = true});
  EXPECT_EQ(loader->batches_per_epoch(), 2u);
  auto batches = ReadEpoch(*loader, 0);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1].size(), 4u);
  auto exact = MakeLoader(data, {.batch_size = 5, .drop_last = true});
  EXPECT_EQ(ReadEpoch(*exact, 0).size(), 2u);
}

TEST(BatchLoaderTest, NextAfterTheEndKeepsSayingFalse) {
  Numbered data(3);
  auto loader = MakeLoader(data, {.batch_size = 8});
  Batch batch;
  auto before = loader->Next(batch);
  EXPECT_EQ(before.status().code(), core::StatusCode::kFailedPrecondition);
  loader->StartEpoch(0);
  ASSERT_TRUE(loader->Next(batch).value());
  EXPECT_EQ(batch.num_rows, 3u);
  EXPECT_FALSE(loader->Next(batch).value());
  EXPECT_FALSE(loader->Next(batch).value());
}

TEST(BatchLoaderTest, StartEpochMidEpochStartsOver) {
  Numbered data(40);
  auto loader = MakeLoader(data, {.batch_size = 4}, {.seed = 9});
  const auto full = ReadEpoch(*loader, 0);
  loader->StartEpoch(0);
  Batch batch;
  ASSERT_TRUE(loader->Next(batch).value());
  ASSERT_TRUE(loader->Next(batch).value());
  EXPECT_EQ(ReadEpoch(*loader, 0), full);
  // Twice in a row, before any Next.
  loader->StartEpoch(1);
  EXPECT_EQ(ReadEpoch(*loader, 0), full);
}

TEST(BatchLoaderTest, DestroyedAtAnyPointWithoutHangingOrRacing) {
  Numbered data(1000);
  { auto idle = MakeLoader(data, {.batch_size = 7}); }
  {
    auto started = MakeLoader(data, {.batch_size = 7});
    started->StartEpoch(0);
  }
  for (int batches = 1; batches < 20; ++batches) {
    auto loader = MakeLoader(data, {.batch_size = 7});
    loader->StartEpoch(0);
    Batch batch;
    for (int read = 0; read < batches; ++read) ASSERT_TRUE(loader->Next(batch).value());
  }
}

TEST(BatchLoaderTest, CreateRejectsBadArguments) {
  Numbered data(4);
  auto short_features = InMemoryBatchSource::Create(std::span<const float>(data.features).first(7),
                                                    data.targets, 2, {});
  ASSERT_FALSE(short_features.ok());
  EXPECT_THAT(short_features.status().message(),
              HasSubstr("holds 7 values, not 4 rows × 2 features"));
  EXPECT_FALSE(InMemoryBatchSource::Create(data.features, data.targets, 0, {}).ok());
  auto source = InMemoryBatchSource::Create(data.features, data.targets, 2, {});
  ASSERT_TRUE(source.ok());
  EXPECT_FALSE(BatchLoader::Create(std::move(source).value(), {.batch_size = 0}).ok());
  EXPECT_FALSE(BatchLoader::Create(nullptr, {}).ok());
}

// A source that fails where told: BeginEpoch of epoch 1, or the third batch.
class FailingSource : public BatchSource {
 public:
  size_t num_features() const override { return 1; }
  size_t num_rows() const override { return 10; }
  core::Status BeginEpoch(uint64_t epoch) override {
    if (epoch == 1) return core::DataLoss("chunk 3 fails its checksum");
    batches_ = 0;
    return core::OkStatus();
  }
  core::Status NextBatch(size_t max_rows, Batch& batch) override {
    if (++batches_ == 3) return core::DataLoss("chunk 2 is truncated");
    batch.num_rows = max_rows;
    batch.num_features = 1;
    batch.features.assign(max_rows, 1.0f);
    batch.targets.assign(max_rows, 0.0f);
    return core::OkStatus();
  }

 private:
  int batches_ = 0;
};

TEST(BatchLoaderTest, SourceErrorsEndTheEpochAndComeBackFromNext) {
  auto loader = BatchLoader::Create(std::make_unique<FailingSource>(), {.batch_size = 2});
  ASSERT_TRUE(loader.ok());
  BatchLoader& batches = *loader.value();
  Batch batch;
  batches.StartEpoch(0);
  ASSERT_TRUE(batches.Next(batch).value());
  ASSERT_TRUE(batches.Next(batch).value());
  auto failed = batches.Next(batch);
  EXPECT_EQ(failed.status().code(), core::StatusCode::kDataLoss);
  EXPECT_THAT(failed.status().message(), HasSubstr("chunk 2 is truncated"));
  EXPECT_EQ(batches.Next(batch).status().code(), core::StatusCode::kDataLoss);

  batches.StartEpoch(1);
  EXPECT_THAT(batches.Next(batch).status().message(), HasSubstr("chunk 3 fails its checksum"));

  batches.StartEpoch(0);  // recovers
  EXPECT_TRUE(batches.Next(batch).value());
}

}  // namespace
}  // namespace modelhost::data

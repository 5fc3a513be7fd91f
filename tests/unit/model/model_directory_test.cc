#include "model/model_directory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/version.h"
#include "data/csv_reader.h"
#include "data/pipeline.h"
#include "model/model_inputs.h"
#include "model/predictions.h"
#include "nn/optimizer.h"
#include "pima_model.h"

namespace modelhost::model {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class ModelDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("model_dir_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // Trains a small network on Pima for two epochs.
  void Train() {
    PimaModel model;
    ASSERT_NO_FATAL_FAILURE(MakeUntrainedPimaModel(model, {"accuracy", "auc"}, 2));
    table_ = std::move(model.table);
    description_ = std::move(model.description);
    network_ = std::move(model.network);
    features_ = std::move(model.features);
    auto targets = MakeTargetMatrix(table_, description_.schema);
    ASSERT_TRUE(targets.ok());
    targets_ = std::move(targets).value();
    auto loss = nn::Loss::Create({nn::LossKind::kBinaryCrossentropy});
    ASSERT_TRUE(loss.ok());
    auto optimizer = nn::MakeOptimizer("adam", {{"learning_rate", 0.01}});
    ASSERT_TRUE(optimizer.ok());
    nn::FitOptions options;
    options.epochs = 2;
    options.batch_size = 64;
    options.seed = 7;
    auto history = nn::Fit(*network_, *loss, **optimizer, description_.metrics,
                           {&features_, &targets_}, options);
    ASSERT_TRUE(history.ok()) << history.status().ToString();
    description_.training.history = history->epochs;
  }

  std::string Slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path root_;
  data::Table table_;
  ModelDescription description_;
  std::unique_ptr<nn::Sequential> network_;
  nn::Matrix features_;
  nn::Matrix targets_;
};

TEST_F(ModelDirectoryTest, RoundTripGivesBitIdenticalPredictions) {
  ASSERT_NO_FATAL_FAILURE(Train());
  description_.training.validation = {{"loss", 0.5}, {"accuracy", 0.75}};
  description_.training.test = {{"loss", std::numeric_limits<double>::quiet_NaN()}};
  description_.training.dataset_id = "ds_0123456789abcdef";
  description_.training.job_id = "job_0123456789abcdef";
  const std::string path = (root_ / "model").string();
  ASSERT_TRUE(ModelDirectory::Write(path, description_, *network_).ok());
  EXPECT_TRUE(fs::exists(root_ / "model" / kModelJsonFile));
  EXPECT_TRUE(fs::exists(root_ / "model" / kNetworkJsonFile));
  EXPECT_TRUE(fs::exists(root_ / "model" / kWeightsFile));
  EXPECT_EQ(std::distance(fs::directory_iterator(root_), fs::directory_iterator()), 1)
      << "no temporary directory is left behind";

  auto read = ModelDirectory::Read(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  const ModelDescription& loaded = (*read)->description();
  EXPECT_EQ(loaded.schema, description_.schema);
  EXPECT_EQ(loaded.network_spec, description_.network_spec);
  EXPECT_EQ(loaded.loss, description_.loss);
  EXPECT_EQ(loaded.metrics, description_.metrics);
  EXPECT_EQ(loaded.created_at, description_.created_at);
  EXPECT_EQ(loaded.training.seed, 7u);
  EXPECT_EQ(loaded.training.batch_size, 64u);
  ASSERT_EQ(loaded.training.history.size(), 2u);
  EXPECT_EQ(loaded.training.history[1].epoch, 1);
  EXPECT_EQ(loaded.training.history[1].values, description_.training.history[1].values);
  EXPECT_EQ(loaded.training.validation, description_.training.validation);
  ASSERT_EQ(loaded.training.test.size(), 1u);
  EXPECT_TRUE(std::isnan(loaded.training.test.at("loss")));
  EXPECT_EQ(loaded.training.dataset_id, "ds_0123456789abcdef");
  EXPECT_EQ(loaded.training.job_id, "job_0123456789abcdef");

  nn::Matrix before, after;
  ASSERT_TRUE(network_->Predict(features_, &before).ok());
  ASSERT_TRUE((*read)->network().Predict(features_, &after).ok());
  ASSERT_EQ(before.rows(), after.rows());
  EXPECT_EQ(std::memcmp(before.data(), after.data(), before.size() * sizeof(float)), 0);
  EXPECT_EQ(FormatPredictionsCsv(before, description_.schema.target),
            FormatPredictionsCsv(after, loaded.schema.target));
}

TEST_F(ModelDirectoryTest, RefusesToOverwriteAModel) {
  ASSERT_NO_FATAL_FAILURE(Train());
  const std::string path = (root_ / "model").string();
  fs::create_directories(path);  // an empty directory is fine
  ASSERT_TRUE(ModelDirectory::Write(path, description_, *network_).ok());
  core::Status again = ModelDirectory::Write(path, description_, *network_);
  EXPECT_EQ(again.code(), core::StatusCode::kAlreadyExists);
  EXPECT_EQ(std::distance(fs::directory_iterator(root_), fs::directory_iterator()), 1);
}

TEST_F(ModelDirectoryTest, ReadNamesTheFileAndField) {
  ASSERT_NO_FATAL_FAILURE(Train());
  const fs::path path = root_ / "model";
  ASSERT_TRUE(ModelDirectory::Write(path.string(), description_, *network_).ok());
  const std::string original = Slurp(path / kModelJsonFile);

  auto rewrite = [&](const std::string& from, const std::string& to) {
    std::string text = original;
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(path / kModelJsonFile, std::ios::binary | std::ios::trunc) << text;
  };
  struct Case {
    std::string from, to, expected;
  };
  const Case cases[] = {
      {"\"format_version\": 2", "\"format_version\": 3", "field 'format_version'"},
      {"\"pipeline\": false", "\"pipeline\": 0", "field 'pipeline'"},
      {"\"encoding\": \"binary\"", "\"encoding\": \"sparse\"", "field 'target.encoding'"},
      {"\"type\": \"int64\"", "\"type\": 5", "field 'input_schema.features[0].type'"},
      {"\"loss\": \"binary_crossentropy\"", "\"loss\": \"hinge2\"", "field 'loss'"},
      {"\"seed\": 7", "\"seed\": -7", "field 'training.seed'"},
      {"{", "[", "model.json"},
      {std::string(64, 'a'), "xyz", "field 'training.data_sha256'"},
      {"\"job_id\": \"\"", "\"job_id\": 1", "field 'training.job_id'"},
      {"\"validation\": {}", "\"validation\": {\"loss\": \"low\"}",
       "field 'training.evaluation.validation.loss'"},
  };
  for (const Case& test_case : cases) {
    ASSERT_NO_FATAL_FAILURE(rewrite(test_case.from, test_case.to));
    auto read = ModelDirectory::Read(path.string());
    ASSERT_FALSE(read.ok()) << test_case.from;
    EXPECT_THAT(read.status().message(), HasSubstr("model.json")) << test_case.from;
    EXPECT_THAT(read.status().message(), HasSubstr(test_case.expected)) << test_case.from;
  }

  std::ofstream(path / kModelJsonFile, std::ios::binary | std::ios::trunc) << original;
  fs::remove(path / kWeightsFile);
  auto no_weights = ModelDirectory::Read(path.string());
  ASSERT_FALSE(no_weights.ok());
  EXPECT_THAT(no_weights.status().message(), HasSubstr(kWeightsFile));
}

// Directories written before pipelines existed (format 1) still read.
TEST_F(ModelDirectoryTest, FormatOneWithoutAPipelineStillReads) {
  ASSERT_NO_FATAL_FAILURE(Train());
  const fs::path path = root_ / "model";
  ASSERT_TRUE(ModelDirectory::Write(path.string(), description_, *network_).ok());
  std::string text = Slurp(path / kModelJsonFile);
  for (auto [from, to] :
       {std::pair<std::string, std::string>{"\"format_version\": 2", "\"format_version\": 1"},
        {"\"pipeline\": false,", ""},
        {"\"dataset_id\": \"\",", ""},
        {"\"job_id\": \"\",", ""}}) {
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  }
  std::ofstream(path / kModelJsonFile, std::ios::binary | std::ios::trunc) << text;
  auto read = ModelDirectory::Read(path.string());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_FALSE((*read)->description().pipeline.has_value());
  EXPECT_TRUE((*read)->description().training.job_id.empty());
}

// The fitted pipeline is stored with the model, and the model's features for
// new rows come out of the loaded copy bit for bit as out of the original.
TEST_F(ModelDirectoryTest, ThePipelineTravelsWithTheModel) {
  auto read_data =
      data::ReadCsvFile(std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes_na.csv");
  ASSERT_TRUE(read_data.ok());
  auto pipeline = data::Pipeline::FromJson(R"({"steps": [
      {"op": "impute", "columns": "numeric", "strategy": "median"},
      {"op": "standardize", "columns": "numeric"}]})");
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().ToString();
  auto set = FitPipelineForTraining(*pipeline, read_data->table, "diabetes", std::nullopt);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->schema.target.encoding, TargetEncoding::kBinary);
  EXPECT_EQ(set->features.rows(), 768u);
  EXPECT_EQ(set->features.cols(), 8u);

  ASSERT_NO_FATAL_FAILURE(Train());
  description_.schema = set->schema;
  description_.pipeline = set->pipeline;
  auto network = nn::Sequential::Create(description_.network_spec, 8, 7);
  ASSERT_TRUE(network.ok());
  const fs::path path = root_ / "model";
  ASSERT_TRUE(ModelDirectory::Write(path.string(), description_, **network).ok());
  EXPECT_TRUE(fs::exists(path / kPipelineJsonFile));

  auto read = ModelDirectory::Read(path.string());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_TRUE((*read)->description().pipeline.has_value());
  EXPECT_EQ(*(*read)->description().pipeline, set->pipeline);
  auto before = ModelFeatures(read_data->table, set->schema, &set->pipeline);
  auto after = ModelFeatures(read_data->table, (*read)->description().schema,
                             &*(*read)->description().pipeline);
  ASSERT_TRUE(before.ok() && after.ok());
  ASSERT_EQ(before->size(), after->size());
  EXPECT_EQ(std::memcmp(before->data(), after->data(), before->size() * sizeof(float)), 0);

  std::ofstream(path / kPipelineJsonFile, std::ios::trunc) << R"({"format": "nope"})";
  auto corrupt = ModelDirectory::Read(path.string());
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.status().code(), core::StatusCode::kDataLoss);
  EXPECT_THAT(corrupt.status().message(), HasSubstr(kPipelineJsonFile));
}

TEST(PredictionsTest, FormatsEachEncoding) {
  TargetSchema binary{"y", data::ColumnType::kInt64, TargetEncoding::kBinary, {"no", "yes"}};
  EXPECT_EQ(FormatPredictionsCsv(nn::Matrix(2, 1, {0.25f, 0.75f}), binary),
            "probability,label\n0.25,no\n0.75,yes\n");
  TargetSchema classes{
      "k", data::ColumnType::kCategorical, TargetEncoding::kClassIndex, {"a", "b,c", "d"}};
  EXPECT_EQ(FormatPredictionsCsv(nn::Matrix(1, 3, {0.1f, 0.7f, 0.2f}), classes),
            "probability_a,\"probability_b,c\",probability_d,label\n0.1,0.7,0.2,\"b,c\"\n");
  TargetSchema value{"v", data::ColumnType::kFloat64, TargetEncoding::kValue, {}};
  EXPECT_EQ(FormatPredictionsCsv(nn::Matrix(1, 1, {151.5f}), value), "prediction\n151.5\n");
}

}  // namespace
}  // namespace modelhost::model

// The predict routes against a real server, registry and cache: raw records
// through the stored pipeline give the answers of the offline table path.

#include "api/predict_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/kserve_routes.h"
#include "data/csv_reader.h"
#include "data/pipeline.h"
#include "data/take_rows.h"
#include "jobs/model_registration.h"
#include "model/model_directory.h"
#include "model/model_inputs.h"
#include "nn/network_spec.h"
#include "nn/sequential.h"
#include "registry_server_test.h"
#include "store/artifact_paths.h"

namespace modelhost::api {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::ParsedResponse;
using Json = nlohmann::json;

class PredictRoutesTest : public testing::RegistryServerTest {
 protected:
  void SetUp() override {
    RegistryServerTest::SetUp();
    cache_ = std::make_unique<serve::ModelCache>(store_.get(), data_dir_, CacheOptions());
    Router router;
    AddPredictRoutes(router, {.cache = cache_.get(), .max_instances = 100});
    AddKserveRoutes(router, store_.get(), cache_.get(), /*max_rows=*/100);
    ASSERT_NO_FATAL_FAILURE(StartServer(std::move(router)));

    auto read =
        data::ReadCsvFile(std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes_na.csv");
    ASSERT_TRUE(read.ok());
    table_ = std::move(read->table);
  }
  void TearDown() override {
    server_.reset();  // before the cache its routes use
    RegistryServerTest::TearDown();
  }

  // Registers a Pima model (median impute + standardize, untrained weights
  // from `seed`) as the next version of "pima".
  void Register(uint64_t seed) {
    auto pipeline = data::Pipeline::FromJson(R"({"steps": [
        {"op": "impute", "columns": "numeric", "strategy": "median"},
        {"op": "standardize", "columns": "numeric"}]})");
    ASSERT_TRUE(pipeline.ok());
    auto set = model::FitPipelineForTraining(*pipeline, table_, "diabetes", std::nullopt);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    model::ModelDescription description;
    description.schema = set->schema;
    description.pipeline = set->pipeline;
    description.network_spec = *nn::ParseNetworkSpec(
        R"({"layers": [{"dense": 4, "activation": "relu"}, {"dense": 1, "activation": "sigmoid"}]})");
    description.loss = nn::LossKind::kBinaryCrossentropy;
    description.training.data_sha256 = std::string(64, 'c');
    auto network = nn::Sequential::Create(description.network_spec, 8, seed);
    ASSERT_TRUE(network.ok());
    const std::string staged = (root_ / ("staged-" + std::to_string(seed))).string();
    ASSERT_TRUE(model::ModelDirectory::Write(staged, description, **network).ok());
    ASSERT_TRUE(jobs::RegisterModelVersion(*store_, data_dir_, "pima", staged).ok());
  }

  // Aliases are read on every request, so a test sees its moves at once.
  virtual serve::ModelCacheOptions CacheOptions() const {
    return {.batcher = {}, .resolution_ttl_ms = 0};
  }

  ParsedResponse Post(const std::string& target, const std::string& body,
                      const std::string& method = "POST") {
    return Call(method, target, body);
  }

  // The KServe error for `body` sent to pima's infer route, checked to be `status`.
  std::string InferError(const std::string& body, int status = 400) {
    ParsedResponse response = Post("/v2/models/pima/infer", body);
    EXPECT_EQ(response.status, status) << body << " → " << response.body;
    Json error = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    return error.is_object() && error["error"].is_string() ? error["error"].get<std::string>()
                                                           : response.body;
  }

  data::Table table_;
  std::unique_ptr<serve::ModelCache> cache_;
};

// Rows 0-2 of the NA file as a client sends them: NA as null, the target left in.
const char* kInstances = R"({"instances": [
  {"pregnant": 6, "glucose": 148, "pressure": 72, "triceps": 35, "insulin": null,
   "mass": 33.6, "pedigree": 0.627, "age": 50, "diabetes": 1},
  {"pregnant": 1, "glucose": 85, "pressure": 66, "triceps": 29, "insulin": null,
   "mass": 26.6, "pedigree": 0.351, "age": 31},
  [8, 183, 64, null, null, 23.3, 0.672, 32]]})";

TEST_F(PredictRoutesTest, RawRecordsGetTheOfflineAnswerBitForBit) {
  ASSERT_NO_FATAL_FAILURE(Register(1));
  ParsedResponse response = Post("/v1/models/pima:predict", kInstances);
  ASSERT_EQ(response.status, 200) << response.body;
  Json answer = Json::parse(response.body);
  EXPECT_EQ(answer["model_version"], 1);
  ASSERT_EQ(answer["predictions"].size(), 3u);

  // The offline path: the stored directory read afresh, the same rows as a
  // table through ModelFeatures, one forward pass.
  auto offline = model::ModelDirectory::Read(store::ModelVersionPath(data_dir_, "pima", 1));
  ASSERT_TRUE(offline.ok()) << offline.status().ToString();
  const model::ModelDescription& description = (*offline)->description();
  const size_t rows[] = {0, 1, 2};
  auto three = data::TakeRows(table_, rows);
  ASSERT_TRUE(three.ok());
  auto features = model::ModelFeatures(*three, description.schema, &*description.pipeline);
  ASSERT_TRUE(features.ok()) << features.status().ToString();
  nn::Matrix outputs;
  ASSERT_TRUE((*offline)->network().Predict(*features, &outputs).ok());
  for (size_t row = 0; row < 3; ++row) {
    const Json& prediction = answer["predictions"][row];
    EXPECT_EQ(prediction["probability"].get<float>(), outputs(row, 0)) << row;
    EXPECT_EQ(prediction["label"], outputs(row, 0) > 0.5f ? 1 : 0);  // a number, as trained
  }
}

TEST_F(PredictRoutesTest, VersionsAliasesAndBadInstancesAreAnsweredPrecisely) {
  ASSERT_NO_FATAL_FAILURE(Register(1));
  ASSERT_NO_FATAL_FAILURE(Register(2));
  EXPECT_EQ(Json::parse(Post("/v1/models/pima:predict", kInstances).body)["model_version"], 2);
  ASSERT_TRUE(store_->SetAlias("pima", "production", 1).ok());
  EXPECT_EQ(Json::parse(Post("/v1/models/pima:predict", kInstances).body)["model_version"], 1);
  EXPECT_EQ(
      Json::parse(Post("/v1/models/pima/versions/2:predict", kInstances).body)["model_version"], 2);
  EXPECT_EQ(
      Json::parse(
          Post("/v1/models/pima/aliases/production:predict", kInstances).body)["model_version"],
      1);
  EXPECT_EQ(Post("/v1/models/pima/aliases/staging:predict", kInstances).status, 404);
  EXPECT_EQ(Post("/v1/models/wine:predict", kInstances).status, 404);
  EXPECT_EQ(Post("/v1/models/pima/versions/9:predict", kInstances).status, 404);

  ParsedResponse wrong_kind =
      Post("/v1/models/pima:predict", R"({"instances": [{"age": 50}, {"glucose": "high"}]})");
  EXPECT_EQ(wrong_kind.status, 400);
  EXPECT_THAT(wrong_kind.body, HasSubstr("instance 1"));
  EXPECT_THAT(wrong_kind.body, HasSubstr("glucose"));
  ParsedResponse short_array = Post("/v1/models/pima:predict", R"({"instances": [[1, 2]]})");
  EXPECT_EQ(short_array.status, 400);
  EXPECT_THAT(short_array.body, HasSubstr("instance 0: 2 values, but the model takes 8 inputs"));
  EXPECT_EQ(Post("/v1/models/pima:predict", R"({"rows": []})").status, 400);
  EXPECT_EQ(Post("/v1/models/pima:predict", "not json").status, 400);
  std::string many = R"({"instances": [)";
  for (int i = 0; i < 101; ++i) many += std::string(i ? "," : "") + "{}";
  EXPECT_EQ(Post("/v1/models/pima:predict", many + "]}").status, 413);
}

TEST_F(PredictRoutesTest, FilesChangedOnDiskAreRefusedNotServed) {
  ASSERT_NO_FATAL_FAILURE(Register(1));
  std::ofstream(fs::path(store::ModelVersionPath(data_dir_, "pima", 1)) / model::kWeightsFile,
                std::ios::app)
      << "x";
  ParsedResponse response = Post("/v1/models/pima:predict", kInstances);
  EXPECT_EQ(response.status, 500);
  EXPECT_THAT(response.body, HasSubstr("differs from the registered"));
}

// The same three rows through KServe v2 give the same numbers as :predict.
TEST_F(PredictRoutesTest, KserveV2MetadataAndInferMatchThePredictRoute) {
  ASSERT_NO_FATAL_FAILURE(Register(1));
  ParsedResponse metadata = Post("/v2/models/pima", "", "GET");
  ASSERT_EQ(metadata.status, 200) << metadata.body;
  Json model = Json::parse(metadata.body);
  EXPECT_EQ(model["versions"], Json::array({"1"}));
  ASSERT_EQ(model["inputs"].size(), 8u);
  EXPECT_EQ(model["inputs"][1],
            Json({{"name", "glucose"}, {"datatype", "INT64"}, {"shape", {-1}}}));
  EXPECT_EQ(model["outputs"][0]["name"], "probability");
  EXPECT_EQ(Post("/v2/models/pima/versions/1/ready", "", "GET").status, 200);
  EXPECT_EQ(Post("/v2/models/pima/versions/4/ready", "", "GET").status, 404);

  const std::string infer = R"({"id": "req-7", "inputs": [
      {"name": "pregnant", "datatype": "INT64", "shape": [3], "data": [6, 1, 8]},
      {"name": "glucose", "datatype": "INT64", "shape": [3, 1], "data": [[148], [85], [183]]},
      {"name": "pressure", "datatype": "INT64", "shape": [3], "data": [72, 66, 64]},
      {"name": "mass", "datatype": "FP64", "shape": [3], "data": [33.6, 26.6, 23.3]},
      {"name": "pedigree", "datatype": "FP64", "shape": [3], "data": [0.627, 0.351, 0.672]},
      {"name": "age", "datatype": "INT64", "shape": [3], "data": [50, 31, 32]},
      {"name": "triceps", "datatype": "INT64", "shape": [3], "data": [35, 29, 0]}]})";
  ParsedResponse inferred = Post("/v2/models/pima/infer", infer);
  ASSERT_EQ(inferred.status, 200) << inferred.body;
  Json answer = Json::parse(inferred.body);
  EXPECT_EQ(answer["id"], "req-7");
  EXPECT_EQ(answer["model_version"], "1");
  const Json& probability = answer["outputs"][0];
  EXPECT_EQ(probability["name"], "probability");
  EXPECT_EQ(probability["shape"], Json::array({3}));

  // Triceps 0 is a value here (no mark_missing step) and insulin is imputed
  // when absent, exactly as the same records sent to :predict.
  ParsedResponse predicted = Post("/v1/models/pima:predict", R"({"instances": [
      {"pregnant": 6, "glucose": 148, "pressure": 72, "triceps": 35, "mass": 33.6, "pedigree": 0.627, "age": 50},
      {"pregnant": 1, "glucose": 85, "pressure": 66, "triceps": 29, "mass": 26.6, "pedigree": 0.351, "age": 31},
      {"pregnant": 8, "glucose": 183, "pressure": 64, "triceps": 0, "mass": 23.3, "pedigree": 0.672, "age": 32}]})");
  ASSERT_EQ(predicted.status, 200) << predicted.body;
  Json predictions = Json::parse(predicted.body)["predictions"];
  for (size_t row = 0; row < 3; ++row) {
    EXPECT_EQ(probability["data"][row].get<float>(), predictions[row]["probability"].get<float>());
    EXPECT_EQ(answer["outputs"][1]["data"][row], predictions[row]["label"]);
  }

  ParsedResponse wrong = Post("/v2/models/pima/infer", R"({"inputs": [
      {"name": "glucose", "datatype": "INT64", "shape": [1], "data": ["high"]}]})");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_THAT(Json::parse(wrong.body)["error"].get<std::string>(),
              HasSubstr("input 'glucose', element 0: expected a number"));
  EXPECT_EQ(
      Post("/v2/models/pima/infer", R"({"inputs": [{"name": "colour", "data": [1]}]})").status,
      400);
  EXPECT_EQ(Post("/v2/models/nope/infer", R"({"inputs": []})").status, 404);
}

TEST_F(PredictRoutesTest, KserveShapesAndDatatypesMustFitTheData) {
  ASSERT_NO_FATAL_FAILURE(Register(1));
  auto tensor = [](const std::string& fields) {
    return R"({"inputs": [{"name": "glucose", )" + fields + "}]}";
  };
  // Accepted: flat or [N, 1] nested data, with or without a matching shape.
  for (const std::string fields : {R"("datatype": "INT64", "shape": [2], "data": [148, 85])",
                                   R"("datatype": "FP32", "shape": [2, 1], "data": [148, 85])",
                                   R"("datatype": "FP64", "shape": [2, 1], "data": [[148], [85]])",
                                   R"("data": [[148], [85]])", R"("shape": [0], "data": [])"}) {
    ParsedResponse answered = Post("/v2/models/pima/infer", tensor(fields));
    EXPECT_EQ(answered.status, 200) << fields << " → " << answered.body;
  }
  EXPECT_THAT(InferError(tensor(R"("shape": [5, 3], "data": [1, 2])")),
              HasSubstr("input 'glucose': 'shape' must be [N] or [N, 1], not [5,3]"));
  EXPECT_THAT(InferError(tensor(R"("shape": [5], "data": [1, 2])")),
              HasSubstr("input 'glucose': shape [5] does not match the 2 elements of 'data'"));
  EXPECT_THAT(InferError(tensor(R"("shape": [2], "data": [[1], [2]])")),
              HasSubstr("nested data needs shape [N, 1], not [2]"));
  EXPECT_THAT(InferError(tensor(R"("shape": "2", "data": [1, 2])")),
              HasSubstr("'shape' must be [N] or [N, 1]"));
  EXPECT_THAT(InferError(tensor(R"("data": [[1], [2, 3]])")),
              HasSubstr("input 'glucose': data[1] must be a one-element array"));
  EXPECT_THAT(InferError(tensor(R"("data": [[1], 2])")), HasSubstr("data[1] must be"));
  EXPECT_THAT(InferError(tensor(R"("data": [1, [2]])")),
              HasSubstr("data[1] must be a single value"));
  EXPECT_THAT(InferError(tensor(R"("data": [[[1]]])")),
              HasSubstr("data[0][0] must be a single value"));
  EXPECT_THAT(InferError(tensor(R"("data": 148)")), HasSubstr("'data' must be an array"));
  EXPECT_THAT(InferError(tensor(R"("datatype": "FP16", "data": [1])")),
              HasSubstr("input 'glucose': unsupported datatype 'FP16'"));
  EXPECT_THAT(InferError(tensor(R"("datatype": 64, "data": [1])")),
              HasSubstr("'datatype' must be a string"));
  EXPECT_THAT(InferError(tensor(R"("datatype": "BYTES", "data": [148])")),
              HasSubstr("datatype BYTES does not fit the input, which takes INT64, FP32 or FP64"));
  EXPECT_THAT(InferError(tensor(R"("datatype": "BOOL", "data": [true])")),
              HasSubstr("datatype BOOL does not fit"));
  // Every input has the same rows, also when the first has none.
  EXPECT_THAT(InferError(R"({"inputs": [{"name": "glucose", "data": []},
                                              {"name": "mass", "data": [33.6, 26.6]}]})"),
              HasSubstr("input 'mass' has 2 elements; input 'glucose' has 0"));
}

TEST_F(PredictRoutesTest, KserveOutputsMustNameKnownOutputs) {
  ASSERT_NO_FATAL_FAILURE(Register(1));
  auto asking = [](const std::string& outputs) {
    return R"({"inputs": [{"name": "glucose", "data": [148]}], "outputs": )" + outputs + "}";
  };
  ParsedResponse picked = Post("/v2/models/pima/infer", asking(R"([{"name": "label"}])"));
  ASSERT_EQ(picked.status, 200) << picked.body;
  const Json outputs = Json::parse(picked.body)["outputs"];
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0]["name"], "label");
  EXPECT_THAT(InferError(asking(R"([{"name": "label"}, {"name": 5}])")),
              HasSubstr("outputs[1].name must be a string"));
  EXPECT_THAT(InferError(asking(R"([{}])")), HasSubstr("outputs[0].name must be a string"));
  EXPECT_THAT(InferError(asking(R"(["label"])")), HasSubstr("outputs[0] must be an object"));
  EXPECT_THAT(InferError(asking(R"({"name": "label"})")), HasSubstr("'outputs' must be an array"));
  EXPECT_THAT(InferError(asking(R"([{"name": "score"}])")),
              HasSubstr("unknown output 'score' (outputs[0])"));
}

TEST_F(PredictRoutesTest, KserveRowsAreLimitedAsPredictInstancesAre) {
  ASSERT_NO_FATAL_FAILURE(Register(1));
  Json data = Json::array();
  for (int row = 0; row < 100; ++row) data.push_back(row);
  Json body = {{"inputs", {{{"name", "glucose"}, {"data", data}}}}};
  EXPECT_EQ(Post("/v2/models/pima/infer", body.dump()).status, 200);
  body["inputs"][0]["data"].push_back(100);
  EXPECT_EQ(InferError(body.dump(), 413),
            "input 'glucose' has 101 rows; the limit is 100 per request");
}

TEST_F(PredictRoutesTest, KserveNamesThatAreNotUtf8Are404) {
  ASSERT_NO_FATAL_FAILURE(Register(1));
  for (const std::string target :
       {"/v2/models/%FF", "/v2/models/%FF/ready", "/v2/models/pi%C3ma/versions/1"}) {
    ParsedResponse missing = Post(target, "", "GET");
    EXPECT_EQ(missing.status, 404) << target << " → " << missing.body;
    EXPECT_TRUE(Json::accept(missing.body)) << missing.body;
  }
  EXPECT_EQ(Post("/v2/models/%FF/infer", R"({"inputs": []})").status, 404);
}

}  // namespace
}  // namespace modelhost::api

namespace modelhost::api {
namespace {

// A cache whose batchers hold requests until stopped (a batch would need
// 1000 rows or an hour) and let one wait: the second is refused.
class PredictQueueTest : public PredictRoutesTest {
 protected:
  serve::ModelCacheOptions CacheOptions() const override {
    return {.batcher = {.max_batch_size = 1000,
                        .max_queue_delay_us = serve::kMaxQueueDelayUs,
                        .max_queue_size = 1,
                        .name = "test"},
            .resolution_ttl_ms = 0};
  }
};

TEST_F(PredictQueueTest, AFullQueueAnswers429AtOnceAndAStoppedModel503) {
  ASSERT_NO_FATAL_FAILURE(Register(1));
  auto loaded = cache_->Get("pima", {});
  ASSERT_TRUE(loaded.ok());
  const std::string body = kInstances;
  testing::TestHttpClient waiting(server_->port());
  ASSERT_TRUE(waiting.Send("POST /v1/models/pima:predict HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body));
  // Wait for the event (the request queued), not for time.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*loaded)->queued_requests() == 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
  ASSERT_EQ((*loaded)->queued_requests(), 1u);

  ParsedResponse refused = Post("/v1/models/pima:predict", kInstances);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.Header("retry-after"), "1");
  EXPECT_THAT(refused.body, HasSubstr("resource_exhausted"));
  EXPECT_THAT(refused.body, HasSubstr("queue full"));
  ParsedResponse infer_refused = Post("/v2/models/pima/infer", R"({"inputs": [
      {"name": "glucose", "datatype": "INT64", "shape": [1], "data": [148]}]})");
  EXPECT_EQ(infer_refused.status, 429);
  EXPECT_EQ(infer_refused.Header("retry-after"), "1");
  EXPECT_THAT(Json::parse(infer_refused.body)["error"].get<std::string>(), HasSubstr("queue full"));

  (*loaded)->Stop();  // answers the waiting request, then refuses new ones
  auto answered = waiting.ReadResponse();
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(answered->status, 200) << answered->body;
  EXPECT_EQ(Json::parse(answered->body)["predictions"].size(), 3u);
  ParsedResponse stopped = Post("/v1/models/pima:predict", kInstances);
  EXPECT_EQ(stopped.status, 503);
  EXPECT_EQ(stopped.Header("retry-after"), "1");
  EXPECT_THAT(stopped.body, HasSubstr("shutting down"));
}

}  // namespace
}  // namespace modelhost::api

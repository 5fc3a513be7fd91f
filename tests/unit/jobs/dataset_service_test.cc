// DatasetService on a real SQLite store and data directory: import of CSV
// and JSON Lines with errors that name the upload's line and column, rows
// pages, exports that read back to the same table, transform and split
// lineage, delete guarded by jobs, and the sweep of what a crash leaves.

#include "jobs/dataset_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/file_reader.h"
#include "data/csv_reader.h"
#include "data/dataset_reader.h"
#include "dataset_service_fixture.h"
#include "store/artifact_paths.h"

namespace modelhost::jobs {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string kPima = kPimaCsv;

class DatasetServiceTest : public DatasetServiceTestBase {
 protected:
  std::string WriteFile(const std::string& name, const std::string& content) {
    const std::string path = (root_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::string Export(const std::string& id, DatasetFormat format) {
    std::string out;
    core::Status status = service_->Export(id, format, [&](std::string_view piece) {
      out.append(piece);
      return core::OkStatus();
    });
    EXPECT_TRUE(status.ok()) << status.message();
    return out;
  }
};

TEST_F(DatasetServiceTest, ACsvUploadBecomesAStoredDatasetWithSchemaAndProfile) {
  store::DatasetRecord record = ImportPima();
  EXPECT_THAT(record.id, ::testing::StartsWith("ds_"));
  EXPECT_EQ(record.rows, 768);  // tests/data/README.md
  EXPECT_EQ(record.sha256.size(), 64u);
  Json schema = Json::parse(record.schema_json);
  ASSERT_EQ(schema.size(), 9u);
  EXPECT_EQ(schema[1], (Json{{"name", "glucose"}, {"type", "int64"}}));
  Json profile = Json::parse(record.profile_json);
  EXPECT_EQ(profile["num_rows"], 768);
  EXPECT_EQ(Json::parse(record.lineage_json)["source"], "upload");

  auto stored = data::ReadDataset(store::DatasetFilePath(root_.string(), record.id));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->num_rows(), 768u);
  EXPECT_EQ(service_->Get(record.id)->sha256, record.sha256);
  EXPECT_EQ(service_->List()->size(), 1u);
}

TEST_F(DatasetServiceTest, JsonLinesUploadsAndMissingKeys) {
  std::string file = WriteFile("up.jsonl", "{\"a\": 1, \"b\": \"x\"}\n{\"a\": 2}\n{\"b\": null}\n");
  auto record =
      service_->Import({.name = "small", .file = file, .format = DatasetFormat::kJsonLines});
  ASSERT_TRUE(record.ok()) << record.status().message();
  EXPECT_EQ(record->rows, 3);
  auto rows = service_->RowsJson(record->id, 0, 10);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(Json::parse(*rows)["rows"],
            Json::parse(R"([{"a":1,"b":"x"},{"a":2,"b":null},{"a":null,"b":null}])"));
}

TEST_F(DatasetServiceTest, ABadUploadNamesLineAndColumnAndStoresNothing) {
  std::string file = WriteFile("bad.csv", "a,b\n1,2\n3\n");
  auto record = service_->Import({.name = "bad", .file = file});
  ASSERT_FALSE(record.ok());
  EXPECT_THAT(record.status().message(), HasSubstr("upload: line 3"));
  EXPECT_THAT(record.status().message(), ::testing::Not(HasSubstr(file)));
  EXPECT_TRUE(service_->List()->empty());
  EXPECT_TRUE(fs::is_empty(root_ / "datasets"));

  auto skipped = service_->Import({.name = "skipped", .file = file, .skip_bad_rows = true});
  ASSERT_TRUE(skipped.ok()) << skipped.status().message();
  EXPECT_EQ(skipped->rows, 1);
  Json lineage = Json::parse(skipped->lineage_json);
  EXPECT_EQ(lineage["bad_rows"], 1);
  EXPECT_THAT(lineage["bad_row_examples"][0].get<std::string>(), HasSubstr("line 3"));

  EXPECT_EQ(service_->Import({.name = "../etc", .file = kPima}).status().code(),
            core::StatusCode::kInvalidArgument);
}

TEST_F(DatasetServiceTest, RowsArePagedAcrossChunks) {
  store::DatasetRecord record = ImportPima();
  auto page = service_->RowsJson(record.id, 766, 5);
  ASSERT_TRUE(page.ok());
  Json json = Json::parse(*page);
  EXPECT_EQ(json["total_rows"], 768);
  ASSERT_EQ(json["rows"].size(), 2u);
  EXPECT_EQ(json["rows"][1]["age"], 23);  // the file's last line: 1,93,70,31,0,30.4,0.315,23,0
  EXPECT_EQ(Json::parse(*service_->RowsJson(record.id, 5000, 5))["rows"].size(), 0u);
  EXPECT_EQ(service_->RowsJson("ds_none", 0, 1).status().code(), core::StatusCode::kNotFound);
}

TEST_F(DatasetServiceTest, ExportsReadBackToTheSameTable) {
  store::DatasetRecord record = ImportPima();
  auto original = data::ReadCsvFile(kPima);
  ASSERT_TRUE(original.ok());
  std::string csv = Export(record.id, DatasetFormat::kCsv);
  auto back = data::ReadCsvBuffer(csv, "export.csv");
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->table.num_rows(), 768u);
  for (size_t c = 0; c < original->table.num_columns(); ++c) {
    const data::Column& a = original->table.column(c);
    const data::Column& b = back->table.column(c);
    ASSERT_EQ(a.type(), b.type()) << a.name();
    if (a.type() == data::ColumnType::kFloat64) {
      EXPECT_TRUE(std::equal(a.float64_values().begin(), a.float64_values().end(),
                             b.float64_values().begin()));
    } else {
      EXPECT_TRUE(
          std::equal(a.int64_values().begin(), a.int64_values().end(), b.int64_values().begin()));
    }
  }
  std::string jsonl = Export(record.id, DatasetFormat::kJsonLines);
  EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 768);
  EXPECT_EQ(Json::parse(jsonl.substr(0, jsonl.find('\n')))["glucose"], 148);
}

TEST_F(DatasetServiceTest, ATransformStoresFeaturesTargetAndLineage) {
  store::DatasetRecord parent = ImportPima();
  auto derived = service_->Transform(
      parent.id, {.name = "pima-std",
                  .pipeline_json = R"({"steps": [{"op": "standardize", "columns": "numeric"}]})",
                  .target = "diabetes"});
  ASSERT_TRUE(derived.ok()) << derived.status().message();
  EXPECT_EQ(derived->rows, 768);
  Json lineage = Json::parse(derived->lineage_json);
  EXPECT_EQ(lineage["source"], "transform");
  EXPECT_EQ(lineage["parent"], parent.id);
  EXPECT_EQ(lineage["parent_sha256"], parent.sha256);
  EXPECT_TRUE(lineage["fitted_pipeline"].is_object());
  Json profile = Json::parse(derived->profile_json);
  // Standardized: mean 0 (to float precision), population std 1.
  EXPECT_NEAR(profile["columns"][1]["mean"].get<double>(), 0.0, 1e-6);
  // The target keeps its labels: 0 and 1 with their counts (500 / 268).
  auto rows = service_->RowsJson(derived->id, 0, 2);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(Json::parse(*rows)["rows"][0]["diabetes"], 1.0);

  auto bad = service_->Transform(
      parent.id, {.name = "x", .pipeline_json = R"({"steps": [{"op": "impute", "stratgy": 1}]})"});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("pipeline step 1 (impute): unknown parameter 'stratgy'"));
}

TEST_F(DatasetServiceTest, ASplitMakesNamedChildrenThatPartitionTheRows) {
  store::DatasetRecord parent = ImportPima();
  auto parts = service_->Split(parent.id, {.train_fraction = 0.6,
                                           .validation_fraction = 0.2,
                                           .test_fraction = 0.2,
                                           .seed = 7,
                                           .stratify = "diabetes"});
  ASSERT_TRUE(parts.ok()) << parts.status().message();
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].name, "pima-train");
  EXPECT_EQ((*parts)[1].name, "pima-validation");
  EXPECT_EQ((*parts)[2].name, "pima-test");
  EXPECT_EQ((*parts)[0].rows + (*parts)[1].rows + (*parts)[2].rows, 768);
  Json lineage = Json::parse((*parts)[2].lineage_json);
  EXPECT_EQ(lineage["part"], "test");
  EXPECT_EQ(lineage["seed"], 7);
  // Same seed, same rows.
  auto again = service_->Split(parent.id, {.name_prefix = "again",
                                           .train_fraction = 0.6,
                                           .validation_fraction = 0.2,
                                           .test_fraction = 0.2,
                                           .seed = 7,
                                           .stratify = "diabetes"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[1].sha256, (*parts)[1].sha256);
}

TEST_F(DatasetServiceTest, DeleteRemovesTheFilesUnlessAJobReadsIt) {
  store::DatasetRecord record = ImportPima();
  store::JobRecord job;
  job.id = "job_1";
  job.kind = "training";
  job.dataset_id = record.id;
  job.spec_json = "{}";
  job.result_json = "{}";
  ASSERT_TRUE(store_->InsertJob(job).ok());
  EXPECT_EQ(service_->Delete(record.id).code(), core::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(fs::exists(store::DatasetFilePath(root_.string(), record.id)));
  job.state = store::JobState::kFailed;
  ASSERT_TRUE(store_->UpdateJob(job).ok());
  ASSERT_TRUE(service_->Delete(record.id).ok());
  EXPECT_FALSE(fs::exists(store::DatasetPath(root_.string(), record.id)));
  EXPECT_EQ(service_->Get(record.id).status().code(), core::StatusCode::kNotFound);
}

TEST_F(DatasetServiceTest, SweepRemovesStagingAndUnrecordedDirectories) {
  store::DatasetRecord kept = ImportPima();
  fs::create_directories(root_ / "datasets" / "ds_0000000000000001.staging");
  fs::create_directories(root_ / "datasets" / "ds_0000000000000002");
  ASSERT_TRUE(service_->SweepOrphans().ok());
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(root_ / "datasets")) {
    left.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(left, ::testing::ElementsAre(kept.id));
}

}  // namespace
}  // namespace modelhost::jobs

// StorePimaDataset: puts tests/data/pima_indians_diabetes.csv (see
// tests/data/README.md) into a data directory and its metadata store as a
// server's dataset upload would: the columnar file at its dataset path and
// the record with its schema, size and sha256. For the jobs and api tests.

#ifndef MODELHOST_TESTS_UNIT_JOBS_PIMA_DATASET_H_
#define MODELHOST_TESTS_UNIT_JOBS_PIMA_DATASET_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/sha256.h"
#include "data/csv_reader.h"
#include "data/dataset_writer.h"
#include "store/artifact_paths.h"
#include "store/metadata_store.h"

namespace modelhost::testing {

inline void StorePimaDataset(store::MetadataStore& store, const std::string& data_dir,
                             const std::string& id, const std::string& name) {
  auto read = data::ReadCsvFile(std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes.csv");
  ASSERT_TRUE(read.ok()) << read.status().message();
  const data::Table& table = read->table;
  nlohmann::json schema = nlohmann::json::array();
  for (const data::DatasetColumn& column : data::SchemaOf(table)) {
    schema.push_back({{"name", column.name}, {"type", data::ToString(column.type)}});
  }
  const std::string path = store::DatasetFilePath(data_dir, id);
  std::filesystem::create_directories(store::DatasetPath(data_dir, id));
  ASSERT_TRUE(data::WriteDataset(path, table, 256).ok());
  store::DatasetRecord record{.id = id,
                              .name = name,
                              .created_at = "2026-01-01T00:00:00Z",
                              .rows = static_cast<int64_t>(table.num_rows()),
                              .bytes = static_cast<int64_t>(std::filesystem::file_size(path)),
                              .sha256 = *core::Sha256OfFile(path),
                              .schema_json = schema.dump(),
                              .profile_json = "{}",
                              .lineage_json = R"({"source":"test"})"};
  ASSERT_TRUE(store.AddDataset(record, [] { return core::OkStatus(); }).ok());
}

}  // namespace modelhost::testing

#endif  // MODELHOST_TESTS_UNIT_JOBS_PIMA_DATASET_H_

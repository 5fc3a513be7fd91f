#include "cli/table_file.h"

#include <filesystem>

#include "data/csv_reader.h"
#include "data/dataset_reader.h"
#include "data/jsonl_reader.h"

namespace modelhost::cli {

core::Result<data::Table> ReadTableFile(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  if (extension == ".mhd") return data::ReadDataset(path);
  bool json_lines = extension == ".jsonl" || extension == ".ndjson";
  core::Result<data::ReadResult> read =
      json_lines ? data::ReadJsonLinesFile(path) : data::ReadCsvFile(path);
  if (!read.ok()) return read.status();
  return std::move(read).value().table;
}

}  // namespace modelhost::cli

#include "jobs/dataset_service.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>
#include <utility>

#include "core/atomic_file.h"
#include "core/log.h"
#include "core/random_id.h"
#include "core/sha256.h"
#include "core/utc_time.h"
#include "data/column_builder.h"
#include "data/dataset_import.h"
#include "data/dataset_reader.h"
#include "data/dataset_writer.h"
#include "data/pipeline.h"
#include "data/profile.h"
#include "data/profile_json.h"
#include "data/split.h"
#include "data/table_export.h"
#include "data/take_rows.h"
#include "store/artifact_paths.h"
#include "store/resource_name.h"

namespace modelhost::jobs {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kStagingSuffix = ".staging";

std::string SchemaJson(const std::vector<data::DatasetColumn>& schema) {
  json columns = json::array();
  for (const data::DatasetColumn& column : schema) {
    columns.push_back({{"name", column.name}, {"type", std::string(data::ToString(column.type))}});
  }
  return columns.dump(-1, ' ', false, json::error_handler_t::replace);
}

// What a dataset record says about its file: rows, size, checksum, schema,
// profile; read from the file itself, chunk by chunk.
core::Result<store::DatasetRecord> Describe(const std::string& path) {
  MODELHOST_ASSIGN_OR_RETURN(std::unique_ptr<data::DatasetReader> reader,
                             data::DatasetReader::Open(path));
  data::ProfileBuilder profile;
  for (size_t chunk = 0; chunk < reader->num_chunks(); ++chunk) {
    MODELHOST_ASSIGN_OR_RETURN(data::Table table, reader->ReadChunk(chunk));
    MODELHOST_RETURN_IF_ERROR(profile.Add(table));
  }
  store::DatasetRecord record;
  record.rows = static_cast<int64_t>(reader->num_rows());
  record.schema_json = SchemaJson(reader->schema());
  record.profile_json = data::ProfileToJson(std::move(profile).Finish());
  MODELHOST_ASSIGN_OR_RETURN(record.sha256, core::Sha256OfFile(path));
  std::error_code error;
  record.bytes = static_cast<int64_t>(fs::file_size(path, error));
  if (error) return core::Internal("dataset file " + path + ": " + error.message());
  return record;
}

// A new dataset's staging directory, removed on destruction unless it was
// moved into place.
class Staging {
 public:
  Staging(const std::string& data_dir, const std::string& id)
      : directory_(store::DatasetPath(data_dir, id) + std::string(kStagingSuffix)) {}
  ~Staging() {
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
  }
  core::Status Create() const {
    std::error_code error;
    fs::create_directories(directory_, error);
    if (error) return core::Internal("cannot create " + directory_ + ": " + error.message());
    return core::OkStatus();
  }
  const std::string& directory() const { return directory_; }
  std::string file() const { return (fs::path(directory_) / "data.mhd").string(); }

 private:
  std::string directory_;
};

// A new dataset written in its staging directory, not yet added.
struct StagedDataset {
  std::string id;
  std::string name;
  const Staging* staging;
  std::string lineage_json;
};

// Describes the staged files and adds their datasets in one transaction of
// the store, moving each staging directory into place inside it: all of them
// become visible, or none.
core::Result<std::vector<store::DatasetRecord>> AddStaged(
    store::MetadataStore& store, const std::string& data_dir,
    const std::vector<StagedDataset>& staged) {
  std::vector<store::DatasetRecord> records;
  for (const StagedDataset& dataset : staged) {
    MODELHOST_ASSIGN_OR_RETURN(store::DatasetRecord record, Describe(dataset.staging->file()));
    record.id = dataset.id;
    record.name = dataset.name;
    record.created_at = core::UtcNowRfc3339();
    record.lineage_json = dataset.lineage_json;
    records.push_back(std::move(record));
  }
  std::vector<std::string> placed;
  core::Status placement;
  core::Status added = store.AddDatasets(records, [&]() -> core::Status {
    for (const StagedDataset& dataset : staged) {
      const std::string final_directory = store::DatasetPath(data_dir, dataset.id);
      std::error_code error;
      fs::rename(dataset.staging->directory(), final_directory, error);
      if (error) {
        placement = core::Internal("cannot move " + dataset.staging->directory() + " to " +
                                   final_directory + ": " + error.message());
        return placement;
      }
      placed.push_back(final_directory);
    }
    placement = core::FsyncDirectory((fs::path(data_dir) / "datasets").string());
    return placement;
  });
  if (!placement.ok()) {
    // Rolled back, so the directories already moved have no record: their
    // ids are new to everyone. (After a failed commit, whose outcome a crash
    // could leave open, they are left to SweepOrphans, which asks the store.)
    for (const std::string& directory : placed) {
      std::error_code ignored;
      fs::remove_all(directory, ignored);
    }
  }
  MODELHOST_RETURN_IF_ERROR(added);
  return records;
}

core::Result<store::DatasetRecord> AddOneStaged(store::MetadataStore& store,
                                                const std::string& data_dir, StagedDataset staged) {
  std::vector<StagedDataset> one;
  one.push_back(std::move(staged));
  MODELHOST_ASSIGN_OR_RETURN(std::vector<store::DatasetRecord> records,
                             AddStaged(store, data_dir, one));
  return std::move(records.front());
}

// The reader names the file it read; a client knows it as its upload.
core::Status NameTheUpload(const core::Status& status, const std::string& path) {
  std::string message(status.message());
  for (size_t at = message.find(path); at != std::string::npos; at = message.find(path, at)) {
    message.replace(at, path.size(), "upload");
  }
  return core::Status(status.code(), message);
}

// The target column of a transformed dataset: the encoded target decoded
// back to its labels (their numbers for a numeric column), or the number.
core::Result<data::Column> DecodedTarget(const data::TargetEncoding& encoding,
                                         const std::vector<float>& target) {
  const bool categorical =
      encoding.kind == data::TargetKind::kClassification && encoding.label_values.empty();
  data::ColumnBuilder builder(
      encoding.column, categorical ? data::ColumnType::kCategorical : data::ColumnType::kFloat64);
  builder.Reserve(target.size());
  for (float value : target) {
    if (encoding.kind != data::TargetKind::kClassification) {
      builder.AppendFloat64(value);
      continue;
    }
    const size_t index = static_cast<size_t>(value);
    if (categorical) {
      MODELHOST_RETURN_IF_ERROR(builder.AppendCategorical(encoding.labels.at(index)));
    } else {
      builder.AppendFloat64(encoding.label_values.at(index));
    }
  }
  return std::move(builder).Finish();
}

core::Result<data::Table> FeatureTable(const data::Pipeline::FitResult& fit) {
  const data::FeatureMatrix& features = fit.features;
  std::vector<data::Column> columns;
  columns.reserve(features.cols + 1);
  for (size_t col = 0; col < features.cols; ++col) {
    data::ColumnBuilder builder(features.names[col], data::ColumnType::kFloat64);
    builder.Reserve(features.rows);
    for (size_t row = 0; row < features.rows; ++row) {
      builder.AppendFloat64(features.values[row * features.cols + col]);
    }
    columns.push_back(std::move(builder).Finish());
  }
  if (fit.fitted.target().has_value()) {
    MODELHOST_ASSIGN_OR_RETURN(data::Column target,
                               DecodedTarget(*fit.fitted.target(), features.target));
    columns.push_back(std::move(target));
  }
  return data::Table::Make(std::move(columns));
}

json ParentLineage(const store::DatasetRecord& parent, std::string_view source,
                   const std::string& job_id) {
  json lineage = {{"source", source}, {"parent", parent.id}, {"parent_sha256", parent.sha256}};
  if (!job_id.empty()) lineage["job_id"] = job_id;
  return lineage;
}

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A name made of others' (the parent's name or the client's 'name', plus a
// suffix): refused naming it and how it was made, since the client never sent
// it. Echoing it is safe: its parts are valid names, which hold no byte that
// could garble a message.
core::Status CheckDerivedName(const std::string& name, const std::string& made_of,
                              std::string_view advice) {
  core::Status valid = store::ValidateResourceName("a dataset name", name);
  if (valid.ok()) return valid;
  return core::InvalidArgument("the new dataset's name '" + name + "' (" + made_of +
                               ") is not valid: " + std::string(valid.message()) + "; " +
                               std::string(advice));
}

}  // namespace

core::Result<DatasetFormat> ParseDatasetFormat(std::string_view text) {
  if (text == "csv") return DatasetFormat::kCsv;
  if (text == "jsonl" || text == "ndjson" || text == "jsonlines") return DatasetFormat::kJsonLines;
  return core::InvalidArgument("unknown dataset format '" + std::string(text) +
                               "' (expected csv or jsonl)");
}

core::Result<std::string> TransformedDatasetName(const store::DatasetRecord& parent,
                                                 const DatasetTransformRequest& request) {
  if (!request.name.empty()) {
    MODELHOST_RETURN_IF_ERROR(store::ValidateResourceName("field 'name'", request.name));
    return request.name;
  }
  const std::string name = parent.name + "-transformed";
  MODELHOST_RETURN_IF_ERROR(CheckDerivedName(name, "the parent's name + '-transformed'",
                                             "pass 'name' to choose the new dataset's name"));
  return name;
}

core::Result<std::vector<std::string>> SplitPartNames(const store::DatasetRecord& parent,
                                                      const DatasetSplitRequest& request) {
  const bool named = !request.name_prefix.empty();
  const std::string prefix = named ? request.name_prefix : parent.name;
  const std::pair<const char*, double> parts[] = {{"train", request.train_fraction},
                                                  {"validation", request.validation_fraction},
                                                  {"test", request.test_fraction}};
  std::vector<std::string> names;
  for (const auto& [part, fraction] : parts) {
    if (fraction <= 0) continue;
    const std::string suffix = std::string("-") + part;
    names.push_back(prefix + suffix);
    MODELHOST_RETURN_IF_ERROR(CheckDerivedName(
        names.back(), (named ? "field 'name'" : "the parent's name") + (" + '" + suffix + "'"),
        named ? "pass a shorter 'name'" : "pass 'name' to choose the parts' names' prefix"));
  }
  return names;
}

DatasetService::DatasetService(store::MetadataStore* store, std::string data_dir)
    : store_(store), data_dir_(std::move(data_dir)) {}

core::Status DatasetService::SweepOrphans() {
  const fs::path root = fs::path(data_dir_) / "datasets";
  std::error_code error;
  if (!fs::exists(root, error)) return core::OkStatus();
  MODELHOST_ASSIGN_OR_RETURN(std::vector<store::DatasetRecord> datasets, store_->ListDatasets());
  std::set<std::string> known;
  for (const store::DatasetRecord& dataset : datasets) known.insert(dataset.id);
  for (const fs::directory_entry& entry : fs::directory_iterator(root, error)) {
    const std::string name = entry.path().filename().string();
    if (known.count(name) > 0) continue;
    std::error_code removal;
    fs::remove_all(entry.path(), removal);
    if (removal) {
      return core::Internal("cannot remove leftover " + entry.path().string() + ": " +
                            removal.message());
    }
  }
  if (error) return core::Internal("cannot list " + root.string() + ": " + error.message());
  return core::OkStatus();
}

core::Result<store::DatasetRecord> DatasetService::Import(const DatasetImportRequest& request) {
  MODELHOST_RETURN_IF_ERROR(store::ValidateResourceName("dataset name", request.name));
  const std::string id = core::RandomId("ds_");
  Staging staging(data_dir_, id);
  MODELHOST_RETURN_IF_ERROR(staging.Create());
  const data::BadRowPolicy policy =
      request.skip_bad_rows ? data::BadRowPolicy::kSkip : data::BadRowPolicy::kFail;
  core::Result<data::ImportResult> imported = [&] {
    if (request.format == DatasetFormat::kCsv) {
      data::ReadCsvOptions csv;
      csv.bad_rows = policy;
      return data::ImportCsvFile(request.file, staging.file(), csv);
    }
    data::ReadJsonLinesOptions jsonl;
    jsonl.bad_rows = policy;
    return data::ImportJsonLinesFile(request.file, staging.file(), jsonl);
  }();
  if (!imported.ok()) return NameTheUpload(imported.status(), request.file);
  json lineage = {{"source", "upload"},
                  {"format", request.format == DatasetFormat::kCsv ? "csv" : "jsonl"},
                  {"bad_rows", imported->bad_row_count}};
  if (!imported->bad_rows.empty()) {
    json examples = json::array();
    for (const core::Status& bad : imported->bad_rows) {
      examples.push_back(NameTheUpload(bad, request.file).message());
    }
    lineage["bad_row_examples"] = std::move(examples);
  }
  return AddOneStaged(*store_, data_dir_, {id, request.name, &staging, Dump(lineage)});
}

core::Result<std::vector<store::DatasetRecord>> DatasetService::List() {
  return store_->ListDatasets();
}

core::Result<store::DatasetRecord> DatasetService::Get(std::string_view id) {
  return store_->GetDataset(id);
}

core::Result<std::string> DatasetService::RowsJson(std::string_view id, uint64_t offset,
                                                   uint64_t limit) {
  MODELHOST_ASSIGN_OR_RETURN(store::DatasetRecord record, store_->GetDataset(id));
  MODELHOST_ASSIGN_OR_RETURN(std::unique_ptr<data::DatasetReader> reader,
                             data::DatasetReader::Open(store::DatasetFilePath(data_dir_, id)));
  std::string out = "{\"dataset\":" + Dump(record.id) + ",\"offset\":" + std::to_string(offset) +
                    ",\"limit\":" + std::to_string(limit) +
                    ",\"total_rows\":" + std::to_string(reader->num_rows()) + ",\"rows\":[";
  const uint64_t end = offset + std::min<uint64_t>(limit, reader->num_rows());
  uint64_t chunk_start = 0;
  bool first = true;
  for (size_t chunk = 0; chunk < reader->num_chunks() && chunk_start < end; ++chunk) {
    const uint64_t chunk_end = chunk_start + reader->chunk_rows(chunk);
    if (chunk_end > offset) {
      MODELHOST_ASSIGN_OR_RETURN(data::Table table, reader->ReadChunk(chunk));
      const size_t begin = offset > chunk_start ? offset - chunk_start : 0;
      const size_t stop = std::min(end, chunk_end) - chunk_start;
      if (begin < stop) {
        if (!first) out += ',';
        first = false;
        data::AppendJsonRows(table, begin, stop, ",", &out);
      }
    }
    chunk_start = chunk_end;
  }
  out += "]}";
  return out;
}

core::Status DatasetService::Export(
    std::string_view id, DatasetFormat format,
    const std::function<core::Status(std::string_view piece)>& sink) {
  MODELHOST_RETURN_IF_ERROR(store_->GetDataset(id).status());
  MODELHOST_ASSIGN_OR_RETURN(std::unique_ptr<data::DatasetReader> reader,
                             data::DatasetReader::Open(store::DatasetFilePath(data_dir_, id)));
  std::string piece;
  if (format == DatasetFormat::kCsv) {
    for (size_t column = 0; column < reader->schema().size(); ++column) {
      if (column > 0) piece += ',';
      data::AppendCsvField(reader->schema()[column].name, &piece);
    }
    piece += '\n';
  }
  for (size_t chunk = 0; chunk < reader->num_chunks(); ++chunk) {
    MODELHOST_ASSIGN_OR_RETURN(data::Table table, reader->ReadChunk(chunk));
    if (format == DatasetFormat::kCsv) {
      data::AppendCsvRows(table, 0, table.num_rows(), &piece);
    } else {
      data::AppendJsonRows(table, 0, table.num_rows(), "\n", &piece);
    }
    MODELHOST_RETURN_IF_ERROR(sink(piece));
    piece.clear();
  }
  if (!piece.empty()) return sink(piece);
  return core::OkStatus();
}

core::Status DatasetService::Delete(std::string_view id) {
  MODELHOST_RETURN_IF_ERROR(store_->DeleteDataset(id));
  // The record is gone, so the files are unreachable; removing them may fail
  // without harm to anyone (logged, left for SweepOrphans at the next start).
  const std::string directory = store::DatasetPath(data_dir_, id);
  std::error_code error;
  fs::remove_all(directory, error);
  if (error) {
    core::LogWarn(
        "dataset files not removed",
        {{"dataset", std::string(id)}, {"directory", directory}, {"error", error.message()}});
  }
  return core::OkStatus();
}

core::Result<store::DatasetRecord> DatasetService::Transform(
    std::string_view id, const DatasetTransformRequest& request) {
  MODELHOST_ASSIGN_OR_RETURN(store::DatasetRecord parent, store_->GetDataset(id));
  MODELHOST_ASSIGN_OR_RETURN(const std::string name, TransformedDatasetName(parent, request));
  MODELHOST_ASSIGN_OR_RETURN(data::Pipeline pipeline,
                             data::Pipeline::FromJson(request.pipeline_json));
  MODELHOST_ASSIGN_OR_RETURN(data::Table table,
                             data::ReadDataset(store::DatasetFilePath(data_dir_, id)));
  std::optional<data::TargetSpec> target;
  if (request.target) {
    target =
        data::TargetSpec{*request.target, request.classification ? data::TargetKind::kClassification
                                                                 : data::TargetKind::kRegression};
  }
  MODELHOST_ASSIGN_OR_RETURN(data::Pipeline::FitResult fit, pipeline.FitTransform(table, target));
  MODELHOST_ASSIGN_OR_RETURN(data::Table features, FeatureTable(fit));
  MODELHOST_ASSIGN_OR_RETURN(std::string fitted_json, fit.fitted.ToJson());

  const std::string child = core::RandomId("ds_");
  Staging staging(data_dir_, child);
  MODELHOST_RETURN_IF_ERROR(staging.Create());
  MODELHOST_RETURN_IF_ERROR(data::WriteDataset(staging.file(), features));
  json lineage = ParentLineage(parent, "transform", request.job_id);
  lineage["target"] = request.target ? json(*request.target) : json(nullptr);
  lineage["fitted_pipeline"] = json::parse(fitted_json);
  return AddOneStaged(*store_, data_dir_, {child, name, &staging, Dump(lineage)});
}

core::Result<std::vector<store::DatasetRecord>> DatasetService::Split(
    std::string_view id, const DatasetSplitRequest& request) {
  MODELHOST_ASSIGN_OR_RETURN(store::DatasetRecord parent, store_->GetDataset(id));
  MODELHOST_ASSIGN_OR_RETURN(const std::vector<std::string> names, SplitPartNames(parent, request));
  data::SplitOptions options;
  options.train_fraction = request.train_fraction;
  options.validation_fraction = request.validation_fraction;
  options.test_fraction = request.test_fraction;
  options.seed = request.seed;
  options.stratify_column = request.stratify;
  struct Part {
    const char* name;
    double fraction;
    std::vector<size_t> rows;
  };
  std::vector<Part> parts = {{"train", request.train_fraction, {}},
                             {"validation", request.validation_fraction, {}},
                             {"test", request.test_fraction, {}}};
  MODELHOST_ASSIGN_OR_RETURN(data::Table table,
                             data::ReadDataset(store::DatasetFilePath(data_dir_, id)));
  MODELHOST_ASSIGN_OR_RETURN(data::RowSplit split, data::SplitRows(table, options));
  parts[0].rows = std::move(split.train);
  parts[1].rows = std::move(split.validation);
  parts[2].rows = std::move(split.test);

  // Every part is staged first and all are added at once: a split that
  // fails partway leaves no part behind (and none is visible before the end).
  std::deque<Staging> stagings;
  std::vector<StagedDataset> staged;
  for (const Part& part : parts) {
    if (part.fraction <= 0) continue;  // as SplitPartNames: `names` holds the others, in order
    MODELHOST_ASSIGN_OR_RETURN(data::Table rows, data::TakeRows(table, part.rows));
    const std::string child = core::RandomId("ds_");
    const Staging& staging = stagings.emplace_back(data_dir_, child);
    MODELHOST_RETURN_IF_ERROR(staging.Create());
    MODELHOST_RETURN_IF_ERROR(data::WriteDataset(staging.file(), rows));
    json lineage = ParentLineage(parent, "split", request.job_id);
    lineage["part"] = part.name;
    lineage["seed"] = request.seed;
    lineage["fractions"] = {request.train_fraction, request.validation_fraction,
                            request.test_fraction};
    lineage["stratify"] = request.stratify.empty() ? json(nullptr) : json(request.stratify);
    staged.push_back({child, names[staged.size()], &staging, Dump(lineage)});
  }
  return AddStaged(*store_, data_dir_, staged);
}

}  // namespace modelhost::jobs

// ImportCsvFile (dataset_import.h): the CSV file read through an
// ImportBlockReader, each block parsed by ParseCsvBlock on a thread pool —
// once when pass 1's conversions hold, else twice.

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/thread_pool.h"
#include "data/background_chunk_writer.h"
#include "data/csv_block_parser.h"
#include "data/csv_chunk_parser.h"
#include "data/csv_speculative_column.h"
#include "data/dataset_import.h"
#include "data/import_block_reader.h"

namespace modelhost::data {

namespace {

constexpr size_t kPiecesPerThread = 2;

class CsvImporter {
 public:
  CsvImporter(const std::string& csv_path, const std::string& dataset_path,
              const ReadCsvOptions& csv, const ImportOptions& import)
      : csv_path_(csv_path), dataset_path_(dataset_path), csv_(csv), import_(import) {}

  core::Result<ImportResult> Run();

 private:
  core::Status ReadLayout();
  // Runs `pass` (read again at each block) over the body, handing each
  // block's result to `on_block`.
  template <typename OnBlock>
  core::Status Pass(const CsvPass& pass, OnBlock on_block);
  core::Status CheckBlock(const CsvBlockResult& block);
  // Pass 1's conversions of `block`, typed as the evidence so far says,
  // appended to speculative_. False (nothing appended) when they are not of
  // those types, or the types differ from the earlier blocks': pass 2 must
  // convert the file then.
  core::Result<bool> WriteSpeculatively(CsvBlockResult& block);
  core::Status WriteBlock(CsvBlockResult& block, BackgroundChunkWriter& writer);

  const std::string& csv_path_;
  const std::string& dataset_path_;
  const ReadCsvOptions& csv_;
  const ImportOptions& import_;
  std::unique_ptr<core::ThreadPool> pool_;
  size_t pieces_ = 1;

  CsvLayout layout_;
  uint64_t body_start_ = 0;  // in the file
  size_t body_line_ = 1;
  ImportResult result_;
  std::vector<TypeEvidence> evidence_;
  std::vector<uint64_t> bad_records_;
  // Pass 1's output while every block's conversions have speculative_types_.
  std::unique_ptr<BackgroundChunkWriter> speculative_;
  std::vector<ColumnType> speculative_types_;
};

core::Status CsvImporter::ReadLayout() {
  MODELHOST_ASSIGN_OR_RETURN(auto reader,
                             ImportBlockReader::Open(csv_path_, import_.block_bytes()));
  MODELHOST_RETURN_IF_ERROR(reader->Advance(0));
  std::string_view content = reader->block();
  const size_t bom = content.starts_with(kUtf8Bom) ? kUtf8Bom.size() : 0;
  content.remove_prefix(bom);
  size_t body_start = 0;
  MODELHOST_ASSIGN_OR_RETURN(
      layout_, ReadCsvLayout(content, reader->at_end(), csv_path_, csv_, body_start, body_line_));
  body_start_ = bom + body_start;
  evidence_.assign(layout_.names.size(), TypeEvidence());
  return core::OkStatus();
}

template <typename OnBlock>
core::Status CsvImporter::Pass(const CsvPass& pass, OnBlock on_block) {
  MODELHOST_ASSIGN_OR_RETURN(
      auto reader, ImportBlockReader::Open(csv_path_, import_.block_bytes(), body_start_));
  MODELHOST_RETURN_IF_ERROR(reader->Advance(0));
  size_t line = body_line_;
  while (!reader->block().empty()) {
    const std::string_view block = reader->block();
    CsvBlockResult parsed = ParseCsvBlock(layout_, pass, block, reader->block_offset(), line,
                                          reader->at_end(), bad_records_, pieces_, pool_.get());
    MODELHOST_RETURN_IF_ERROR(on_block(parsed));
    if (reader->at_end()) break;
    size_t consumed = parsed.consumed;
    line = parsed.next_line;
    if (consumed == 0) {
      // One record fills the whole buffer: a bad row, whose first line is skipped.
      if (pass != CsvPass::kConvert) {
        core::Status error = core::InvalidArgument(
            csv_path_ + ": line " + std::to_string(line) +
            ": the record starting on this line is longer than the import's block of " +
            std::to_string(block.size()) +
            " bytes (a quote left open? else raise the memory budget)");
        if (layout_.bad_rows == BadRowPolicy::kFail) return error;
        ++result_.bad_row_count;
        if (result_.bad_rows.size() < layout_.max_reported_bad_rows) {
          result_.bad_rows.push_back(std::move(error));
        }
      }
      const size_t line_end = block.find_first_of("\r\n");
      if (line_end == std::string_view::npos) {
        return core::ResourceExhausted(csv_path_ + ": line " + std::to_string(line) +
                                       " is longer than the import's block of " +
                                       std::to_string(block.size()) + " bytes");
      }
      consumed = line_end + (block.substr(line_end).starts_with("\r\n") ? 2 : 1);
      ++line;
    }
    MODELHOST_RETURN_IF_ERROR(reader->Advance(consumed));
  }
  return core::OkStatus();
}

core::Status CsvImporter::CheckBlock(const CsvBlockResult& block) {
  MODELHOST_RETURN_IF_ERROR(
      MergeCsvBadRows(layout_, block, result_.bad_row_count, result_.bad_rows));
  for (const CsvChunkResult& chunk : block.chunks) {
    for (size_t column = 0; column < evidence_.size(); ++column) {
      evidence_[column].Merge(chunk.evidence[column]);
    }
    bad_records_.insert(bad_records_.end(), chunk.bad_records.begin(), chunk.bad_records.end());
  }
  return core::OkStatus();
}

core::Result<bool> CsvImporter::WriteSpeculatively(CsvBlockResult& block) {
  std::vector<ColumnType> types(layout_.names.size());
  for (size_t column = 0; column < types.size(); ++column) {
    types[column] = layout_.overridden[column] ? layout_.types[column] : evidence_[column].Type();
  }
  if (speculative_ == nullptr) {
    std::vector<DatasetColumn> schema;
    for (size_t column = 0; column < types.size(); ++column) {
      schema.push_back({layout_.names[column], types[column]});
    }
    MODELHOST_ASSIGN_OR_RETURN(auto writer, DatasetWriter::Create(dataset_path_, schema));
    speculative_ = std::make_unique<BackgroundChunkWriter>(std::move(writer));
    speculative_types_ = types;
  } else if (types != speculative_types_) {
    return false;
  }
  std::vector<Table> tables;
  for (CsvChunkResult& chunk : block.chunks) {
    std::vector<Column> columns;
    for (size_t column = 0; column < types.size(); ++column) {
      std::optional<Column> part =
          TakeSpeculatedColumn(chunk, column, layout_.names[column], types[column]);
      if (!part) return false;
      columns.push_back(std::move(*part));
    }
    MODELHOST_ASSIGN_OR_RETURN(Table table, Table::Make(std::move(columns)));
    tables.push_back(std::move(table));
  }
  MODELHOST_RETURN_IF_ERROR(speculative_->Append(std::move(tables)));
  return true;
}

core::Status CsvImporter::WriteBlock(CsvBlockResult& block, BackgroundChunkWriter& writer) {
  size_t ignored_count = 0;
  std::vector<core::Status> ignored;  // pass 1 reported the bad rows already
  MODELHOST_RETURN_IF_ERROR(MergeCsvBadRows(layout_, block, ignored_count, ignored));
  std::vector<Table> tables;
  for (CsvChunkResult& chunk : block.chunks) {
    MODELHOST_ASSIGN_OR_RETURN(Table table, Table::Make(std::move(chunk.columns)));
    tables.push_back(std::move(table));
  }
  return writer.Append(std::move(tables));
}

core::Result<ImportResult> CsvImporter::Run() {
  MODELHOST_RETURN_IF_ERROR(CheckImportBudget(csv_path_, import_));
  const size_t threads = ResolveThreadCount(import_.threads);
  if (threads > 1) {
    pieces_ = threads * kPiecesPerThread;
    MODELHOST_ASSIGN_OR_RETURN(
        pool_, core::ThreadPool::Create(
                   {.num_threads = threads, .max_queue_size = pieces_, .name = "csv-import"}));
  }
  MODELHOST_RETURN_IF_ERROR(ReadLayout());

  // Pass 1 checks, and converts each block with the types the evidence so
  // far shows. When the file's types are those of every block, its output is
  // the dataset; from the first block that differs, it only checks.
  CsvPass first_pass = CsvPass::kCheckAndConvert;
  MODELHOST_RETURN_IF_ERROR(Pass(first_pass, [&](CsvBlockResult& block) -> core::Status {
    MODELHOST_RETURN_IF_ERROR(CheckBlock(block));
    if (first_pass != CsvPass::kCheckAndConvert) return core::OkStatus();
    MODELHOST_ASSIGN_OR_RETURN(const bool kept, WriteSpeculatively(block));
    if (!kept) {
      speculative_.reset();  // its temporary file goes with it
      first_pass = CsvPass::kCheck;
    }
    return core::OkStatus();
  }));
  for (size_t column = 0; column < layout_.names.size(); ++column) {
    if (!layout_.overridden[column]) layout_.types[column] = evidence_[column].Type();
    result_.schema.push_back({layout_.names[column], layout_.types[column]});
  }
  if (speculative_ != nullptr && speculative_types_ == layout_.types) {
    MODELHOST_RETURN_IF_ERROR(speculative_->Finish());
    result_.rows = speculative_->rows_written();
    result_.chunks = speculative_->chunks_written();
    result_.passes = 1;
    return std::move(result_);
  }
  speculative_.reset();

  MODELHOST_ASSIGN_OR_RETURN(auto created, DatasetWriter::Create(dataset_path_, result_.schema));
  BackgroundChunkWriter writer(std::move(created));
  MODELHOST_RETURN_IF_ERROR(
      Pass(CsvPass::kConvert, [&](CsvBlockResult& block) { return WriteBlock(block, writer); }));
  MODELHOST_RETURN_IF_ERROR(writer.Finish());
  result_.rows = writer.rows_written();
  result_.chunks = writer.chunks_written();
  result_.passes = 2;
  return std::move(result_);
}

}  // namespace

core::Status CheckImportBudget(const std::string& source, const ImportOptions& import) {
  if (import.memory_budget_bytes < (size_t{1} << 20)) {
    return core::InvalidArgument(source + ": an import's memory budget must be at least 1 MiB");
  }
  return core::OkStatus();
}

core::Result<ImportResult> ImportCsvFile(const std::string& csv_path,
                                         const std::string& dataset_path, const ReadCsvOptions& csv,
                                         const ImportOptions& import) {
  return CsvImporter(csv_path, dataset_path, csv, import).Run();
}

}  // namespace modelhost::data

// ImportJsonLinesFile (dataset_import.h): the file read twice through an
// ImportBlockReader, whole lines at a time. Pass 1 runs a JsonLinesParser
// over every line for the bad rows and the final columns; pass 2 runs a fresh
// parser over the same lines — it reaches the same verdicts, so it skips the
// same bad rows without a list of them — and appends the good ones, with the
// final types, to chunks of at most rows_per_chunk_ rows.
//
// Lines are checked one after the other: a line's verdict depends on the
// types the lines before it fixed, so ImportOptions::threads does not apply.

#include <algorithm>
#include <memory>
#include <utility>

#include "data/dataset_import.h"
#include "data/import_block_reader.h"
#include "data/jsonl_line_parser.h"

namespace modelhost::data {

namespace {

// A column's value takes at most 8.125 bytes a row (value and validity bit)
// in the chunk and 8 in the writer's copy of it.
constexpr size_t kBytesPerValue = 17;

class JsonLinesImporter {
 public:
  JsonLinesImporter(const std::string& jsonl_path, const std::string& dataset_path,
                    const ReadJsonLinesOptions& jsonl, const ImportOptions& import)
      : jsonl_path_(jsonl_path),
        dataset_path_(dataset_path),
        jsonl_(jsonl),
        import_(import),
        bad_rows_(jsonl.bad_rows, jsonl.max_reported_bad_rows) {}

  core::Result<ImportResult> Run();

 private:
  // Calls `on_line(text, line)` for each non-blank line of the file, and
  // `on_block_end()` after the lines of each block. A line longer than the
  // block is skipped, and reported as a bad row when `report_long_lines`.
  template <typename OnLine, typename OnBlockEnd>
  core::Status Pass(bool report_long_lines, OnLine on_line, OnBlockEnd on_block_end);
  // Skips the line at the start of `reader`'s block, which fills the block.
  core::Status SkipLongLine(ImportBlockReader& reader, size_t line, bool report);
  core::Status WriteChunk(const JsonLinesParser& parser, JsonLinesRows& rows,
                          DatasetWriter& writer);

  const std::string& jsonl_path_;
  const std::string& dataset_path_;
  const ReadJsonLinesOptions& jsonl_;
  const ImportOptions& import_;
  BadRowLog bad_rows_;
};

template <typename OnLine, typename OnBlockEnd>
core::Status JsonLinesImporter::Pass(bool report_long_lines, OnLine on_line,
                                     OnBlockEnd on_block_end) {
  MODELHOST_ASSIGN_OR_RETURN(auto reader,
                             ImportBlockReader::Open(jsonl_path_, import_.block_bytes()));
  MODELHOST_RETURN_IF_ERROR(reader->Advance(0));
  if (reader->block().starts_with(kJsonLinesBom)) {
    MODELHOST_RETURN_IF_ERROR(reader->Advance(kJsonLinesBom.size()));
  }
  size_t line = 1;
  while (!reader->block().empty()) {
    const std::string_view block = reader->block();
    size_t consumed = block.size();
    if (!reader->at_end()) {
      const size_t last_end = block.rfind('\n');
      if (last_end == std::string_view::npos) {
        MODELHOST_RETURN_IF_ERROR(SkipLongLine(*reader, line, report_long_lines));
        ++line;
        continue;
      }
      consumed = last_end + 1;
    }
    MODELHOST_RETURN_IF_ERROR(ForEachJsonLine(block.substr(0, consumed), line, on_line));
    MODELHOST_RETURN_IF_ERROR(on_block_end());
    MODELHOST_RETURN_IF_ERROR(reader->Advance(consumed));
  }
  return core::OkStatus();
}

core::Status JsonLinesImporter::SkipLongLine(ImportBlockReader& reader, size_t line, bool report) {
  if (report) {
    MODELHOST_RETURN_IF_ERROR(bad_rows_.Record(core::InvalidArgument(
        jsonl_path_ + ": line " + std::to_string(line) + ": the line is longer than the import's " +
        "block of " + std::to_string(reader.capacity()) + " bytes (raise the memory budget)")));
  }
  while (!reader.block().empty()) {
    const size_t end = reader.block().find('\n');
    if (end != std::string_view::npos) return reader.Advance(end + 1);
    MODELHOST_RETURN_IF_ERROR(reader.Advance(reader.block().size()));
  }
  return core::OkStatus();
}

core::Status JsonLinesImporter::WriteChunk(const JsonLinesParser& parser, JsonLinesRows& rows,
                                           DatasetWriter& writer) {
  if (rows.rows() == 0) return core::OkStatus();
  MODELHOST_ASSIGN_OR_RETURN(Table table, Table::Make(rows.Take(parser)));
  return writer.AppendChunk(table);
}

core::Result<ImportResult> JsonLinesImporter::Run() {
  MODELHOST_RETURN_IF_ERROR(CheckImportBudget(jsonl_path_, import_));

  JsonLinesParser types(jsonl_path_, jsonl_);
  MODELHOST_RETURN_IF_ERROR(Pass(
      /*report_long_lines=*/true,
      [&](std::string_view text, size_t line) -> core::Status {
        core::Status verdict = types.ParseLine(text, line);
        return verdict.ok() ? verdict : bad_rows_.Record(std::move(verdict));
      },
      [] { return core::OkStatus(); }));
  MODELHOST_RETURN_IF_ERROR(types.CheckOverridesUsed());
  ImportResult result;
  for (const JsonLinesColumn& column : types.columns()) {
    result.schema.push_back({column.name, column.FinalType()});
  }

  // Missing keys take no text but a value in every column: the chunk's
  // rows are bounded by the budget left besides the block.
  const size_t chunk_budget = import_.memory_budget_bytes / 4;
  const size_t rows_per_chunk = std::max<size_t>(
      1, chunk_budget / (kBytesPerValue * std::max<size_t>(1, types.columns().size())));
  MODELHOST_ASSIGN_OR_RETURN(auto writer, DatasetWriter::Create(dataset_path_, result.schema));
  JsonLinesParser parser(jsonl_path_, jsonl_);
  JsonLinesRows rows(types.columns());
  MODELHOST_RETURN_IF_ERROR(Pass(
      /*report_long_lines=*/false,
      [&](std::string_view text, size_t line) -> core::Status {
        if (!parser.ParseLine(text, line).ok()) return core::OkStatus();  // pass 1 reported it
        MODELHOST_RETURN_IF_ERROR(rows.Append(parser));
        if (rows.rows() < rows_per_chunk) return core::OkStatus();
        return WriteChunk(parser, rows, *writer);
      },
      [&] { return WriteChunk(parser, rows, *writer); }));
  MODELHOST_RETURN_IF_ERROR(writer->Finish());
  result.rows = writer->rows_written();
  result.chunks = writer->chunks_written();
  result.passes = 2;
  result.bad_row_count = bad_rows_.count();
  ReadResult account;
  bad_rows_.MoveInto(account);
  result.bad_rows = std::move(account.bad_rows);
  return result;
}

}  // namespace

core::Result<ImportResult> ImportJsonLinesFile(const std::string& jsonl_path,
                                               const std::string& dataset_path,
                                               const ReadJsonLinesOptions& jsonl,
                                               const ImportOptions& import) {
  return JsonLinesImporter(jsonl_path, dataset_path, jsonl, import).Run();
}

}  // namespace modelhost::data

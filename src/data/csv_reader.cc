#include "data/csv_reader.h"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <utility>

#include "core/file_reader.h"
#include "core/thread_pool.h"
#include "data/column_builder.h"
#include "data/csv_block_parser.h"
#include "data/csv_chunk_parser.h"

namespace modelhost::data {

namespace {

constexpr size_t kDelimiterSampleLines = 20;
constexpr size_t kMaxPiecesPerThread = 4;

}  // namespace

core::Result<ReadResult> ReadCsvBuffer(std::string_view content, std::string_view source_name,
                                       const ReadCsvOptions& options) {
  if (content.starts_with(kUtf8Bom)) content.remove_prefix(kUtf8Bom.size());
  size_t body_start = 0;
  size_t body_line = 1;
  MODELHOST_ASSIGN_OR_RETURN(
      CsvLayout layout, ReadCsvLayout(content, true, source_name, options, body_start, body_line));
  const std::string_view body = content.substr(body_start);

  const size_t threads = ResolveThreadCount(options.threads);
  const size_t pieces = std::min(threads * kMaxPiecesPerThread,
                                 body.size() / std::max<size_t>(1, options.parallel_chunk_bytes));
  std::unique_ptr<core::ThreadPool> pool;
  if (pieces > 1 && threads > 1) {
    MODELHOST_ASSIGN_OR_RETURN(
        pool, core::ThreadPool::Create(
                  {.num_threads = threads, .max_queue_size = pieces, .name = "csv-read"}));
  }

  // Pass 1: check every record and infer the types.
  ReadResult result;
  const CsvBlockResult checked =
      ParseCsvBlock(layout, CsvPass::kCheck, body, 0, body_line, true, {}, pieces, pool.get());
  MODELHOST_RETURN_IF_ERROR(
      MergeCsvBadRows(layout, checked, result.bad_row_count, result.bad_rows));
  std::vector<TypeEvidence> evidence(layout.names.size());
  std::vector<uint64_t> bad_records;
  size_t good_rows = 0;
  for (const CsvChunkResult& chunk : checked.chunks) {
    for (size_t column = 0; column < evidence.size(); ++column) {
      evidence[column].Merge(chunk.evidence[column]);
    }
    bad_records.insert(bad_records.end(), chunk.bad_records.begin(), chunk.bad_records.end());
    good_rows += chunk.good_rows;
  }
  for (size_t column = 0; column < layout.names.size(); ++column) {
    if (!layout.overridden[column]) layout.types[column] = evidence[column].Type();
  }

  // Pass 2: convert the good records, piece by piece, and join the pieces.
  CsvBlockResult converted = ParseCsvBlock(layout, CsvPass::kConvert, body, 0, body_line, true,
                                           bad_records, pieces, pool.get());
  size_t ignored_count = 0;
  std::vector<core::Status> ignored;  // pass 1 reported the bad rows already
  MODELHOST_RETURN_IF_ERROR(MergeCsvBadRows(layout, converted, ignored_count, ignored));
  std::vector<Column> columns;
  columns.reserve(layout.names.size());
  for (size_t column = 0; column < layout.names.size(); ++column) {
    if (converted.chunks.size() == 1) {
      columns.push_back(std::move(converted.chunks[0].columns[column]));
      continue;
    }
    ColumnBuilder builder(layout.names[column], layout.types[column]);
    builder.Reserve(good_rows);
    for (const CsvChunkResult& chunk : converted.chunks) {
      MODELHOST_RETURN_IF_ERROR(builder.AppendColumn(chunk.columns[column]));
    }
    columns.push_back(std::move(builder).Finish());
  }
  MODELHOST_ASSIGN_OR_RETURN(result.table, Table::Make(std::move(columns)));
  return result;
}

core::Result<ReadResult> ReadCsvFile(const std::string& path, const ReadCsvOptions& options) {
  MODELHOST_ASSIGN_OR_RETURN(std::string content, core::ReadFileToString(path));
  return ReadCsvBuffer(content, path, options);
}

char DetectCsvDelimiter(std::string_view content) {
  constexpr std::array<char, 4> kCandidates = {',', ';', '\t', '|'};
  std::vector<std::array<size_t, 4>> counts;  // per sampled line
  std::array<size_t, 4> line_counts{};
  bool in_quotes = false;
  bool line_has_text = false;
  for (size_t at = 0; at < content.size() && counts.size() < kDelimiterSampleLines; ++at) {
    const char byte = content[at];
    if (byte == '"') {
      in_quotes = !in_quotes;  // a doubled quote toggles twice
    } else if (!in_quotes && (byte == '\n' || byte == '\r')) {
      if (line_has_text) counts.push_back(line_counts);
      line_counts = {};
      line_has_text = false;
      continue;
    } else if (!in_quotes) {
      for (size_t candidate = 0; candidate < kCandidates.size(); ++candidate) {
        if (byte == kCandidates[candidate]) ++line_counts[candidate];
      }
    }
    line_has_text = true;
  }
  if (line_has_text && counts.size() < kDelimiterSampleLines) counts.push_back(line_counts);
  if (counts.empty()) return ',';

  std::optional<size_t> best;
  for (size_t candidate = 0; candidate < kCandidates.size(); ++candidate) {
    const size_t first = counts[0][candidate];
    bool consistent = first > 0;
    for (const auto& line : counts) consistent = consistent && line[candidate] == first;
    if (consistent && (!best || first > counts[0][*best])) best = candidate;
  }
  if (best) return kCandidates[*best];
  size_t most = 0;
  for (size_t candidate = 1; candidate < kCandidates.size(); ++candidate) {
    if (counts[0][candidate] > counts[0][most]) most = candidate;
  }
  return kCandidates[most];
}

}  // namespace modelhost::data

#include "data/csv_reader.h"

#include <algorithm>
#include <array>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>

#include "core/file_reader.h"
#include "core/thread_pool.h"
#include "data/column_builder.h"
#include "data/csv_block_parser.h"
#include "data/csv_chunk_parser.h"
#include "data/csv_column_placement.h"
#include "data/validity_bitmap.h"

namespace modelhost::data {

namespace {

constexpr size_t kDelimiterSampleLines = 20;
constexpr size_t kMaxPiecesPerThread = 4;

// Whether pass 1's column `column` of `chunk` must be converted again for
// the final type: lost, or of another type than int64 under float64 (a
// "-0" aside, whose sign a cast would drop). Placed values have the type
// `placement` placed the column as.
bool NeedsConvertingAgain(const CsvLayout& layout, const CsvColumnPlacement& placement,
                          const CsvChunkResult& chunk, size_t column) {
  ColumnType guessed = ColumnType::kFloat64;
  switch (chunk.speculation[column]) {
    case CsvSpeculation::kNoValue: return false;
    case CsvSpeculation::kLost: return true;
    case CsvSpeculation::kConverted: guessed = chunk.columns[column].type(); break;
    case CsvSpeculation::kPlaced: guessed = *placement.placed_type(column); break;
  }
  const ColumnType type = layout.types[column];
  if (guessed == type) return false;
  return !(guessed == ColumnType::kInt64 && type == ColumnType::kFloat64 &&
           !chunk.negative_zero[column]);
}

// Pass 2 over the pieces of `checked` that hold a column NeedsConvertingAgain,
// for those columns only; a piece with none gets an empty result.
core::Result<std::vector<CsvChunkResult>> ConvertAgain(
    const CsvLayout& layout, const CsvColumnPlacement& placement, std::string_view body,
    const CsvBlockResult& checked, std::span<const uint64_t> bad_records, core::ThreadPool* pool) {
  const size_t count = checked.chunks.size();
  std::vector<std::vector<uint8_t>> only(count, std::vector<uint8_t>(layout.names.size(), 0));
  std::vector<size_t> redo;
  for (size_t piece = 0; piece < count; ++piece) {
    bool any = false;
    for (size_t column = 0; column < layout.names.size(); ++column) {
      only[piece][column] = NeedsConvertingAgain(layout, placement, checked.chunks[piece], column);
      any = any || only[piece][column];
    }
    if (any) redo.push_back(piece);
  }
  std::vector<CsvChunkResult> redone;
  ParseCsvPieces(
      pool, redo.size(),
      [&](size_t index) {
        const CsvChunkResult& chunk = checked.chunks[redo[index]];
        return ParseCsvChunk(layout, CsvPass::kConvert, body, chunk.begin, chunk.end, 0, true,
                             bad_records, only[redo[index]]);
      },
      redone);
  std::vector<CsvChunkResult> converted(count);
  for (size_t index = 0; index < redo.size(); ++index) {
    const size_t piece = redo[index];
    for (const CsvChunkError& error : redone[index].errors) {  // no bad rows: pass 1 had them
      return core::Status(error.code,
                          layout.Place(checked.first_lines[piece] + error.line - 1, error.column) +
                              ": " + error.detail);
    }
    converted[piece] = std::move(redone[index]);
  }
  return converted;
}

// One piece's part of a column, wherever passes 1 and 2 left it: a Column of
// its own, values placed in the table's column (with their validity), or
// nothing (every row missing).
struct PiecePart {
  size_t rows = 0;
  Column* column = nullptr;
  const ValidityBitmap* placed_validity = nullptr;
  std::span<const double> placed_reals = {};
  std::span<const int64_t> placed_ints = {};
};

// The values of a numeric part; for int64 under float64, cast.
template <typename T>
void AppendValues(const PiecePart& part, std::vector<T>& values) {
  if (part.column == nullptr) {  // placed: float64 or int64
    if constexpr (std::is_same_v<T, double>) {
      values.insert(values.end(), part.placed_reals.begin(), part.placed_reals.end());
      for (size_t row = 0; row < part.placed_ints.size(); ++row) {
        values.push_back(part.placed_validity->IsValid(row)
                             ? static_cast<double>(part.placed_ints[row])
                             : std::numeric_limits<double>::quiet_NaN());
      }
    } else if constexpr (std::is_same_v<T, int64_t>) {
      values.insert(values.end(), part.placed_ints.begin(), part.placed_ints.end());
    }
    return;
  }
  const Column& column = *part.column;
  if constexpr (std::is_same_v<T, double>) {
    if (column.type() == ColumnType::kInt64) {  // int64 under float64
      const std::span<const int64_t> ints = column.int64_values();
      for (size_t row = 0; row < ints.size(); ++row) {
        values.push_back(column.validity().IsValid(row) ? static_cast<double>(ints[row])
                                                        : std::numeric_limits<double>::quiet_NaN());
      }
      return;
    }
    const std::span<const double> reals = column.float64_values();
    values.insert(values.end(), reals.begin(), reals.end());
  } else if constexpr (std::is_same_v<T, int64_t>) {
    const std::span<const int64_t> ints = column.int64_values();
    values.insert(values.end(), ints.begin(), ints.end());
  } else {
    const std::span<const uint8_t> bools = column.bool_values();
    values.insert(values.end(), bools.begin(), bools.end());
  }
}

// A numeric column of `rows` rows from the parts.
template <typename T>
Column JoinNumeric(const std::string& name, size_t rows, const std::vector<PiecePart>& parts,
                   T missing) {
  std::vector<T> values;
  values.reserve(rows);
  ValidityBitmap validity;
  validity.Reserve(rows);
  for (const PiecePart& part : parts) {
    if (part.column == nullptr && part.placed_validity == nullptr) {
      values.insert(values.end(), part.rows, missing);
      for (size_t row = 0; row < part.rows; ++row) validity.Append(false);
      continue;
    }
    AppendValues(part, values);
    validity.Append(part.column != nullptr ? part.column->validity() : *part.placed_validity);
  }
  return ColumnBuilder::Assemble(name, std::move(values), std::move(validity));
}

// Column `column` of the table: taken whole where every piece placed its
// values, else joined from each piece's part as pass 1 made it (cast from
// int64 where the file's type is float64) or as ConvertAgain did.
core::Result<Column> JoinPieces(const CsvLayout& layout, CsvColumnPlacement& placement,
                                size_t column, size_t good_rows,
                                std::vector<CsvChunkResult>& checked,
                                std::vector<CsvChunkResult>& converted) {
  const ColumnType type = layout.types[column];
  const std::string& name = layout.names[column];
  if (std::optional<Column> whole = placement.TakeColumn(column, name, type, checked)) {
    return std::move(*whole);
  }
  std::vector<PiecePart> parts;
  for (size_t piece = 0; piece < checked.size(); ++piece) {
    CsvChunkResult& chunk = checked[piece];
    PiecePart part;
    part.rows = chunk.good_rows;
    if (NeedsConvertingAgain(layout, placement, chunk, column)) {
      part.column = &converted[piece].columns[column];
    } else if (chunk.speculation[column] == CsvSpeculation::kPlaced) {
      part.placed_validity = &chunk.placed_validity[column];
      part.placed_reals = placement.placed_reals(piece, column, chunk.good_rows);
      part.placed_ints = placement.placed_ints(piece, column, chunk.good_rows);
    } else if (chunk.speculation[column] != CsvSpeculation::kNoValue) {
      part.column = &chunk.columns[column];
    }
    parts.push_back(part);
  }
  if (parts.size() == 1 && parts[0].column != nullptr && parts[0].column->type() == type) {
    return std::move(*parts[0].column);
  }
  switch (type) {
    case ColumnType::kFloat64:
      return JoinNumeric<double>(name, good_rows, parts, std::numeric_limits<double>::quiet_NaN());
    case ColumnType::kInt64: return JoinNumeric<int64_t>(name, good_rows, parts, 0);
    case ColumnType::kBool: return JoinNumeric<uint8_t>(name, good_rows, parts, 0);
    case ColumnType::kCategorical: break;
  }
  ColumnBuilder builder(name, type);
  builder.Reserve(good_rows);
  for (const PiecePart& part : parts) {
    if (part.column == nullptr) {  // no value (a categorical column is never placed)
      for (size_t row = 0; row < part.rows; ++row) builder.AppendMissing();
    } else {
      MODELHOST_RETURN_IF_ERROR(builder.AppendColumn(*part.column));
    }
  }
  return std::move(builder).Finish();
}

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

  // Pass 1: check every record, infer the types, and convert each piece's
  // columns with the types its own values suggest — into the table's
  // columns where they are placed.
  ReadResult result;
  CsvColumnPlacement placement;
  if (pieces > 1) {
    try {
      placement = CsvColumnPlacement::Plan(layout, body, pieces, pool.get());
    } catch (const std::bad_alloc&) {
      // No room for the whole table at once: the pieces keep their own values
      // (and say so with ResourceExhausted if even those do not fit).
    }
  }
  CsvBlockResult checked = ParseCsvBlock(layout, CsvPass::kCheckAndConvert, body, 0, body_line,
                                         true, {}, pieces, pool.get(), placement.piece_places());
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

  // Pass 2, only where pass 1's guess does not fit the whole file's type.
  MODELHOST_ASSIGN_OR_RETURN(
      std::vector<CsvChunkResult> converted,
      ConvertAgain(layout, placement, body, checked, bad_records, pool.get()));
  // The pieces' parts joined, a column per task (those not placed whole copy
  // their values).
  std::vector<core::Result<Column>> joined(layout.names.size(), core::Internal("not joined"));
  core::RunOnPool(pool.get(), joined.size(), [&](size_t column) {
    try {
      joined[column] = JoinPieces(layout, placement, column, good_rows, checked.chunks, converted);
    } catch (const std::exception& error) {  // std::bad_alloc, in practice
      joined[column] = core::ResourceExhausted(std::string("joining failed: ") + error.what());
    }
  });
  std::vector<Column> columns;
  columns.reserve(layout.names.size());
  for (core::Result<Column>& column : joined) {
    if (!column.ok()) return column.status();
    columns.push_back(std::move(column).value());
  }
  MODELHOST_ASSIGN_OR_RETURN(result.table, Table::Make(std::move(columns)));
  return result;
}

core::Result<ReadResult> ReadCsvFile(const std::string& path, const ReadCsvOptions& options) {
  MODELHOST_ASSIGN_OR_RETURN(core::FileContent content,
                             core::ReadWholeFile(path, ResolveThreadCount(options.threads)));
  return ReadCsvBuffer(content.view(), path, options);
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

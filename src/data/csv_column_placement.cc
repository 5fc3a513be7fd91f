#include "data/csv_column_placement.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "data/column_builder.h"
#include "data/csv_block_parser.h"

namespace modelhost::data {

namespace {

// The body's first records looked at to foretell the column types.
constexpr size_t kSampleBytes = size_t{64} << 10;

// '\n' bytes in `text`.
size_t CountNewlines(std::string_view text) {
  size_t count = 0;
  const char* at = text.data();
  const char* const end = at + text.size();
  while (const void* found = std::memchr(at, '\n', static_cast<size_t>(end - at))) {
    ++count;
    at = static_cast<const char*>(found) + 1;
  }
  return count;
}

}  // namespace

CsvColumnPlacement CsvColumnPlacement::Plan(const CsvLayout& layout, std::string_view body,
                                            size_t pieces, core::ThreadPool* pool) {
  CsvColumnPlacement placement;
  const std::vector<size_t> cuts = GuessCsvCuts(body, std::max<size_t>(1, pieces));
  if (cuts.size() < 2 || layout.names.empty()) return placement;  // nothing would be joined

  // A record per line: the rows each piece should hold.
  placement.rows_.resize(cuts.size());
  core::RunOnPool(pool, cuts.size(), [&](size_t piece) {
    const size_t end = piece + 1 < cuts.size() ? cuts[piece + 1] : body.size();
    placement.rows_[piece] = CountNewlines(body.substr(cuts[piece], end - cuts[piece]));
  });
  if (body.back() != '\n') ++placement.rows_.back();  // the last line may end the file
  size_t total = 0;
  for (size_t rows : placement.rows_) {
    placement.first_rows_.push_back(total);
    total += rows;
  }

  // The types the first records suggest; text and flags are not placed.
  const CsvChunkResult sample = ParseCsvChunk(layout, CsvPass::kCheck, body, 0,
                                              std::min(body.size(), kSampleBytes), 0, true, {});
  const size_t columns = layout.names.size();
  placement.types_.resize(columns);
  for (size_t column = 0; column < columns; ++column) {
    const ColumnType type = layout.overridden[column] || sample.evidence.empty()
                                ? layout.types[column]
                                : sample.evidence[column].Type();
    if (!layout.overridden[column] &&
        (type == ColumnType::kFloat64 || type == ColumnType::kInt64)) {
      placement.types_[column] = type;
    }
  }
  placement.reals_.resize(columns);
  placement.ints_.resize(columns);
  core::RunOnPool(pool, columns, [&](size_t column) {
    if (placement.types_[column] == ColumnType::kFloat64) placement.reals_[column].resize(total);
    if (placement.types_[column] == ColumnType::kInt64) placement.ints_[column].resize(total);
  });

  placement.places_.assign(cuts.size(), std::vector<CsvColumnPlace>(columns));
  for (size_t piece = 0; piece < cuts.size(); ++piece) {
    for (size_t column = 0; column < columns; ++column) {
      CsvColumnPlace& place = placement.places_[piece][column];
      place.capacity = placement.rows_[piece];
      if (placement.types_[column] == ColumnType::kFloat64) {
        place.reals = placement.reals_[column].data() + placement.first_rows_[piece];
      } else if (placement.types_[column] == ColumnType::kInt64) {
        place.ints = placement.ints_[column].data() + placement.first_rows_[piece];
      }
    }
  }
  return placement;
}

std::optional<ColumnType> CsvColumnPlacement::placed_type(size_t column) const {
  return column < types_.size() ? types_[column] : std::nullopt;
}

std::span<const double> CsvColumnPlacement::placed_reals(size_t piece, size_t column,
                                                         size_t rows) const {
  if (types_[column] != ColumnType::kFloat64) return {};
  return std::span<const double>(reals_[column]).subspan(first_rows_[piece], rows);
}

std::span<const int64_t> CsvColumnPlacement::placed_ints(size_t piece, size_t column,
                                                         size_t rows) const {
  if (types_[column] != ColumnType::kInt64) return {};
  return std::span<const int64_t>(ints_[column]).subspan(first_rows_[piece], rows);
}

std::optional<Column> CsvColumnPlacement::TakeColumn(size_t column, const std::string& name,
                                                     ColumnType type,
                                                     std::span<const CsvChunkResult> chunks) {
  if (placed_type(column) != type || chunks.size() != rows_.size()) return std::nullopt;
  for (size_t piece = 0; piece < chunks.size(); ++piece) {
    const CsvSpeculation speculation = chunks[piece].speculation[column];
    if (chunks[piece].good_rows != rows_[piece] ||
        (speculation != CsvSpeculation::kPlaced && speculation != CsvSpeculation::kNoValue)) {
      return std::nullopt;
    }
  }
  ValidityBitmap validity;
  validity.Reserve(first_rows_.back() + rows_.back());
  for (size_t piece = 0; piece < chunks.size(); ++piece) {
    if (chunks[piece].speculation[column] == CsvSpeculation::kPlaced) {
      validity.Append(chunks[piece].placed_validity[column]);
      continue;
    }
    // No value in the piece: its cells get the missing filler. They may hold
    // values already, from a parse of the piece from a wrong cut guess.
    for (size_t row = 0; row < rows_[piece]; ++row) validity.Append(false);
    const auto first = static_cast<std::ptrdiff_t>(first_rows_[piece]);
    if (type == ColumnType::kFloat64) {
      std::fill_n(reals_[column].begin() + first, rows_[piece],
                  std::numeric_limits<double>::quiet_NaN());
    } else {
      std::fill_n(ints_[column].begin() + first, rows_[piece], int64_t{0});
    }
  }
  if (type == ColumnType::kFloat64) {
    return ColumnBuilder::Assemble(name, std::move(reals_[column]), std::move(validity));
  }
  return ColumnBuilder::Assemble(name, std::move(ints_[column]), std::move(validity));
}

}  // namespace modelhost::data

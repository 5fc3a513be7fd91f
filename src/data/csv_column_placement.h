// CsvColumnPlacement: ReadCsvBuffer's float64 and int64 columns allocated
// before pass 1, so that each piece writes its values where the table will
// hold them (csv_placed_values.h) and no join copies them afterwards.
//
// A piece's first row is foretold by the line breaks before it: exact for a
// file without blank lines, quoted line breaks, lone CRs or bad rows — the
// common machine-written file. A column's type is foretold by the first
// records of the body. Where a foretelling fails, nothing is wrong, only
// slower: a piece whose rows outgrow its place moves them to a vector of its
// own, and a column whose pieces do not all fill their places exactly, or
// whose type turns out otherwise, is joined from the pieces' parts as before
// (TakeColumn says which).
//
// Thread-safety: Plan and TakeColumn on one thread; the pieces write
// disjoint places concurrently.

#ifndef MODELHOST_DATA_CSV_COLUMN_PLACEMENT_H_
#define MODELHOST_DATA_CSV_COLUMN_PLACEMENT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/thread_pool.h"
#include "data/column.h"
#include "data/csv_chunk_parser.h"
#include "data/csv_placed_values.h"

namespace modelhost::data {

class CsvColumnPlacement {
 public:
  // No placement (every piece keeps its own values).
  CsvColumnPlacement() = default;

  // Plans the places of `body` cut as GuessCsvCuts(body, pieces) and
  // allocates the placed columns, a column per task on `pool` (the page
  // faults of the table's memory happen there, in parallel). Throws
  // std::bad_alloc when they do not fit.
  static CsvColumnPlacement Plan(const CsvLayout& layout, std::string_view body, size_t pieces,
                                 core::ThreadPool* pool);

  // ParseCsvBlock's `piece_places`: empty without a placement.
  std::span<const std::vector<CsvColumnPlace>> piece_places() const { return places_; }

  // The type `column` was placed as: kFloat64 or kInt64; nullopt when it was
  // not placed.
  std::optional<ColumnType> placed_type(size_t column) const;

  // The values piece `piece` placed in `column` (its CsvSpeculation::kPlaced
  // part of `rows` rows): one of the two spans is non-empty (or both empty for
  // no rows).
  std::span<const double> placed_reals(size_t piece, size_t column, size_t rows) const;
  std::span<const int64_t> placed_ints(size_t piece, size_t column, size_t rows) const;

  // Column `column` of the table, named `name` and of the file's type
  // `type`, taken whole from its placed values when every piece of
  // `chunks` (pass 1's, in order) placed exactly the rows foretold or had no
  // value, and the column was placed as `type`; nullopt otherwise. Moves the
  // placed values out: at most once per column.
  std::optional<Column> TakeColumn(size_t column, const std::string& name, ColumnType type,
                                   std::span<const CsvChunkResult> chunks);

 private:
  std::vector<size_t> first_rows_;  // per piece, foretold
  std::vector<size_t> rows_;        // per piece, foretold
  std::vector<std::optional<ColumnType>> types_;
  std::vector<std::vector<double>> reals_;           // per column: the placed float64 column
  std::vector<std::vector<int64_t>> ints_;           // per column: the placed int64 column
  std::vector<std::vector<CsvColumnPlace>> places_;  // per piece, per column
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_CSV_COLUMN_PLACEMENT_H_

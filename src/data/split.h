// SplitRows: a seeded, reproducible division of a table's rows into
// train / validation / test sets, optionally stratified by a column (the
// target) so that each class keeps its share in every set.
//
//   MODELHOST_ASSIGN_OR_RETURN(RowSplit split, SplitRows(table, {.train_fraction = 0.7,
//       .validation_fraction = 0.15, .test_fraction = 0.15, .seed = 7,
//       .stratify_column = "diabetes"}));
//   MODELHOST_ASSIGN_OR_RETURN(Table train, TakeRows(table, split.train));
//
// Counts. The rows (of each class, when stratified; else all rows) form one
// group of n. The fractions, plus the unused rest 1 − Σ, are turned into
// whole counts that sum to n by the largest-remainder method: each bucket
// gets ⌊n·f⌋, and the rows left over go one each to the buckets with the
// largest fractional parts n·f − ⌊n·f⌋ (ties: train, validation, test, rest).
// A set whose fraction is > 0 is never left without a row of a group: when the
// rounding gives it none, it takes one from the bucket holding the most rows
// of that group (a set must keep one; ties in the order above); when no
// bucket can give, the split fails. So with fractions 0.8/0/0.2 each class
// needs at least two rows.
//
// Rows. One std::mt19937_64 seeded with `seed` shuffles each group in turn
// (groups in order of their first row; Fisher–Yates with our own unbiased
// integer mapping, seeded_random.h); a group's first counts go to train, the
// next to validation, then test. Same table, options and seed → same rows,
// with any compiler or machine. Each returned list is in ascending order.
//
// Thread-safety: a pure function of immutable inputs.

#ifndef MODELHOST_DATA_SPLIT_H_
#define MODELHOST_DATA_SPLIT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "data/table.h"

namespace modelhost::data {

struct SplitOptions {
  // Shares of the rows; each in [0, 1], summing to at most 1 (rows beyond the
  // sum are in no set). Defaults 0.8 / 0 / 0.2.
  double train_fraction = 0.8;
  double validation_fraction = 0.0;
  double test_fraction = 0.2;
  // Seed of the shuffle. Default 0.
  uint64_t seed = 0;
  // Column whose values are the classes to stratify by (any type; a float64
  // class is its exact value). Empty (default): no stratification.
  std::string stratify_column = {};
};

// Row indices into the table, each list ascending.
struct RowSplit {
  std::vector<size_t> train;
  std::vector<size_t> validation;
  std::vector<size_t> test;
};

// Errors (InvalidArgument, each naming the value at fault): a fraction
// negative, above 1 or not finite; fractions summing to more than 1 or all 0;
// a stratify column that is not in the table or has missing values (the first
// missing row named); a group too small to give a row to every set asked for
// (the class, its row count and the sets named).
core::Result<RowSplit> SplitRows(const Table& table, const SplitOptions& options);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_SPLIT_H_

// ColumnSelector: which columns a pipeline step works on, as a spec writes it.
//
//   "glucose"                      one column by name
//   ["glucose", "mass"]            columns by name, in that order
//   "numeric"                      every float64, int64 and bool column
//   "categorical"                  every categorical column
//   {"all_except": ["id"]}         every column but the listed ones
//
// A bare string is a type word when it is "numeric" or "categorical"; a
// column with such a name is selected by the list form ["numeric"].
// Selectors that pick by type or exclusion never pick the pipeline's target
// column; naming the target is an error except where a step says otherwise
// (drop_missing). The columns are picked when the pipeline is fitted, from the
// columns that exist at that step (Frame::Select, frame.h).
//
// Thread-safety: a plain value.

#ifndef MODELHOST_DATA_COLUMN_SELECTOR_H_
#define MODELHOST_DATA_COLUMN_SELECTOR_H_

#include <string>
#include <vector>

namespace modelhost::data {

struct ColumnSelector {
  enum class Kind { kNames, kNumeric, kCategorical, kAllExcept };

  Kind kind = Kind::kAllExcept;
  // kNames: the columns to pick; kAllExcept: the columns to leave out.
  std::vector<std::string> names;

  friend bool operator==(const ColumnSelector&, const ColumnSelector&) = default;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_COLUMN_SELECTOR_H_

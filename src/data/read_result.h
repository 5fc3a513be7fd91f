// What a reader returns — the Table and the account of the rows it could not
// read — and the caller's policy for such bad rows, shared by every reader of
// this module (CSV, JSON Lines).
//
// A bad row is one that cannot become a row of the table as written: a ragged
// row, a malformed or unterminated quoted field, invalid UTF-8, a value that
// contradicts the column's declared type. Its error is a Status whose message
// names the source, the line and the column ("pima.csv: line 12, column 3
// 'pressure': ..."). Under kFail the first one ends the read with that Status;
// under kSkip the row is left out, counted, and the first few errors are kept.
//
// Thread-safety: value types; BadRowLog is not thread-safe.

#ifndef MODELHOST_DATA_READ_RESULT_H_
#define MODELHOST_DATA_READ_RESULT_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/table.h"

namespace modelhost::data {

enum class BadRowPolicy {
  kFail,  // the first bad row ends the read with its Status
  kSkip,  // bad rows are left out, counted and the first few reported
};

// "fail", "skip".
std::string_view ToString(BadRowPolicy policy);

struct ReadResult {
  Table table;
  // Rows left out under BadRowPolicy::kSkip (always 0 under kFail).
  size_t bad_row_count = 0;
  // The errors of the first bad rows, in file order, at most the reader's
  // max_reported_bad_rows of them.
  std::vector<core::Status> bad_rows;
};

// Applies a BadRowPolicy while a reader runs.
class BadRowLog {
 public:
  BadRowLog(BadRowPolicy policy, size_t max_reported)
      : policy_(policy), max_reported_(max_reported) {}

  // Under kFail returns `error`; under kSkip counts it, keeps it if fewer
  // than max_reported are kept, and returns OK (the caller skips the row).
  // REQUIRES: !error.ok().
  core::Status Record(core::Status error);

  size_t count() const { return count_; }
  // Moves the count and the kept errors into `result`.
  void MoveInto(ReadResult& result);

 private:
  BadRowPolicy policy_;
  size_t max_reported_;
  size_t count_ = 0;
  std::vector<core::Status> reported_;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_READ_RESULT_H_

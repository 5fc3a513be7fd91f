// Profile: per-column statistics of a dataset, computed in one streaming pass
// over its chunks (Tables with the same schema), for the dataset page, the CLI
// and the choice of pipeline steps.
//
//   ProfileBuilder builder;
//   for (const Table& chunk : chunks) MODELHOST_RETURN_IF_ERROR(builder.Add(chunk));
//   TableProfile profile = std::move(builder).Finish();
//
// Two builders fed on two threads combine with Merge (the second's chunks
// count as if added after the first's).
//
// What a column gets (ColumnProfile):
// - every type: count of present values, missing count (a float64 NaN value
//   counts as missing, as in the pipeline), distinct count of the
//   present values — exact up to ProfileOptions::exact_distinct_limit, then a
//   HyperLogLog estimate, at most the count (distinct_approximate;
//   distinct_counter.h);
// - float64 and int64: min, max, mean, population std (ddof 0, numpy's
//   default) and sample std (ddof 1, pandas' default), by Welford's method
//   merged with Chan's formula (running_moments.h); quantiles p01 p25 p50
//   p75 p99 by numpy's default linear interpolation, exact up to
//   ProfileOptions::exact_quantile_limit values, then a KLL sketch
//   (quantiles_approximate; quantile_sketch.h). Int64 statistics are computed
//   in double (exact for |x| < 2^53). Statistics of a column with no present
//   value are NaN; sample std is NaN below two values;
// - bool: the count of true values;
// - categorical: every category's exact count (dictionary codes counted per
//   chunk, then added by string), reported as the top
//   ProfileOptions::max_top_categories by count, ties by the string's byte
//   order; the distinct count is always exact.
//
// Thread-safety: a ProfileBuilder belongs to one thread; a TableProfile is a
// value.

#ifndef MODELHOST_DATA_PROFILE_H_
#define MODELHOST_DATA_PROFILE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"
#include "core/thread_pool.h"
#include "data/column.h"
#include "data/table.h"

namespace modelhost::data {

struct ProfileOptions {
  // Distinct values counted exactly per numeric column. Default 100,000.
  size_t exact_distinct_limit = 100000;
  // Values kept for exact quantiles per numeric column. Default 100,000.
  size_t exact_quantile_limit = 100000;
  // Categories listed per categorical column. Default 10.
  size_t max_top_categories = 10;
  // Threads that profile a chunk's columns at once (0: one per core). A chunk
  // of fewer than 65,536 values is profiled on the calling thread.
  size_t threads = 0;
};

// The quantiles every numeric column reports, in this order.
inline constexpr std::array<double, 5> kProfileQuantiles = {0.01, 0.25, 0.50, 0.75, 0.99};
// Their names in JSON and text: "p01", "p25", "p50", "p75", "p99".
inline constexpr std::array<const char*, 5> kProfileQuantileNames = {"p01", "p25", "p50", "p75",
                                                                     "p99"};

struct NumericStats {
  double min = 0.0;
  double max = 0.0;
  double mean = 0.0;
  double population_std = 0.0;
  double sample_std = 0.0;
  std::array<double, 5> quantiles{};  // at kProfileQuantiles
  bool quantiles_approximate = false;
};

struct BoolStats {
  uint64_t true_count = 0;
};

struct CategoryCount {
  std::string value;
  uint64_t count = 0;
  friend bool operator==(const CategoryCount&, const CategoryCount&) = default;
};

struct CategoricalStats {
  std::vector<CategoryCount> top_categories;  // by count descending, ties by value
};

struct ColumnProfile {
  std::string name;
  ColumnType type = ColumnType::kFloat64;
  uint64_t count = 0;  // present values
  uint64_t missing_count = 0;
  uint64_t distinct_count = 0;
  bool distinct_approximate = false;
  // NumericStats for float64 and int64, BoolStats for bool, CategoricalStats
  // for categorical.
  std::variant<NumericStats, BoolStats, CategoricalStats> stats;
};

struct TableProfile {
  uint64_t num_rows = 0;
  std::vector<ColumnProfile> columns;
};

class ProfileBuilder {
 public:
  ProfileBuilder() : ProfileBuilder(ProfileOptions{}) {}
  explicit ProfileBuilder(ProfileOptions options);
  ~ProfileBuilder();
  ProfileBuilder(ProfileBuilder&&) noexcept;
  ProfileBuilder& operator=(ProfileBuilder&&) noexcept;

  // Adds the rows of `chunk`, its columns on ProfileOptions::threads threads.
  // The first chunk fixes the schema (names, order and types); a later chunk
  // that differs is InvalidArgument naming the first differing column, and
  // nothing of it is added.
  core::Status Add(const Table& chunk);

  // Adds everything `other` has seen, as if its chunks came after this one's.
  // InvalidArgument, with nothing merged, when both have seen a chunk and the
  // schemas differ. REQUIRES: the same ProfileOptions.
  core::Status Merge(ProfileBuilder&& other);

  // The profile; a builder that saw no chunk gives 0 rows and no columns.
  TableProfile Finish() &&;

 private:
  class ColumnAccumulator;

  core::Status CheckSchema(const Table& chunk) const;

  ProfileOptions options_;
  uint64_t num_rows_ = 0;
  bool has_schema_ = false;
  std::vector<std::unique_ptr<ColumnAccumulator>> columns_;
  std::unique_ptr<core::ThreadPool> pool_;  // started by the first large chunk
};

// One-call form: the profile of a whole table.
TableProfile ProfileTable(const Table& table, const ProfileOptions& options = {});

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_PROFILE_H_

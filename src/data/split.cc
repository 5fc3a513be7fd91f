#include "data/split.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>
#include <unordered_map>
#include <utility>

#include "data/distinct_counter.h"
#include "data/seeded_random.h"

namespace modelhost::data {
namespace {

// Buckets in tie-break order; kRest holds the rows of no set.
enum Bucket : size_t { kTrain, kValidation, kTest, kRest, kNumBuckets };
constexpr std::array<const char*, 3> kSetNames = {"train", "validation", "test"};

using Counts = std::array<size_t, kNumBuckets>;
using Fractions = std::array<double, kNumBuckets>;

// The rows of one class (or all rows), in table order.
struct Group {
  std::string label;  // the class as text, for messages; empty without stratification
  std::vector<size_t> rows;
};

core::Status CheckFractions(const SplitOptions& options) {
  const std::array<double, 3> fractions = {options.train_fraction, options.validation_fraction,
                                           options.test_fraction};
  for (size_t set = 0; set < fractions.size(); ++set) {
    if (!std::isfinite(fractions[set]) || fractions[set] < 0.0 || fractions[set] > 1.0) {
      return core::InvalidArgument(std::string(kSetNames[set]) + " fraction " +
                                   std::to_string(fractions[set]) + " is not in [0, 1]");
    }
  }
  const double sum = fractions[0] + fractions[1] + fractions[2];
  // A little slack so that 0.7 + 0.2 + 0.1 (= 1.0000000000000002) passes.
  if (sum > 1.0 + 1e-9) {
    return core::InvalidArgument("the train, validation and test fractions sum to " +
                                 std::to_string(sum) + ", more than 1");
  }
  if (sum == 0.0)
    return core::InvalidArgument("the train, validation and test fractions are all 0");
  return core::OkStatus();
}

std::string LabelOf(const Column& column, size_t row) {
  switch (column.type()) {
    case ColumnType::kFloat64: {
      char buffer[32];
      auto [end, error] =
          std::to_chars(buffer, buffer + sizeof buffer, column.float64_values()[row]);
      return std::string(buffer, end);
    }
    case ColumnType::kInt64: return std::to_string(column.int64_values()[row]);
    case ColumnType::kBool: return column.bool_values()[row] != 0 ? "true" : "false";
    case ColumnType::kCategorical: return std::string(column.CategoryAt(row));
  }
  return "";
}

// A key equal for equal values of one column (−0.0 and 0.0 are one class).
uint64_t KeyOf(const Column& column, size_t row) {
  switch (column.type()) {
    case ColumnType::kFloat64: return DistinctCounter::KeyOf(column.float64_values()[row]);
    case ColumnType::kInt64: return std::bit_cast<uint64_t>(column.int64_values()[row]);
    case ColumnType::kBool: return column.bool_values()[row];
    case ColumnType::kCategorical: return static_cast<uint64_t>(column.categorical_codes()[row]);
  }
  return 0;
}

core::Result<std::vector<Group>> GroupRows(const Table& table, const SplitOptions& options) {
  if (options.stratify_column.empty()) {
    Group all;
    all.rows.resize(table.num_rows());
    std::iota(all.rows.begin(), all.rows.end(), size_t{0});
    return std::vector<Group>{std::move(all)};
  }
  const Column* column = table.FindColumn(options.stratify_column);
  if (column == nullptr) {
    return core::InvalidArgument("stratify column '" + options.stratify_column +
                                 "' is not in the table");
  }
  if (column->missing_count() > 0) {
    size_t first = 0;
    while (!column->IsMissing(first)) ++first;
    return core::InvalidArgument("stratify column '" + options.stratify_column + "' has " +
                                 std::to_string(column->missing_count()) +
                                 " missing values (the first in row " + std::to_string(first + 1) +
                                 "); drop or impute them before splitting");
  }
  std::vector<Group> groups;
  std::unordered_map<uint64_t, size_t> group_of_key;
  for (size_t row = 0; row < column->size(); ++row) {
    auto [found, inserted] = group_of_key.emplace(KeyOf(*column, row), groups.size());
    if (inserted) groups.push_back({LabelOf(*column, row), {}});
    groups[found->second].rows.push_back(row);
  }
  return groups;
}

// Largest-remainder counts of `n` rows, then the one-row minimum of each set
// asked for (see split.h). Nullopt when a set cannot get its row.
std::optional<Counts> CountsOf(size_t n, const Fractions& fractions) {
  Counts counts{};
  std::array<double, kNumBuckets> remainders{};
  size_t assigned = 0;
  for (size_t bucket = 0; bucket < kNumBuckets; ++bucket) {
    const double quota = static_cast<double>(n) * fractions[bucket];
    counts[bucket] = std::min(n, static_cast<size_t>(std::floor(quota)));
    remainders[bucket] = quota - std::floor(quota);
    assigned += counts[bucket];
  }
  while (assigned < n) {
    size_t best = 0;
    for (size_t bucket = 1; bucket < kNumBuckets; ++bucket) {
      if (remainders[bucket] > remainders[best]) best = bucket;
    }
    ++counts[best];
    remainders[best] = -1.0;  // one extra row per bucket at most
    ++assigned;
  }
  while (assigned > n) {  // quotas rounded above n (sum of fractions a hair over 1)
    size_t largest = 0;
    for (size_t bucket = 1; bucket < kNumBuckets; ++bucket) {
      if (counts[bucket] > counts[largest]) largest = bucket;
    }
    --counts[largest];
    --assigned;
  }
  for (size_t set = kTrain; set <= kTest; ++set) {
    if (fractions[set] <= 0.0 || counts[set] > 0) continue;
    std::optional<size_t> donor;
    for (size_t bucket = 0; bucket < kNumBuckets; ++bucket) {
      const size_t keep = (bucket == kRest || fractions[bucket] <= 0.0) ? 0 : 1;
      if (counts[bucket] > keep && (!donor || counts[bucket] > counts[*donor])) donor = bucket;
    }
    if (!donor) return std::nullopt;
    --counts[*donor];
    ++counts[set];
  }
  return counts;
}

std::string RequestedSets(const Fractions& fractions) {
  std::string names;
  for (size_t set = kTrain; set <= kTest; ++set) {
    if (fractions[set] <= 0.0) continue;
    names += (names.empty() ? "" : ", ") + std::string(kSetNames[set]);
  }
  return names;
}

}  // namespace

core::Result<RowSplit> SplitRows(const Table& table, const SplitOptions& options) {
  MODELHOST_RETURN_IF_ERROR(CheckFractions(options));
  MODELHOST_ASSIGN_OR_RETURN(std::vector<Group> groups, GroupRows(table, options));
  Fractions fractions = {options.train_fraction, options.validation_fraction, options.test_fraction,
                         0.0};
  fractions[kRest] =
      std::max(0.0, 1.0 - fractions[kTrain] - fractions[kValidation] - fractions[kTest]);

  std::mt19937_64 engine(options.seed);
  RowSplit split;
  std::array<std::vector<size_t>*, 3> sets = {&split.train, &split.validation, &split.test};
  for (Group& group : groups) {
    std::optional<Counts> counts = CountsOf(group.rows.size(), fractions);
    if (!counts) {
      const std::string what =
          options.stratify_column.empty()
              ? "the table has "
              : "class '" + group.label + "' of column '" + options.stratify_column + "' has ";
      return core::InvalidArgument(what + std::to_string(group.rows.size()) +
                                   " rows, too few to give one to each set asked for (" +
                                   RequestedSets(fractions) + ")");
    }
    ShuffleRows(group.rows, engine);
    size_t next = 0;
    for (size_t set = kTrain; set <= kTest; ++set) {
      sets[set]->insert(sets[set]->end(), group.rows.begin() + next,
                        group.rows.begin() + next + (*counts)[set]);
      next += (*counts)[set];
    }
  }
  for (std::vector<size_t>* set : sets) std::sort(set->begin(), set->end());
  return split;
}

}  // namespace modelhost::data

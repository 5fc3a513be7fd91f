#include "data/profile.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <exception>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

#include "data/distinct_counter.h"
#include "data/quantile_sketch.h"
#include "data/running_moments.h"

namespace modelhost::data {

// The running state of one column across chunks.
class ProfileBuilder::ColumnAccumulator {
 public:
  ColumnAccumulator(const Column& column, const ProfileOptions& options)
      : name_(column.name()),
        type_(column.type()),
        distinct_({.exact_limit = options.exact_distinct_limit}),
        quantiles_({.exact_limit = options.exact_quantile_limit}) {}

  const std::string& name() const { return name_; }
  ColumnType type() const { return type_; }

  void Add(const Column& column) {
    missing_count_ += column.missing_count();
    switch (type_) {
      case ColumnType::kFloat64: {
        std::span<const double> values = column.float64_values();
        std::vector<double> present;
        std::vector<uint64_t> keys;
        present.reserve(values.size());
        keys.reserve(values.size());
        for (size_t row = 0; row < values.size(); ++row) {
          if (column.IsMissing(row)) continue;
          // A NaN value (a CSV cell "nan") is missing, as the pipeline and
          // pandas count it.
          if (std::isnan(values[row])) {
            ++missing_count_;
            continue;
          }
          present.push_back(values[row]);
          keys.push_back(DistinctCounter::KeyOf(values[row]));
        }
        AddNumbers(present, keys);
        break;
      }
      case ColumnType::kInt64: {
        std::span<const int64_t> values = column.int64_values();
        std::vector<double> present;
        std::vector<uint64_t> keys;
        present.reserve(values.size());
        keys.reserve(values.size());
        for (size_t row = 0; row < values.size(); ++row) {
          if (column.IsMissing(row)) continue;
          present.push_back(static_cast<double>(values[row]));
          keys.push_back(std::bit_cast<uint64_t>(values[row]));
        }
        AddNumbers(present, keys);
        break;
      }
      case ColumnType::kBool: {
        std::span<const uint8_t> values = column.bool_values();
        for (size_t row = 0; row < values.size(); ++row) {
          if (!column.IsMissing(row)) ++(values[row] != 0 ? true_count_ : false_count_);
        }
        break;
      }
      case ColumnType::kCategorical: {
        // Count codes first: one array increment per row, one string lookup per category.
        std::vector<uint64_t> code_counts(column.categories().size(), 0);
        for (int32_t code : column.categorical_codes()) {
          if (code != Column::kMissingCode) ++code_counts[static_cast<size_t>(code)];
        }
        for (size_t code = 0; code < code_counts.size(); ++code) {
          if (code_counts[code] > 0)
            category_counts_[column.categories()[code]] += code_counts[code];
        }
        break;
      }
    }
  }

  void Merge(const ColumnAccumulator& other) {
    missing_count_ += other.missing_count_;
    moments_.Merge(other.moments_);
    distinct_.Merge(other.distinct_);
    quantiles_.Merge(other.quantiles_);
    true_count_ += other.true_count_;
    false_count_ += other.false_count_;
    for (const auto& [value, count] : other.category_counts_) category_counts_[value] += count;
  }

  ColumnProfile Finish(const ProfileOptions& options) const {
    ColumnProfile profile;
    profile.name = name_;
    profile.type = type_;
    profile.missing_count = missing_count_;
    switch (type_) {
      case ColumnType::kFloat64:
      case ColumnType::kInt64: {
        profile.count = moments_.count();
        // A HyperLogLog estimate can exceed the values it counted.
        profile.distinct_count = std::min(distinct_.Count(), moments_.count());
        profile.distinct_approximate = distinct_.approximate();
        NumericStats stats{.min = moments_.min(),
                           .max = moments_.max(),
                           .mean = moments_.mean(),
                           .population_std = moments_.population_std(),
                           .sample_std = moments_.sample_std(),
                           .quantiles_approximate = quantiles_.approximate()};
        std::vector<double> quantiles = quantiles_.Quantiles(kProfileQuantiles);
        std::copy(quantiles.begin(), quantiles.end(), stats.quantiles.begin());
        profile.stats = stats;
        break;
      }
      case ColumnType::kBool:
        profile.count = true_count_ + false_count_;
        profile.distinct_count = (true_count_ > 0 ? 1 : 0) + (false_count_ > 0 ? 1 : 0);
        profile.stats = BoolStats{.true_count = true_count_};
        break;
      case ColumnType::kCategorical: {
        CategoricalStats stats;
        for (const auto& [value, count] : category_counts_) {
          profile.count += count;
          stats.top_categories.push_back({value, count});
        }
        profile.distinct_count = stats.top_categories.size();
        std::sort(stats.top_categories.begin(), stats.top_categories.end(),
                  [](const CategoryCount& a, const CategoryCount& b) {
                    return a.count != b.count ? a.count > b.count : a.value < b.value;
                  });
        if (stats.top_categories.size() > options.max_top_categories) {
          stats.top_categories.resize(options.max_top_categories);
        }
        profile.stats = std::move(stats);
        break;
      }
    }
    return profile;
  }

 private:
  // A chunk's present numbers and their distinct keys, in row order.
  void AddNumbers(std::span<const double> values, std::span<const uint64_t> keys) {
    moments_.Add(values);
    distinct_.Add(keys);
    for (double value : values) quantiles_.Add(value);
  }

  std::string name_;
  ColumnType type_;
  uint64_t missing_count_ = 0;
  RunningMoments moments_;
  DistinctCounter distinct_;
  QuantileSketch quantiles_;
  uint64_t true_count_ = 0;
  uint64_t false_count_ = 0;
  std::unordered_map<std::string, uint64_t> category_counts_;
};

ProfileBuilder::ProfileBuilder(ProfileOptions options) : options_(options) {}
ProfileBuilder::~ProfileBuilder() = default;
ProfileBuilder::ProfileBuilder(ProfileBuilder&&) noexcept = default;
ProfileBuilder& ProfileBuilder::operator=(ProfileBuilder&&) noexcept = default;

core::Status ProfileBuilder::CheckSchema(const Table& chunk) const {
  if (chunk.num_columns() != columns_.size()) {
    return core::InvalidArgument("chunk has " + std::to_string(chunk.num_columns()) +
                                 " columns, the profile's schema has " +
                                 std::to_string(columns_.size()));
  }
  for (size_t index = 0; index < columns_.size(); ++index) {
    const Column& column = chunk.column(index);
    const ColumnAccumulator& expected = *columns_[index];
    if (column.name() != expected.name() || column.type() != expected.type()) {
      return core::InvalidArgument("chunk column " + std::to_string(index + 1) + " is '" +
                                   column.name() + "' (" + std::string(ToString(column.type())) +
                                   "), the profile's schema has '" + expected.name() + "' (" +
                                   std::string(ToString(expected.type())) + ")");
    }
  }
  return core::OkStatus();
}

core::Status ProfileBuilder::Add(const Table& chunk) {
  if (!has_schema_) {
    for (const Column& column : chunk.columns()) {
      columns_.push_back(std::make_unique<ColumnAccumulator>(column, options_));
    }
    has_schema_ = true;
  } else {
    MODELHOST_RETURN_IF_ERROR(CheckSchema(chunk));
  }
  // Columns are independent: a large chunk's go to the pool, one per task.
  constexpr size_t kParallelValues = size_t{1} << 16;
  const size_t threads = options_.threads != 0
                             ? options_.threads
                             : std::max<size_t>(1, std::thread::hardware_concurrency());
  if (pool_ == nullptr && threads > 1 && columns_.size() > 1 &&
      chunk.num_rows() * columns_.size() >= kParallelValues) {
    auto created = core::ThreadPool::Create({.num_threads = std::min(threads, columns_.size()),
                                             .max_queue_size = columns_.size(),
                                             .name = "profile"});
    if (created.ok()) pool_ = std::move(created).value();  // else: here, one by one
  }
  std::vector<std::exception_ptr> failures(columns_.size());
  core::RunOnPool(chunk.num_rows() * columns_.size() >= kParallelValues ? pool_.get() : nullptr,
                  columns_.size(), [&](size_t index) {
                    try {
                      columns_[index]->Add(chunk.column(index));
                    } catch (...) {  // std::bad_alloc, in practice: thrown here as before
                      failures[index] = std::current_exception();
                    }
                  });
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  num_rows_ += chunk.num_rows();
  return core::OkStatus();
}

core::Status ProfileBuilder::Merge(ProfileBuilder&& other) {
  if (!other.has_schema_) return core::OkStatus();
  if (!has_schema_) {
    *this = std::move(other);
    return core::OkStatus();
  }
  if (other.columns_.size() != columns_.size()) {
    return core::InvalidArgument("cannot merge profiles of " + std::to_string(columns_.size()) +
                                 " and " + std::to_string(other.columns_.size()) + " columns");
  }
  for (size_t index = 0; index < columns_.size(); ++index) {
    const ColumnAccumulator& mine = *columns_[index];
    const ColumnAccumulator& theirs = *other.columns_[index];
    if (mine.name() != theirs.name() || mine.type() != theirs.type()) {
      return core::InvalidArgument(
          "cannot merge profiles: column " + std::to_string(index + 1) + " is '" + mine.name() +
          "' (" + std::string(ToString(mine.type())) + ") in one and '" + theirs.name() + "' (" +
          std::string(ToString(theirs.type())) + ") in the other");
    }
  }
  for (size_t index = 0; index < columns_.size(); ++index) {
    columns_[index]->Merge(*other.columns_[index]);
  }
  num_rows_ += other.num_rows_;
  return core::OkStatus();
}

TableProfile ProfileBuilder::Finish() && {
  TableProfile profile;
  profile.num_rows = num_rows_;
  for (const auto& column : columns_) profile.columns.push_back(column->Finish(options_));
  return profile;
}

TableProfile ProfileTable(const Table& table, const ProfileOptions& options) {
  ProfileBuilder builder(options);
  // The first chunk sets the schema, so Add cannot fail here.
  [[maybe_unused]] core::Status status = builder.Add(table);
  assert(status.ok());
  return std::move(builder).Finish();
}

}  // namespace modelhost::data

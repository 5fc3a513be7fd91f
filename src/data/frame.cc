#include "data/frame.h"

#include "data/huge_pages.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>

namespace modelhost::data {

namespace {

template <typename T>
void KeepElements(std::vector<T>& values, std::span<const uint8_t> keep, size_t kept) {
  size_t out = 0;
  for (size_t row = 0; row < values.size(); ++row) {
    if (keep[row]) values[out++] = std::move(values[row]);
  }
  assert(out == kept);
  values.resize(kept);
}

// The values of an int64 or bool column as doubles, NaN where missing.
template <typename T>
void WidenToDoubles(const Column& column, std::span<const T> values, std::vector<double>& out) {
  out.resize(values.size());
  for (size_t row = 0; row < values.size(); ++row) {
    out[row] = column.IsMissing(row) ? std::numeric_limits<double>::quiet_NaN()
                                     : static_cast<double>(values[row]);
  }
}

}  // namespace

std::string FormatNumber(double value, ColumnType type) {
  if (type == ColumnType::kBool) return value != 0 ? "true" : "false";
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

FrameColumn::FrameColumn(std::string name, ColumnType type, std::vector<double> values)
    : name_(std::move(name)), type_(type), values_(std::move(values)) {
  assert(type != ColumnType::kCategorical);
}

FrameColumn::FrameColumn(std::string name, std::vector<int32_t> codes,
                         std::vector<std::string> categories)
    : name_(std::move(name)),
      type_(ColumnType::kCategorical),
      codes_(std::move(codes)),
      categories_(std::move(categories)) {}

FrameColumn::FrameColumn(const Column& column) : name_(column.name()), type_(column.type()) {
  switch (column.type()) {
    case ColumnType::kFloat64:
      borrowed_ = column.float64_values();
      owned_ = false;
      break;
    case ColumnType::kInt64: WidenToDoubles(column, column.int64_values(), values_); break;
    case ColumnType::kBool: WidenToDoubles(column, column.bool_values(), values_); break;
    case ColumnType::kCategorical: {
      auto codes = column.categorical_codes();
      auto categories = column.categories();
      codes_.assign(codes.begin(), codes.end());
      categories_.assign(categories.begin(), categories.end());
      break;
    }
  }
}

void FrameColumn::ReserveOwned(size_t rows) {
  values_.clear();
  values_.shrink_to_fit();
  values_.reserve(rows);
  AdviseHugePages(values_.data(), rows * sizeof(double));
}

std::span<double> FrameColumn::MutableValues() {
  assert(is_numeric());
  if (!owned_) {
    ReserveOwned(borrowed_.size());
    values_.assign(borrowed_.begin(), borrowed_.end());
    borrowed_ = {};
    owned_ = true;
  }
  return values_;
}

void FrameColumn::SetNumeric(ColumnType type, std::vector<double> values) {
  assert(type != ColumnType::kCategorical);
  type_ = type;
  values_ = std::move(values);
  borrowed_ = {};
  owned_ = true;
  codes_ = {};
  categories_ = {};
}

int32_t FrameColumn::InternCategory(std::string_view category) {
  auto found = std::find(categories_.begin(), categories_.end(), category);
  if (found != categories_.end()) return static_cast<int32_t>(found - categories_.begin());
  categories_.emplace_back(category);
  return static_cast<int32_t>(categories_.size() - 1);
}

void FrameColumn::ReplaceCategories(std::span<const std::optional<std::string>> replacement) {
  assert(replacement.size() == categories_.size());
  std::vector<std::string> categories;
  std::unordered_map<std::string_view, int32_t> code_of;
  std::vector<int32_t> new_code(replacement.size(), Column::kMissingCode);
  categories.reserve(replacement.size());
  for (size_t code = 0; code < replacement.size(); ++code) {
    if (!replacement[code]) continue;
    auto [found, inserted] = code_of.emplace(*replacement[code], 0);
    if (inserted) {
      found->second = static_cast<int32_t>(categories.size());
      categories.push_back(*replacement[code]);
    }
    new_code[code] = found->second;
  }
  for (int32_t& code : codes_) {
    if (code != Column::kMissingCode) code = new_code[code];
  }
  categories_ = std::move(categories);
}

std::vector<int64_t> FrameColumn::PositionsIn(std::span<const std::string> sorted) const {
  std::vector<int64_t> positions;
  positions.reserve(categories_.size());
  for (const std::string& category : categories_) {
    auto found = std::lower_bound(sorted.begin(), sorted.end(), category);
    positions.push_back(found != sorted.end() && *found == category ? found - sorted.begin() : -1);
  }
  return positions;
}

void FrameColumn::SetCategorical(std::vector<int32_t> codes, std::vector<std::string> categories) {
  type_ = ColumnType::kCategorical;
  codes_ = std::move(codes);
  categories_ = std::move(categories);
  values_ = {};
  borrowed_ = {};
  owned_ = true;
}

void FrameColumn::KeepRows(std::span<const uint8_t> keep, size_t kept) {
  if (!is_numeric()) {
    KeepElements(codes_, keep, kept);
    return;
  }
  if (!owned_) {
    ReserveOwned(kept);
    for (size_t row = 0; row < borrowed_.size(); ++row) {
      if (keep[row]) values_.push_back(borrowed_[row]);
    }
    borrowed_ = {};
    owned_ = true;
    return;
  }
  KeepElements(values_, keep, kept);
}

Frame::Frame(std::vector<FrameColumn> columns, size_t num_rows, std::string target)
    : columns_(std::move(columns)), num_rows_(num_rows), target_(std::move(target)) {}

std::optional<size_t> Frame::Find(std::string_view name) const {
  for (size_t index = 0; index < columns_.size(); ++index) {
    if (columns_[index].name() == name) return index;
  }
  return std::nullopt;
}

core::Result<size_t> Frame::Require(std::string_view name) const {
  std::optional<size_t> index = Find(name);
  if (!index) return core::InvalidArgument("no column '" + std::string(name) + "'");
  return *index;
}

core::Result<std::vector<size_t>> Frame::Select(const ColumnSelector& selector,
                                                bool allow_target) const {
  std::vector<size_t> picked;
  if (selector.kind == ColumnSelector::Kind::kNames) {
    for (const std::string& name : selector.names) {
      if (name == target_ && !allow_target) {
        return core::InvalidArgument("column '" + name + "' is the target, not a feature");
      }
      MODELHOST_ASSIGN_OR_RETURN(size_t index, Require(name));
      picked.push_back(index);
    }
    return picked;
  }
  for (const std::string& name : selector.names) {
    if (!Find(name)) return core::InvalidArgument("no column '" + name + "'");
  }
  for (size_t index = 0; index < columns_.size(); ++index) {
    const FrameColumn& column = columns_[index];
    if (column.name() == target_) continue;
    bool wanted = false;
    switch (selector.kind) {
      case ColumnSelector::Kind::kNumeric: wanted = column.is_numeric(); break;
      case ColumnSelector::Kind::kCategorical: wanted = !column.is_numeric(); break;
      case ColumnSelector::Kind::kAllExcept:
        wanted = std::find(selector.names.begin(), selector.names.end(), column.name()) ==
                 selector.names.end();
        break;
      case ColumnSelector::Kind::kNames: break;
    }
    if (wanted) picked.push_back(index);
  }
  return picked;
}

void Frame::KeepRows(std::span<const uint8_t> keep) {
  assert(keep.size() == num_rows_);
  size_t kept = 0;
  for (uint8_t flag : keep) kept += flag ? 1 : 0;
  if (kept == num_rows_) return;
  for (FrameColumn& column : columns_) column.KeepRows(keep, kept);
  num_rows_ = kept;
}

void Frame::RemoveColumn(size_t index) {
  columns_.erase(columns_.begin() + static_cast<std::ptrdiff_t>(index));
}

core::Status Frame::ReplaceColumn(size_t index, std::vector<FrameColumn> replacement) {
  for (const FrameColumn& column : replacement) {
    std::optional<size_t> existing = Find(column.name());
    if (existing && *existing != index) {
      return core::InvalidArgument("output column '" + column.name() +
                                   "' clashes with an existing column");
    }
  }
  RemoveColumn(index);
  columns_.insert(columns_.begin() + static_cast<std::ptrdiff_t>(index),
                  std::make_move_iterator(replacement.begin()),
                  std::make_move_iterator(replacement.end()));
  return core::OkStatus();
}

}  // namespace modelhost::data

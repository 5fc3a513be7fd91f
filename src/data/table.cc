#include "data/table.h"

#include <utility>

namespace modelhost::data {

core::Result<Table> Table::Make(std::vector<Column> columns) {
  Table table;
  for (size_t index = 0; index < columns.size(); ++index) {
    const Column& column = columns[index];
    // Spelled out only on failure: a prediction makes a table per request.
    auto place = [index] { return "column " + std::to_string(index + 1); };
    if (column.name().empty()) return core::InvalidArgument(place() + " has an empty name");
    auto [existing, inserted] = table.index_by_name_.emplace(column.name(), index);
    if (!inserted) {
      return core::InvalidArgument(place() + " repeats the name '" + column.name() +
                                   "' of column " + std::to_string(existing->second + 1));
    }
    if (index > 0 && column.size() != columns[0].size()) {
      return core::InvalidArgument(place() + " '" + column.name() + "' has " +
                                   std::to_string(column.size()) + " rows, column 1 has " +
                                   std::to_string(columns[0].size()));
    }
  }
  table.num_rows_ = columns.empty() ? 0 : columns[0].size();
  table.columns_ = std::move(columns);
  return table;
}

const Column* Table::FindColumn(std::string_view name) const {
  auto found = index_by_name_.find(name);
  return found == index_by_name_.end() ? nullptr : &columns_[found->second];
}

}  // namespace modelhost::data

#include "data/take_rows.h"

#include <string>
#include <utility>
#include <vector>

#include "data/column_builder.h"

namespace modelhost::data {
namespace {

core::Status AppendRow(const Column& column, size_t row, ColumnBuilder& builder) {
  if (column.IsMissing(row)) {
    builder.AppendMissing();
    return core::OkStatus();
  }
  switch (column.type()) {
    case ColumnType::kFloat64: builder.AppendFloat64(column.float64_values()[row]); break;
    case ColumnType::kInt64: builder.AppendInt64(column.int64_values()[row]); break;
    case ColumnType::kBool: builder.AppendBool(column.bool_values()[row] != 0); break;
    case ColumnType::kCategorical: return builder.AppendCategorical(column.CategoryAt(row));
  }
  return core::OkStatus();
}

}  // namespace

core::Result<Table> TakeRows(const Table& table, std::span<const size_t> rows) {
  for (size_t position = 0; position < rows.size(); ++position) {
    if (rows[position] >= table.num_rows()) {
      return core::InvalidArgument("row index " + std::to_string(rows[position]) + " (position " +
                                   std::to_string(position) +
                                   " of the row list) is out of range: the table has " +
                                   std::to_string(table.num_rows()) + " rows");
    }
  }
  std::vector<Column> columns;
  columns.reserve(table.num_columns());
  for (const Column& column : table.columns()) {
    ColumnBuilder builder(column.name(), column.type());
    builder.Reserve(rows.size());
    for (size_t row : rows) MODELHOST_RETURN_IF_ERROR(AppendRow(column, row, builder));
    columns.push_back(std::move(builder).Finish());
  }
  return Table::Make(std::move(columns));
}

}  // namespace modelhost::data

// Table: an ordered set of equally long, uniquely named Columns — the
// in-memory form of a dataset, column-major so a transform walks one
// contiguous array at a time.
//
// Thread-safety: immutable once made; concurrent reads are safe.

#ifndef MODELHOST_DATA_TABLE_H_
#define MODELHOST_DATA_TABLE_H_

#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "data/column.h"

namespace modelhost::data {

class Table {
 public:
  // An empty table: no columns, no rows.
  Table() = default;

  // Takes ownership of `columns`, in order. InvalidArgument when a name is
  // empty or repeated, or when the columns differ in length.
  static core::Result<Table> Make(std::vector<Column> columns);

  size_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return columns_.size(); }

  // REQUIRES: index < num_columns().
  const Column& column(size_t index) const { return columns_[index]; }
  std::span<const Column> columns() const { return columns_; }

  // The column called `name`, or nullptr when there is none.
  const Column* FindColumn(std::string_view name) const;

 private:
  std::vector<Column> columns_;
  std::map<std::string, size_t, std::less<>> index_by_name_;
  size_t num_rows_ = 0;
};

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_TABLE_H_

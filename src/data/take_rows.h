// TakeRows: a new Table holding chosen rows of another, in the order given —
// the rows of one split, a sample, a filtered table.
//
// Thread-safety: a pure function of immutable inputs.

#ifndef MODELHOST_DATA_TAKE_ROWS_H_
#define MODELHOST_DATA_TAKE_ROWS_H_

#include <cstddef>
#include <span>

#include "core/result.h"
#include "data/table.h"

namespace modelhost::data {

// The table whose row k is row rows[k] of `table`: same column names, types
// and order; values and missing marks copied. Rows may repeat and come in any
// order. A categorical column's dictionary holds only the categories the
// chosen rows use, in their order of first appearance there.
// InvalidArgument when a row index is not below table.num_rows().
core::Result<Table> TakeRows(const Table& table, std::span<const size_t> rows);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_TAKE_ROWS_H_

// RenderProfileText: a TableProfile as a plain-text table for a terminal
// (`modelhost data profile FILE`), one row per column:
//
//   column     type         count  missing  distinct  mean     std      min  p01 … p99  max  top
//   glucose    float64        763        5       135  121.687  30.5359  44   …          199
//   diagnosis  categorical    569        0         2                                      benign
//   357, malignant 212
//
// Numbers have 6 significant digits; std is the sample std (ddof 1, as
// pandas' describe); a "~" marks an approximate distinct count or quantile;
// "top" lists up to three categories (bool: the true count). A legend line
// follows the table. Pure ASCII apart from the names and categories given.
//
// Thread-safety: a pure function.

#ifndef MODELHOST_DATA_PROFILE_TEXT_H_
#define MODELHOST_DATA_PROFILE_TEXT_H_

#include <string>

#include "data/profile.h"

namespace modelhost::data {

// The table, each line ending in '\n'.
std::string RenderProfileText(const TableProfile& profile);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_PROFILE_TEXT_H_

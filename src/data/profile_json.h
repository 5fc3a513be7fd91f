// ProfileToJson: the JSON form of a TableProfile, the one the HTTP API
// returns for a dataset and `modelhost data profile --json` prints. It lives
// beside the profile (as NetworkSpecToJson lives in nn) because both the API
// and the CLI need it and only `data` is below both.
//
//   {"num_rows": 768,
//    "columns": [
//      {"name": "glucose", "type": "float64", "count": 763, "missing_count": 5,
//       "distinct_count": 135, "distinct_approximate": false,
//       "min": 44, "max": 199, "mean": 121.68…, "std_population": 30.51…,
//       "std_sample": 30.53…,
//       "quantiles": {"p01": 67, "p25": 99, "p50": 117, "p75": 141, "p99": 196},
//       "quantiles_approximate": false},
//      {"name": "flag", "type": "bool", …, "true_count": 3},
//      {"name": "diagnosis", "type": "categorical", …,
//       "top_categories": [{"value": "benign", "count": 357}, …]}]}
//
// Numbers are written with the shortest text that reads back to the same
// double; a NaN statistic (a column with no value; std_sample of one value)
// is null.
//
// Thread-safety: a pure function.

#ifndef MODELHOST_DATA_PROFILE_JSON_H_
#define MODELHOST_DATA_PROFILE_JSON_H_

#include <string>

#include "data/profile.h"

namespace modelhost::data {

// Compact JSON (no whitespace), keys in the order shown above.
std::string ProfileToJson(const TableProfile& profile);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_PROFILE_JSON_H_

// SweepTmp: empties <data_dir>/tmp (artifact_paths.h) at a server's start.
// Bundle uploads and training jobs stage model versions there and remove
// their staging directory when done; one killed midway leaves it behind, and
// nothing else would ever remove it.
//
// REQUIRES: the caller holds the data directory's lock (data_dir_lock.h) and
// nothing in this process stages yet: the sweep removes whatever it finds.
//
// Thread-safety: see REQUIRES.

#ifndef MODELHOST_STORE_TMP_SWEEP_H_
#define MODELHOST_STORE_TMP_SWEEP_H_

#include <string>

#include "core/status.h"

namespace modelhost::store {

// Removes every entry of <data_dir>/tmp (absent: nothing to do). Errors:
// Unavailable naming the entry that cannot be removed or the directory that
// cannot be listed.
core::Status SweepTmp(const std::string& data_dir);

}  // namespace modelhost::store

#endif  // MODELHOST_STORE_TMP_SWEEP_H_

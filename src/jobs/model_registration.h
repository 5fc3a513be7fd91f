// RegisterModelVersion: turns a finished model directory — written by a
// training job or unpacked from an uploaded bundle — into the next version of
// a named model in the registry (store/metadata_store.h), its files moved to
// <data_dir>/models/<name>/<version> (store/artifact_paths.h).
//
// The directory is validated (model::ModelDirectory::Read) and checksummed
// before anything is registered. Its move into place happens inside the
// registering transaction: a crash leaves the version registered with its
// files in place, or unregistered (an unregistered directory left at that
// path is removed when the number is next handed out).
//
// Thread-safety: reentrant; concurrent registrations of one model get
// distinct versions (the store serializes them).

#ifndef MODELHOST_JOBS_MODEL_REGISTRATION_H_
#define MODELHOST_JOBS_MODEL_REGISTRATION_H_

#include <string>
#include <string_view>

#include "core/result.h"
#include "store/metadata_store.h"

namespace modelhost::jobs {

// Registers `staged_directory` (on the data directory's file system, so it can
// be renamed) as the next version of `model`. On success the staged directory
// is gone (moved); on failure it is left as it was, for the caller to remove.
// The version's registry info is the directory's summary
// (model/model_summary.h): everything it says comes from the bundle itself, so
// a downloaded and re-uploaded bundle registers with the same lineage.
// Errors: InvalidArgument for a bad model name; the model directory's
// validation errors; the store's; Internal when the move fails.
core::Result<store::ModelVersionRecord> RegisterModelVersion(store::MetadataStore& store,
                                                             const std::string& data_dir,
                                                             std::string_view model,
                                                             const std::string& staged_directory);

}  // namespace modelhost::jobs

#endif  // MODELHOST_JOBS_MODEL_REGISTRATION_H_

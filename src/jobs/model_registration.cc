#include "jobs/model_registration.h"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "core/atomic_file.h"
#include "core/file_reader.h"
#include "model/model_checksum.h"
#include "model/model_directory.h"
#include "model/model_summary.h"
#include "store/artifact_paths.h"
#include "store/resource_name.h"

namespace modelhost::jobs {
namespace {

namespace fs = std::filesystem;

// Moves `staged` to `destination`, replacing a leftover of an earlier attempt
// that was never registered.
core::Status MoveIntoPlace(const std::string& staged, const std::string& destination) {
  std::error_code error;
  const fs::path parent = fs::path(destination).parent_path();
  fs::create_directories(parent, error);
  if (error) return core::PosixErrorStatus(error.value(), "mkdir", parent.string());
  fs::remove_all(destination, error);
  if (error) return core::PosixErrorStatus(error.value(), "remove", destination);
  if (::rename(staged.c_str(), destination.c_str()) != 0) {
    return core::PosixErrorStatus(errno, "rename to " + destination, staged);
  }
  return core::FsyncDirectory(parent.string());
}

}  // namespace

core::Result<store::ModelVersionRecord> RegisterModelVersion(store::MetadataStore& store,
                                                             const std::string& data_dir,
                                                             std::string_view model,
                                                             const std::string& staged_directory) {
  MODELHOST_RETURN_IF_ERROR(store::ValidateResourceName("model name", model));
  MODELHOST_ASSIGN_OR_RETURN(std::unique_ptr<model::ModelDirectory> directory,
                             model::ModelDirectory::Read(staged_directory));
  MODELHOST_ASSIGN_OR_RETURN(std::string checksum, model::ModelDirectoryChecksum(staged_directory));
  return store.AddModelVersion(
      model, checksum, model::ModelSummaryJson(directory->description()), [&](int64_t version) {
        return MoveIntoPlace(staged_directory, store::ModelVersionPath(data_dir, model, version));
      });
}

}  // namespace modelhost::jobs

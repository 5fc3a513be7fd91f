#include "store/tmp_sweep.h"

#include <filesystem>
#include <system_error>

#include "store/artifact_paths.h"

namespace modelhost::store {

core::Status SweepTmp(const std::string& data_dir) {
  namespace fs = std::filesystem;
  const std::string tmp = TmpPath(data_dir);
  std::error_code error;
  if (!fs::exists(tmp, error)) return core::OkStatus();
  for (const fs::directory_entry& entry : fs::directory_iterator(tmp, error)) {
    std::error_code removal;
    fs::remove_all(entry.path(), removal);
    if (removal) {
      return core::Unavailable("cannot remove leftover " + entry.path().string() + ": " +
                               removal.message());
    }
  }
  if (error) return core::Unavailable("cannot list " + tmp + ": " + error.message());
  return core::OkStatus();
}

}  // namespace modelhost::store

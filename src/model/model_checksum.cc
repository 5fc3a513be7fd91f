#include "model/model_checksum.h"

#include <filesystem>
#include <string_view>

#include "core/file_reader.h"
#include "core/sha256.h"
#include "model/model_directory.h"

namespace modelhost::model {

core::Result<std::string> ModelDirectoryChecksum(const std::string& directory) {
  core::Sha256 hash;
  for (const char* name : {kModelJsonFile, kNetworkJsonFile, kPipelineJsonFile, kWeightsFile}) {
    const std::string path = directory + "/" + name;
    std::error_code error;
    if (name == std::string_view(kPipelineJsonFile) && !std::filesystem::exists(path, error)) {
      continue;
    }
    const uintmax_t size = std::filesystem::file_size(path, error);
    if (error) return core::PosixErrorStatus(error.value(), "stat", path);
    hash.Update(name);
    hash.Update(std::string_view("\0", 1));
    hash.Update(std::to_string(size));
    hash.Update(std::string_view("\0", 1));
    MODELHOST_RETURN_IF_ERROR(core::ReadFileInChunks(
        path, size_t{1} << 20, [&](std::string_view chunk) { hash.Update(chunk); }));
  }
  return core::DigestToHex(hash.Finish());
}

core::Status VerifyModelDirectory(const std::string& directory, const std::string& expected) {
  MODELHOST_ASSIGN_OR_RETURN(std::string actual, ModelDirectoryChecksum(directory));
  if (actual != expected) {
    return core::DataLoss(directory + ": checksum " + actual + " differs from the registered " +
                          expected + " (the files changed since registration)");
  }
  return core::OkStatus();
}

}  // namespace modelhost::model

#include "store/artifact_paths.h"

#include <filesystem>

namespace modelhost::store {

std::string ModelPath(std::string_view data_dir, std::string_view model) {
  return (std::filesystem::path(data_dir) / "models" / model).string();
}

std::string ModelVersionPath(std::string_view data_dir, std::string_view model, int64_t version) {
  return (std::filesystem::path(ModelPath(data_dir, model)) / std::to_string(version)).string();
}

std::string DatasetPath(std::string_view data_dir, std::string_view id) {
  return (std::filesystem::path(data_dir) / "datasets" / id).string();
}

std::string DatasetFilePath(std::string_view data_dir, std::string_view id) {
  return (std::filesystem::path(DatasetPath(data_dir, id)) / "data.mhd").string();
}

std::string UploadsPath(std::string_view data_dir) {
  return (std::filesystem::path(data_dir) / "uploads").string();
}

std::string TmpPath(std::string_view data_dir) {
  return (std::filesystem::path(data_dir) / "tmp").string();
}

std::string LockFilePath(std::string_view data_dir) {
  return (std::filesystem::path(data_dir) / "modelhost.lock").string();
}

}  // namespace modelhost::store

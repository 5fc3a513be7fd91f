#include "cli/remote_config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/file_reader.h"

namespace modelhost::cli {
namespace {

using Json = nlohmann::json;

constexpr mode_t kDirectoryMode = 0700;
constexpr mode_t kFileMode = 0600;

std::string Variable(const Environment& environment, std::string_view name) {
  auto found = environment.find(name);
  return found == environment.end() ? "" : found->second;
}

}  // namespace

core::Result<std::string> RemoteConfigDirectory(const Environment& environment) {
  std::string xdg = Variable(environment, "XDG_CONFIG_HOME");
  // The XDG Base Directory spec says a relative value is invalid and ignored.
  if (xdg.starts_with('/')) return xdg + "/modelhost";
  std::string home = Variable(environment, "HOME");
  if (home.starts_with('/')) return home + "/.config/modelhost";
  return core::FailedPrecondition(
      "cannot place the modelhost config: neither XDG_CONFIG_HOME nor HOME is an absolute path");
}

std::string RemoteConfigPath(const std::string& directory) {
  return directory + "/credentials.json";
}

core::Status SaveRemoteConfig(const std::string& directory, const RemoteConfig& config) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return core::PosixErrorStatus(error.value(), "create directory", directory);
  }
  // create_directories applies the umask, and an existing directory may be
  // wider: set the mode exactly.
  if (::chmod(directory.c_str(), kDirectoryMode) != 0) {
    return core::PosixErrorStatus(errno, "chmod", directory);
  }
  Json file = {{"url", config.url}, {"api_key", config.api_key}};
  return core::WriteFileAtomically(RemoteConfigPath(directory), file.dump(2) + "\n",
                                   core::AtomicFileOptions{.mode = kFileMode});
}

core::Result<RemoteConfig> LoadRemoteConfig(const std::string& directory) {
  std::string path = RemoteConfigPath(directory);
  MODELHOST_ASSIGN_OR_RETURN(std::string text, core::ReadFileToString(path));
  try {
    Json file = Json::parse(text);
    if (!file.is_object() || !file.contains("url") || !file["url"].is_string() ||
        (file.contains("api_key") && !file["api_key"].is_string())) {
      return core::DataLoss(path + ": expected {\"url\": string, \"api_key\": string}");
    }
    return RemoteConfig{file["url"].get<std::string>(), file.value("api_key", std::string())};
  } catch (const Json::exception& exception) {
    return core::DataLoss(path + ": " + exception.what());
  }
}

core::Result<bool> RemoveRemoteConfig(const std::string& directory) {
  std::string path = RemoteConfigPath(directory);
  if (::unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  return core::PosixErrorStatus(errno, "remove", path);
}

core::Result<RemoteConfig> ResolveRemoteConfig(const Environment& environment) {
  RemoteConfig config;
  if (auto directory = RemoteConfigDirectory(environment); directory.ok()) {
    core::Result<RemoteConfig> stored = LoadRemoteConfig(*directory);
    if (stored.ok()) {
      config = *std::move(stored);
    } else if (stored.status().code() != core::StatusCode::kNotFound) {
      return stored.status();
    }
  }
  if (std::string url = Variable(environment, "MODELHOST_URL"); !url.empty()) config.url = url;
  if (std::string key = Variable(environment, "MODELHOST_API_KEY"); !key.empty()) {
    config.api_key = key;
  }
  if (config.url.empty()) {
    return core::FailedPrecondition(
        "no server configured: run 'modelhost login --url URL --key-file FILE' or set "
        "MODELHOST_URL (and MODELHOST_API_KEY)");
  }
  return config;
}

}  // namespace modelhost::cli

// Where the remote commands find their server: the endpoint and API key
// `modelhost login` stored, overridden by the environment.
//
// The file is <config dir>/credentials.json, {"url": "...", "api_key": "..."},
// where <config dir> is $XDG_CONFIG_HOME/modelhost when XDG_CONFIG_HOME is an
// absolute path, else $HOME/.config/modelhost. The directory is mode 0700 and
// the file 0600, written atomically (core/atomic_file.h), because the key
// grants access to the server.
// MODELHOST_URL and MODELHOST_API_KEY, when set and not empty, win over the
// file's values (field by field).
//
// Thread-safety: reentrant; concurrent writers of one file: the last wins.

#ifndef MODELHOST_CLI_REMOTE_CONFIG_H_
#define MODELHOST_CLI_REMOTE_CONFIG_H_

#include <functional>
#include <map>
#include <string>

#include "core/result.h"
#include "core/status.h"

namespace modelhost::cli {

using Environment = std::map<std::string, std::string, std::less<>>;

struct RemoteConfig {
  std::string url;      // "http[s]://host:port"
  std::string api_key;  // empty for a server running with --auth=off
};

// The directory holding credentials.json, from `environment` (XDG_CONFIG_HOME,
// HOME). FailedPrecondition when neither names an absolute directory.
core::Result<std::string> RemoteConfigDirectory(const Environment& environment);

// The path of credentials.json in `directory`.
std::string RemoteConfigPath(const std::string& directory);

// Writes `config` to credentials.json in `directory`, creating the directory
// (0700) when missing and making an existing one 0700. Errors: the file
// system's, naming the path.
core::Status SaveRemoteConfig(const std::string& directory, const RemoteConfig& config);

// The stored config; NotFound when there is none; DataLoss naming the file
// when it is not the JSON object SaveRemoteConfig writes.
core::Result<RemoteConfig> LoadRemoteConfig(const std::string& directory);

// Removes credentials.json; whether there was one.
core::Result<bool> RemoveRemoteConfig(const std::string& directory);

// The endpoint to use: the stored config with the environment's overrides.
// FailedPrecondition "no server configured: …" (saying how to configure one)
// when no URL comes from either.
core::Result<RemoteConfig> ResolveRemoteConfig(const Environment& environment);

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_REMOTE_CONFIG_H_

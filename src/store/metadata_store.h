// MetadataStore: the durable records of a modelhost server — its API keys and
// its model registry (models, their numbered versions, aliases such as
// "production"); datasets and jobs join as the service grows (issue 5).
// One interface so that a PostgreSQL store shared by several replicas can
// replace the embedded SQLite one (DESIGN.md, "Scale-out").
//
// Records hold only what may be stored: an API key is kept as the SHA-256 of
// its secret, never the secret itself.
//
// Thread-safety: implementations are safe to call from any thread; each
// method is atomic (all of its writes land, or none).

#ifndef MODELHOST_STORE_METADATA_STORE_H_
#define MODELHOST_STORE_METADATA_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace modelhost::store {

struct ApiKeyRecord {
  std::string id;                   // public identifier, part of the key text
  std::string name;                 // what the creator called it, e.g. "ci"
  std::string secret_sha256;        // lower-case hex SHA-256 of the whole key text
  std::vector<std::string> scopes;  // e.g. {"predict", "read"}
  std::string created_at;           // UTC, RFC 3339
};

// One registered version of a model. The bundle itself lives in the artifact
// store; the record holds what the registry lists and checks.
struct ModelVersionRecord {
  std::string model;          // the model's name (resource_name.h)
  int64_t version = 0;        // 1, 2, 3, … per model; a deleted number is never reused
  std::string created_at;     // UTC, RFC 3339
  std::string bundle_sha256;  // checksum of the stored bundle, verified on load
  std::string info_json;      // metrics, lineage …: a JSON object the store keeps as is
};

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // Stores a new key. AlreadyExists when its id is taken.
  virtual core::Status InsertApiKey(const ApiKeyRecord& key) = 0;
  // Every key, in the order they were inserted.
  virtual core::Result<std::vector<ApiKeyRecord>> ListApiKeys() = 0;
  // Removes the key `id`. NotFound when there is none.
  virtual core::Status DeleteApiKey(std::string_view id) = 0;

  // Registers the next version of `model`, creating the model on its first
  // version. `place(version)` runs inside the write transaction, before the
  // version becomes visible: it puts the bundle where that version's files
  // belong. If it fails, nothing is registered and its error is returned. A
  // crash at any point leaves the version either fully registered or absent
  // (files of an absent version are the caller's to sweep).
  virtual core::Result<ModelVersionRecord> AddModelVersion(
      std::string_view model, std::string bundle_sha256, std::string info_json,
      const std::function<core::Status(int64_t version)>& place) = 0;
  // Names of every model with at least one version, sorted.
  virtual core::Result<std::vector<std::string>> ListModels() = 0;
  // The versions of `model`, oldest first. NotFound naming an unknown model.
  virtual core::Result<std::vector<ModelVersionRecord>> ListModelVersions(
      std::string_view model) = 0;
  // NotFound naming the model and version when there is no such version.
  virtual core::Result<ModelVersionRecord> GetModelVersion(std::string_view model,
                                                           int64_t version) = 0;
  // Points `alias` of `model` at `version` (creating or moving it). NotFound
  // when the version does not exist.
  virtual core::Status SetAlias(std::string_view model, std::string_view alias,
                                int64_t version) = 0;
  // NotFound when `model` has no such alias.
  virtual core::Status DeleteAlias(std::string_view model, std::string_view alias) = 0;
  // Alias → version for `model` (empty when it has none).
  virtual core::Result<std::map<std::string, int64_t>> ListAliases(std::string_view model) = 0;
  // Removes a version. NotFound when absent; FailedPrecondition naming the
  // alias when an alias points at it. The model disappears with its last
  // version (its version numbers are still never reused).
  virtual core::Status DeleteModelVersion(std::string_view model, int64_t version) = 0;
};

// The embedded store: `<data_dir>/modelhost.db`, created with its parent
// directory if absent, migrated to this build's schema. Errors as
// SqliteDatabase::Open, plus the directory's creation failing (naming it).
core::Result<std::unique_ptr<MetadataStore>> OpenSqliteMetadataStore(const std::string& data_dir);

}  // namespace modelhost::store

#endif  // MODELHOST_STORE_METADATA_STORE_H_

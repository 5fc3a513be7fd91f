// MetadataStore: the durable records of a modelhost server — today its API
// keys; datasets, jobs and model versions join as the service grows (issue 5).
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

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // Stores a new key. AlreadyExists when its id is taken.
  virtual core::Status InsertApiKey(const ApiKeyRecord& key) = 0;
  // Every key, in the order they were inserted.
  virtual core::Result<std::vector<ApiKeyRecord>> ListApiKeys() = 0;
  // Removes the key `id`. NotFound when there is none.
  virtual core::Status DeleteApiKey(std::string_view id) = 0;
};

// The embedded store: `<data_dir>/modelhost.db`, created with its parent
// directory if absent, migrated to this build's schema. Errors as
// SqliteDatabase::Open, plus the directory's creation failing (naming it).
core::Result<std::unique_ptr<MetadataStore>> OpenSqliteMetadataStore(const std::string& data_dir);

}  // namespace modelhost::store

#endif  // MODELHOST_STORE_METADATA_STORE_H_

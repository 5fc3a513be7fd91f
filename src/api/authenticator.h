// Authenticator: checks the `Authorization: Bearer <key>` of a request
// against the API keys of the MetadataStore, and creates and deletes keys.
//
// The keys are held in memory (id → hash and scopes), loaded once and kept in
// step by CreateKey/DeleteKey, so checking a request costs one SHA-256 and
// no database access. Only this process's own changes are seen: a second
// replica sharing a database would need a reload (a later issue).
//
// Thread-safety: every method may be called from any thread; Authorize takes
// a shared lock, CreateKey/DeleteKey an exclusive one.

#ifndef MODELHOST_API_AUTHENTICATOR_H_
#define MODELHOST_API_AUTHENTICATOR_H_

#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/access.h"
#include "core/result.h"
#include "core/sha256.h"
#include "store/metadata_store.h"

namespace modelhost::api {

class Authenticator {
 public:
  // Loads every key of `store`, which must outlive the Authenticator.
  // Errors: the store's; DataLoss for a stored key with a malformed hash or
  // an unknown scope (naming the key id).
  static core::Result<std::unique_ptr<Authenticator>> Load(store::MetadataStore* store);

  // Checks the value of an Authorization header for `required`. Returns the
  // key's id. Errors: Unauthenticated when the header is absent (empty), is
  // not "Bearer <key>", or names no valid key; PermissionDenied naming the
  // missing scope when the key lacks it. Messages never echo the key.
  core::Result<std::string> Authorize(std::string_view authorization, Scope required) const;

  struct CreatedKey {
    store::ApiKeyRecord record;
    std::string text;  // the key itself: shown once, never stored
  };
  // Creates, stores and activates a key. InvalidArgument for an empty scope
  // list or a name longer than 200 bytes; the store's errors.
  core::Result<CreatedKey> CreateKey(std::string name, const std::vector<Scope>& scopes);

  // Stores and activates a key whose text the caller generated (so that it
  // can be written somewhere safe first, as the first admin key is).
  core::Result<CreatedKey> AddKey(const std::string& id, const std::string& text, std::string name,
                                  const std::vector<Scope>& scopes);

  // Every stored key, oldest first (hashes included; callers show ids).
  core::Result<std::vector<store::ApiKeyRecord>> ListKeys() const;

  // Deletes and deactivates key `id`. NotFound when there is none;
  // FailedPrecondition when it is the last key holding the admin scope (the
  // server could no longer be managed).
  core::Status DeleteKey(std::string_view id);

  // Whether no key exists.
  bool empty() const;

 private:
  struct ActiveKey {
    core::Sha256Digest digest;
    std::vector<Scope> scopes;
  };
  explicit Authenticator(store::MetadataStore* store) : store_(store) {}

  store::MetadataStore* store_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, ActiveKey> keys_;  // by id
};

// On a server whose store has no key yet, creates an admin key and writes its
// text to `key_file` (mode 0600, atomically) before storing it, so that a
// crash in between leaves no key nobody can read. Returns whether a key was
// created. Errors: the file's and the store's.
core::Result<bool> EnsureAdminKey(Authenticator& authenticator, const std::string& key_file);

}  // namespace modelhost::api

#endif  // MODELHOST_API_AUTHENTICATOR_H_

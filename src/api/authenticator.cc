#include "api/authenticator.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <utility>

#include "api/api_key.h"
#include "core/atomic_file.h"
#include "core/utc_time.h"

namespace modelhost::api {
namespace {

constexpr size_t kMaxKeyNameBytes = 200;
constexpr std::string_view kBearer = "Bearer ";

core::Status Unauthenticated() {
  return core::Unauthenticated(
      "a valid API key is required: send the header 'Authorization: Bearer <key>'");
}

}  // namespace

core::Result<std::unique_ptr<Authenticator>> Authenticator::Load(store::MetadataStore* store) {
  std::unique_ptr<Authenticator> authenticator(new Authenticator(store));
  MODELHOST_ASSIGN_OR_RETURN(std::vector<store::ApiKeyRecord> records, store->ListApiKeys());
  for (const store::ApiKeyRecord& record : records) {
    ActiveKey key;
    core::Result<core::Sha256Digest> digest = core::DigestFromHex(record.secret_sha256);
    if (!digest.ok()) {
      return core::DataLoss("API key " + record.id + ": stored hash: " + digest.status().message());
    }
    key.digest = *digest;
    for (const std::string& name : record.scopes) {
      core::Result<Scope> scope = ParseScope(name);
      if (!scope.ok())
        return core::DataLoss("API key " + record.id + ": " + scope.status().message());
      key.scopes.push_back(*scope);
    }
    authenticator->keys_.emplace(record.id, std::move(key));
  }
  return authenticator;
}

core::Result<std::string> Authenticator::Authorize(std::string_view authorization,
                                                   Scope required) const {
  // RFC 7235: the scheme is case-insensitive.
  if (authorization.size() <= kBearer.size()) return Unauthenticated();
  for (size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kBearer[i]))) {
      return Unauthenticated();
    }
  }
  const std::string_view text = authorization.substr(kBearer.size());
  core::Result<std::string> id = ApiKeyId(text);
  if (!id.ok()) return Unauthenticated();
  const core::Sha256Digest digest = HashApiKey(text);
  std::shared_lock lock(mutex_);
  const auto found = keys_.find(*id);
  if (found == keys_.end() || !DigestsEqual(found->second.digest, digest)) {
    return Unauthenticated();
  }
  for (Scope scope : found->second.scopes) {
    if (Grants(scope, required)) return *id;
  }
  return core::PermissionDenied("API key " + *id + " lacks the '" +
                                std::string(ToString(required)) + "' scope");
}

core::Result<Authenticator::CreatedKey> Authenticator::CreateKey(std::string name,
                                                                 const std::vector<Scope>& scopes) {
  MODELHOST_ASSIGN_OR_RETURN(ApiKeyText key, GenerateApiKey());
  return AddKey(key.id, key.text, std::move(name), scopes);
}

core::Result<Authenticator::CreatedKey> Authenticator::AddKey(const std::string& id,
                                                              const std::string& text,
                                                              std::string name,
                                                              const std::vector<Scope>& scopes) {
  if (scopes.empty()) return core::InvalidArgument("an API key needs at least one scope");
  if (name.size() > kMaxKeyNameBytes) {
    return core::InvalidArgument("API key name is longer than " + std::to_string(kMaxKeyNameBytes) +
                                 " bytes");
  }
  CreatedKey created;
  created.text = text;
  created.record.id = id;
  created.record.name = std::move(name);
  const core::Sha256Digest digest = HashApiKey(text);
  created.record.secret_sha256 = core::DigestToHex(digest);
  for (Scope scope : scopes) created.record.scopes.emplace_back(ToString(scope));
  created.record.created_at = core::UtcNowRfc3339();
  std::unique_lock lock(mutex_);
  MODELHOST_RETURN_IF_ERROR(store_->InsertApiKey(created.record));
  keys_[id] = ActiveKey{digest, scopes};
  return created;
}

core::Result<std::vector<store::ApiKeyRecord>> Authenticator::ListKeys() const {
  return store_->ListApiKeys();
}

core::Status Authenticator::DeleteKey(std::string_view id) {
  std::unique_lock lock(mutex_);
  auto holds_admin = [](const auto& entry) {
    const std::vector<Scope>& scopes = entry.second.scopes;
    return std::find(scopes.begin(), scopes.end(), Scope::kAdmin) != scopes.end();
  };
  const auto target = keys_.find(std::string(id));
  if (target != keys_.end() && holds_admin(*target) &&
      std::count_if(keys_.begin(), keys_.end(), holds_admin) == 1) {
    return core::FailedPrecondition("key " + std::string(id) +
                                    " is the last admin key; create another admin key first");
  }
  MODELHOST_RETURN_IF_ERROR(store_->DeleteApiKey(id));
  keys_.erase(std::string(id));
  return core::OkStatus();
}

bool Authenticator::empty() const {
  std::shared_lock lock(mutex_);
  return keys_.empty();
}

core::Result<bool> EnsureAdminKey(Authenticator& authenticator, const std::string& key_file) {
  if (!authenticator.empty()) return false;
  MODELHOST_ASSIGN_OR_RETURN(ApiKeyText key, GenerateApiKey());
  MODELHOST_RETURN_IF_ERROR(
      core::WriteFileAtomically(key_file, key.text + "\n", core::AtomicFileOptions{.mode = 0600}));
  MODELHOST_RETURN_IF_ERROR(
      authenticator.AddKey(key.id, key.text, "admin (created at first start)", {Scope::kAdmin})
          .status());
  return true;
}

}  // namespace modelhost::api

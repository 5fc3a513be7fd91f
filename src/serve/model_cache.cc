#include "serve/model_cache.h"

#include <cassert>

#include "model/model_checksum.h"
#include "store/artifact_paths.h"

namespace modelhost::serve {

ModelCache::ModelCache(store::MetadataStore* store, std::string data_dir, size_t max_models)
    : store_(store), data_dir_(std::move(data_dir)), max_models_(max_models) {
  assert(max_models >= 1);
}

core::Result<int64_t> ModelCache::Resolve(std::string_view model, const VersionSelector& selector) {
  if (selector.version) return *selector.version;
  MODELHOST_ASSIGN_OR_RETURN(auto aliases, store_->ListAliases(model));
  if (selector.alias) {
    const auto found = aliases.find(*selector.alias);
    if (found == aliases.end()) {
      return core::NotFound("model '" + std::string(model) + "' has no alias '" + *selector.alias +
                            "'");
    }
    return found->second;
  }
  if (const auto production = aliases.find("production"); production != aliases.end()) {
    return production->second;
  }
  MODELHOST_ASSIGN_OR_RETURN(auto versions, store_->ListModelVersions(model));
  return versions.back().version;
}

core::Result<std::shared_ptr<LoadedModel>> ModelCache::Get(std::string_view model,
                                                           const VersionSelector& selector) {
  std::lock_guard lock(mutex_);
  MODELHOST_ASSIGN_OR_RETURN(int64_t version, Resolve(model, selector));
  const std::pair<std::string, int64_t> key(model, version);
  for (auto entry = loaded_.begin(); entry != loaded_.end(); ++entry) {
    if (entry->first == key) {
      loaded_.splice(loaded_.begin(), loaded_, entry);
      return loaded_.front().second;
    }
  }
  MODELHOST_ASSIGN_OR_RETURN(store::ModelVersionRecord record,
                             store_->GetModelVersion(model, version));
  const std::string path = store::ModelVersionPath(data_dir_, model, version);
  MODELHOST_RETURN_IF_ERROR(model::VerifyModelDirectory(path, record.bundle_sha256));
  core::Result<std::unique_ptr<model::ModelDirectory>> directory =
      model::ModelDirectory::Read(path);
  if (!directory.ok()) {
    return core::DataLoss("model '" + std::string(model) + "' version " + std::to_string(version) +
                          ": " + directory.status().message());
  }
  auto loaded =
      std::make_shared<LoadedModel>(LoadedModel{std::move(record), std::move(directory).value()});
  loaded_.emplace_front(key, loaded);
  if (loaded_.size() > max_models_) loaded_.pop_back();
  return loaded;
}

}  // namespace modelhost::serve

#include "serve/model_cache.h"

#include <cassert>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <vector>

#include "core/log.h"
#include "model/model_checksum.h"
#include "store/artifact_paths.h"

namespace modelhost::serve {
namespace {

// The bytes of the regular files directly in `directory` (a model directory
// is flat). Unreadable entries count 0: the checksum already vouched for them.
uint64_t DirectoryBytes(const std::string& directory) {
  uint64_t bytes = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    std::error_code size_error;
    if (!entry.is_regular_file(size_error)) continue;
    const uint64_t size = entry.file_size(size_error);
    if (!size_error) bytes += size;
  }
  return bytes;
}

}  // namespace

ModelCache::ModelCache(store::MetadataStore* store, std::string data_dir, ModelCacheOptions options)
    : store_(store),
      data_dir_(std::move(data_dir)),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : Clock::Steady()) {
  assert(options_.max_bytes >= 1 && options_.resolution_ttl_ms >= 0);
  if (options_.metrics != nullptr) {
    bytes_gauge_ = &options_.metrics
                        ->AddGauge("modelhost_model_cache_bytes",
                                   "Bytes charged by the model versions loaded now.")
                        .WithLabels({});
  }
}

ModelCache::~ModelCache() {
  std::list<Entry> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(loaded_);
    loaded_bytes_ = 0;
  }
  // `dropped` drains each version's batcher as it goes, outside the lock.
}

core::Result<const ModelCache::Resolution*> ModelCache::ReadResolution(
    std::string_view model, uint64_t generation, std::vector<Entry>* dropped) {
  Resolution fresh;
  fresh.generation = generation;
  // NotFound for an unknown model, which is therefore never kept (nor any of
  // its versions, when its last one was deleted).
  core::Result<std::vector<store::ModelVersionRecord>> versions = store_->ListModelVersions(model);
  if (versions.ok()) {
    for (const auto& record : *versions) fresh.versions.insert(record.version);
  } else if (versions.status().code() != core::StatusCode::kNotFound) {
    return versions.status();
  }
  // A deleted version serves no more; requests holding it still get answers.
  for (auto entry = loaded_.begin(); entry != loaded_.end();) {
    if ((*entry)->record().model == model && !fresh.versions.contains((*entry)->record().version)) {
      core::LogInfo("model version unloaded (deleted)",
                    {{"model", (*entry)->record().model}, {"version", (*entry)->record().version}});
      loaded_bytes_ -= (*entry)->bytes();
      dropped->push_back(std::move(*entry));
      entry = loaded_.erase(entry);
    } else {
      ++entry;
    }
  }
  if (bytes_gauge_ != nullptr) bytes_gauge_->Set(static_cast<double>(loaded_bytes_));
  if (!versions.ok()) {
    if (const auto kept = resolutions_.find(model); kept != resolutions_.end()) {
      resolutions_.erase(kept);
    }
    return versions.status();
  }
  MODELHOST_ASSIGN_OR_RETURN(fresh.aliases, store_->ListAliases(model));
  fresh.latest = versions->back().version;
  fresh.read_at = clock_.Now();
  return &resolutions_.insert_or_assign(std::string(model), std::move(fresh)).first->second;
}

core::Result<int64_t> ModelCache::Resolve(std::string_view model, const VersionSelector& selector,
                                          std::vector<Entry>* dropped) {
  auto cached = resolutions_.find(model);
  // This server's own registry writes (an upload, a job's registration, an
  // alias moved, a version deleted) show at once; the time to live bounds
  // other writers'.
  const uint64_t generation = store_->registry_generation();
  const bool stale = cached == resolutions_.end() || cached->second.generation != generation ||
                     clock_.Now() - cached->second.read_at >=
                         std::chrono::milliseconds(options_.resolution_ttl_ms);
  const Resolution* resolution = nullptr;
  if (stale) {
    MODELHOST_ASSIGN_OR_RETURN(resolution, ReadResolution(model, generation, dropped));
  } else {
    resolution = &cached->second;
  }
  if (selector.version) {
    if (!stale && !resolution->versions.contains(*selector.version)) {
      // Perhaps added by another process since the list was read.
      MODELHOST_ASSIGN_OR_RETURN(resolution, ReadResolution(model, generation, dropped));
    }
    if (!resolution->versions.contains(*selector.version)) {
      return core::NotFound("no model '" + std::string(model) + "' version " +
                            std::to_string(*selector.version));
    }
    return *selector.version;
  }
  if (selector.alias) {
    const auto found = resolution->aliases.find(*selector.alias);
    if (found == resolution->aliases.end()) {
      return core::NotFound("model '" + std::string(model) + "' has no alias '" + *selector.alias +
                            "'");
    }
    return found->second;
  }
  if (const auto production = resolution->aliases.find("production");
      production != resolution->aliases.end()) {
    return production->second;
  }
  return resolution->latest;
}

core::Result<ModelCache::Entry> ModelCache::Load(std::string_view model, int64_t version) {
  MODELHOST_ASSIGN_OR_RETURN(store::ModelVersionRecord record,
                             store_->GetModelVersion(model, version));
  const std::string path = store::ModelVersionPath(data_dir_, model, version);
  core::Status verified = model::VerifyModelDirectory(path, record.bundle_sha256);
  using Directory = std::unique_ptr<model::ModelDirectory>;
  core::Result<Directory> directory =
      verified.ok() ? model::ModelDirectory::Read(path) : core::Result<Directory>(verified);
  if (!directory.ok()) {
    // A version deleted since its record was read loses its files next: that
    // is NotFound, as the delete answered, not damage.
    if (core::Status still = store_->GetModelVersion(model, version).status();
        still.code() == core::StatusCode::kNotFound) {
      return still;
    }
    if (!verified.ok()) return verified;
    return core::DataLoss("model '" + std::string(model) + "' version " + std::to_string(version) +
                          ": " + directory.status().message());
  }
  return LoadedModel::Create(std::move(record), std::move(directory).value(), DirectoryBytes(path),
                             options_.batcher, options_.metrics, clock_);
}

core::Result<std::shared_ptr<LoadedModel>> ModelCache::Get(std::string_view model,
                                                           const VersionSelector& selector) {
  // Declared before the lock, so evicted versions drain after it is released.
  std::vector<Entry> evicted;
  std::lock_guard lock(mutex_);
  MODELHOST_ASSIGN_OR_RETURN(int64_t version, Resolve(model, selector, &evicted));
  for (auto entry = loaded_.begin(); entry != loaded_.end(); ++entry) {
    if ((*entry)->record().version == version && (*entry)->record().model == model) {
      loaded_.splice(loaded_.begin(), loaded_, entry);
      return loaded_.front();
    }
  }
  MODELHOST_ASSIGN_OR_RETURN(Entry loaded, Load(model, version));
  loaded_.push_front(loaded);
  loaded_bytes_ += loaded->bytes();
  while (loaded_bytes_ > options_.max_bytes && loaded_.size() > 1) {
    loaded_bytes_ -= loaded_.back()->bytes();
    core::LogInfo(
        "model version unloaded (cache full)",
        {{"model", loaded_.back()->record().model}, {"version", loaded_.back()->record().version}});
    evicted.push_back(std::move(loaded_.back()));
    loaded_.pop_back();
  }
  if (bytes_gauge_ != nullptr) bytes_gauge_->Set(static_cast<double>(loaded_bytes_));
  return loaded;
}

core::Status ModelCache::Preload() {
  MODELHOST_ASSIGN_OR_RETURN(std::vector<std::string> models, store_->ListModels());
  core::Status first_error;
  for (const std::string& model : models) {
    core::Result<Entry> loaded = Get(model, {});
    if (loaded.ok()) {
      core::LogInfo("model preloaded",
                    {{"model", model}, {"version", (*loaded)->record().version}});
      continue;
    }
    core::LogError("model failed to preload",
                   {{"model", model}, {"error", loaded.status().message()}});
    if (first_error.ok()) first_error = loaded.status();
  }
  return first_error;
}

uint64_t ModelCache::loaded_bytes() const {
  std::lock_guard lock(mutex_);
  return loaded_bytes_;
}

size_t ModelCache::loaded_count() const {
  std::lock_guard lock(mutex_);
  return loaded_.size();
}

}  // namespace modelhost::serve

// ModelCache: registered model versions loaded for inference (LoadedModel:
// network, fitted pipeline and its own batcher), resolved from a model name
// plus an optional version or alias, and kept in memory for the next request.
//
// Resolution: an explicit version; else an explicit alias; else the
// "production" alias when the model has one; else the latest version. A
// model's aliases and versions are read from the store at most once per
// resolution_ttl_ms and kept, so the hot path does no database query: an
// alias moved, or a version added or deleted, through this process's store
// shows at once (MetadataStore::registry_generation), and by another process
// sharing the database at most that long after (the bound TensorFlow
// Serving's version polling gives too). An explicit version must be among
// them: a deleted version stops serving (NotFound) and its loaded entry is
// dropped; one the kept list lacks is looked up again at once, so a version
// another process just added serves without waiting. Only models that
// exist are kept, so unknown names sent by clients cost no memory.
// Loading reads the version's directory (model::ModelDirectory::Read) and
// verifies its checksum against the registry first, so a file changed or
// damaged on disk is refused (DataLoss), never served — unless the version
// was deleted meanwhile (its files go after its record): then NotFound.
//
// Bounded by memory: each loaded version is charged the bytes of its files
// on disk (the weights dominate, and take as many bytes in memory as in
// safetensors). When a load takes the total above max_bytes, the least
// recently used versions are dropped until it fits — never the one just
// loaded, so a version larger than the whole budget still serves, alone.
// A dropped version stays alive while a request holds it, and its batcher
// answers every request it queued before it goes (loaded_model.h). So when
// an alias moves, requests already queued on the old version are answered by
// it and later ones go to the new one: none is dropped.
//
// Thread-safety: every method may be called from any thread. Loading happens
// under the cache's lock (models of this size load in milliseconds); the
// drain of a dropped version happens after the lock is released, on the
// thread whose call dropped it.

#ifndef MODELHOST_SERVE_MODEL_CACHE_H_
#define MODELHOST_SERVE_MODEL_CACHE_H_

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.h"
#include "core/result.h"
#include "serve/batcher_options.h"
#include "serve/clock.h"
#include "serve/loaded_model.h"
#include "store/metadata_store.h"

namespace modelhost::serve {

// Which version of a model a request means.
struct VersionSelector {
  std::optional<int64_t> version;
  std::optional<std::string> alias;
};

struct ModelCacheOptions {
  // The most bytes of loaded versions kept (see the header comment for what a
  // version is charged). Default 1 GiB. REQUIRES: >= 1.
  uint64_t max_bytes = uint64_t{1} << 30;
  // The batcher of every loaded version (its name is set per version).
  // max_batch_size 1 turns batching off: one forward pass per request.
  BatcherOptions batcher;
  // Where the per-version metrics go (loaded_model.h); null: not recorded.
  // Must outlive the cache.
  core::MetricsRegistry* metrics = nullptr;
  // How long a model's aliases and latest version are kept before they are
  // read again; 0: read on every request. Default 1000 (1 s). REQUIRES: >= 0.
  int64_t resolution_ttl_ms = 1000;
  // The time source of resolution_ttl_ms and of the batchers; must outlive
  // the cache. Null (the default): the steady clock.
  Clock* clock = nullptr;
};

class ModelCache {
 public:
  // `store` must outlive the cache. Invalid batcher options make every Get
  // fail with their InvalidArgument (validate them first with
  // ValidateBatcherOptions).
  ModelCache(store::MetadataStore* store, std::string data_dir, ModelCacheOptions options = {});
  // Drops every loaded version, draining their queues.
  ~ModelCache();
  ModelCache(const ModelCache&) = delete;
  ModelCache& operator=(const ModelCache&) = delete;

  // The loaded version `selector` picks of `model`, loading it when needed.
  // Errors: NotFound naming the model, version or alias; DataLoss when the
  // files fail their checksum or do not read; the batcher's when it cannot
  // start.
  core::Result<std::shared_ptr<LoadedModel>> Get(std::string_view model,
                                                 const VersionSelector& selector);

  // Loads the version every registered model serves without a selector
  // (production, else latest), in name order, as far as max_bytes allows.
  // A model that fails to load does not stop the others: the first error is
  // returned after all were tried, and each is logged.
  core::Status Preload();

  // Bytes charged by the versions loaded now, and how many they are.
  uint64_t loaded_bytes() const;
  size_t loaded_count() const;

 private:
  using Entry = std::shared_ptr<LoadedModel>;
  // What the store said of one model's aliases and versions, and when.
  struct Resolution {
    std::map<std::string, int64_t> aliases;
    std::set<int64_t> versions;
    int64_t latest = 0;
    Clock::TimePoint read_at;
    uint64_t generation = 0;  // the store's registry_generation() when read
  };

  // The version `selector` picks; versions of `model` no longer registered
  // leave loaded_ for `dropped`. REQUIRES: mutex_ held.
  core::Result<int64_t> Resolve(std::string_view model, const VersionSelector& selector,
                                std::vector<Entry>* dropped);
  // Reads `model`'s aliases and versions from the store into resolutions_.
  // REQUIRES: mutex_ held.
  core::Result<const Resolution*> ReadResolution(std::string_view model, uint64_t generation,
                                                 std::vector<Entry>* dropped);
  core::Result<Entry> Load(std::string_view model, int64_t version);

  store::MetadataStore* const store_;
  const std::string data_dir_;
  const ModelCacheOptions options_;
  Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, Resolution, std::less<>> resolutions_;  // GUARDED_BY(mutex_)
  std::list<Entry> loaded_;    // GUARDED_BY(mutex_); most recently used first
  uint64_t loaded_bytes_ = 0;  // GUARDED_BY(mutex_); sum of loaded_[*]->bytes()
  core::Gauge* bytes_gauge_ = nullptr;
};

}  // namespace modelhost::serve

#endif  // MODELHOST_SERVE_MODEL_CACHE_H_

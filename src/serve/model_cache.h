// ModelCache: registered model versions loaded for inference, resolved from a
// model name plus an optional version or alias, and kept in memory for the
// next request.
//
// Resolution: an explicit version; else an explicit alias; else the
// "production" alias when the model has one; else the latest version.
// Loading reads the version's directory (model::ModelDirectory::Read) and
// verifies its checksum against the registry first, so a file changed or
// damaged on disk is refused (DataLoss), never served.
//
// At most `max_models` versions stay loaded; the least recently used one is
// dropped first (requests holding it keep it alive until they finish). An
// alias is resolved on every call, so moving it takes effect on the next
// request without dropping any in flight.
//
// Thread-safety: Get may be called from any thread. Loading happens under
// the cache's lock (models of this size load in milliseconds).

#ifndef MODELHOST_SERVE_MODEL_CACHE_H_
#define MODELHOST_SERVE_MODEL_CACHE_H_

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"
#include "model/model_directory.h"
#include "store/metadata_store.h"

namespace modelhost::serve {

struct LoadedModel {
  store::ModelVersionRecord record;
  std::unique_ptr<model::ModelDirectory> directory;
};

// Which version of a model a request means.
struct VersionSelector {
  std::optional<int64_t> version;
  std::optional<std::string> alias;
};

class ModelCache {
 public:
  // `store` must outlive the cache. REQUIRES: max_models >= 1.
  ModelCache(store::MetadataStore* store, std::string data_dir, size_t max_models = 16);

  // The loaded version `selector` picks of `model`. Errors: NotFound naming
  // the model, version or alias; DataLoss when the files fail their checksum
  // or do not read.
  core::Result<std::shared_ptr<LoadedModel>> Get(std::string_view model,
                                                 const VersionSelector& selector);

 private:
  core::Result<int64_t> Resolve(std::string_view model, const VersionSelector& selector);

  store::MetadataStore* store_;
  const std::string data_dir_;
  const size_t max_models_;
  std::mutex mutex_;
  // Most recently used first.
  std::list<std::pair<std::pair<std::string, int64_t>, std::shared_ptr<LoadedModel>>> loaded_;
};

}  // namespace modelhost::serve

#endif  // MODELHOST_SERVE_MODEL_CACHE_H_

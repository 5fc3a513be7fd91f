// Where artifacts live under a server's data directory (DESIGN.md, "Formats
// that outlive a process"):
//   <data_dir>/modelhost.db                      metadata (metadata_store.h)
//   <data_dir>/models/<name>/<version>/          one registered model version
//                                                (a model directory: model.json,
//                                                network.json, weights.safetensors,
//                                                pipeline.json when it has one)
//   <data_dir>/datasets/<id>/                    one dataset
// Names are validated (resource_name.h) before they reach a path.
//
// Thread-safety: pure functions.

#ifndef MODELHOST_STORE_ARTIFACT_PATHS_H_
#define MODELHOST_STORE_ARTIFACT_PATHS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace modelhost::store {

// <data_dir>/models/<model>
std::string ModelPath(std::string_view data_dir, std::string_view model);
// <data_dir>/models/<model>/<version>
std::string ModelVersionPath(std::string_view data_dir, std::string_view model, int64_t version);
// <data_dir>/datasets/<id>
std::string DatasetPath(std::string_view data_dir, std::string_view id);

}  // namespace modelhost::store

#endif  // MODELHOST_STORE_ARTIFACT_PATHS_H_

// Where artifacts live under a server's data directory (DESIGN.md, "Formats
// that outlive a process"):
//   <data_dir>/modelhost.db                      metadata (metadata_store.h)
//   <data_dir>/modelhost.lock                    held by the server using the
//                                                directory (data_dir_lock.h)
//   <data_dir>/models/<name>/<version>/          one registered model version
//                                                (a model directory: model.json,
//                                                network.json, weights.safetensors,
//                                                pipeline.json when it has one)
//   <data_dir>/datasets/<id>/data.mhd            one dataset (data/dataset_format.h)
//   <data_dir>/uploads/                          request bodies being received,
//                                                swept at start
//   <data_dir>/tmp/                              staging of model versions being
//                                                registered (bundle uploads,
//                                                training), swept at start
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
// <data_dir>/datasets/<id>/data.mhd
std::string DatasetFilePath(std::string_view data_dir, std::string_view id);
// <data_dir>/uploads
std::string UploadsPath(std::string_view data_dir);
// <data_dir>/tmp
std::string TmpPath(std::string_view data_dir);
// <data_dir>/modelhost.lock
std::string LockFilePath(std::string_view data_dir);

}  // namespace modelhost::store

#endif  // MODELHOST_STORE_ARTIFACT_PATHS_H_

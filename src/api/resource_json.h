// How the API shows stored records as JSON: datasets and jobs, shared by
// the routes that answer with them. Included only by api/*.cc files.
//
// Thread-safety: pure functions.

#ifndef MODELHOST_API_RESOURCE_JSON_H_
#define MODELHOST_API_RESOURCE_JSON_H_

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "store/metadata_store.h"

namespace modelhost::api {

// {"id", "name", "created_at", "rows", "bytes", "sha256", "schema",
// "lineage"[, "profile"]}: the stored JSON texts parsed (null if corrupt).
nlohmann::json DatasetJson(const store::DatasetRecord& record, bool with_profile);

// {"id", "state", "dataset_id", "created_at", "started_at", "finished_at",
// "error", "spec"} (empty times and error as null), then the fields of the
// job's result_json that do not clash with those.
nlohmann::json JobJson(const store::JobRecord& job);

// `value` as compact text; invalid UTF-8 in strings is replaced, never thrown.
std::string DumpJson(const nlohmann::json& value);

}  // namespace modelhost::api

#endif  // MODELHOST_API_RESOURCE_JSON_H_

// The model registry routes (issue 5, step 4):
//
//   GET    /v1/models                            read   {"models": [{name, latest_version,
//   aliases}]} GET    /v1/models/{name}                     read   {name, latest_version, aliases,
//   versions} GET    /v1/models/{name}/versions            read   {"versions": [version, …]} GET
//   /v1/models/{name}/versions/{version}  read   version POST   /v1/models/{name}/versions write
//   body: a bundle .tar → 201 version GET    /v1/models/{name}/versions/{version}/bundle  read  the
//   bundle .tar PUT    /v1/models/{name}/aliases/{alias}     write  {"version": N} → {model, alias,
//   version} DELETE /v1/models/{name}/aliases/{alias}     write  204 DELETE
//   /v1/models/{name}/versions/{version}  write  204; 409 while an alias points at it
//
// An upload is an upload route (Router::AddUpload): its body is streamed to a
// file, never held in memory, then unpacked block by block into
// <data_dir>/tmp, validated in full and only then registered
// (jobs/model_registration.h); a bad bundle is 400 naming the entry or file
// at fault and leaves nothing behind. Uploads and bundle downloads run on
// `workers` (429 when their queue is full); the other routes are quick store
// reads and writes.
// A version is {"model", "version", "created_at", "bundle_sha256", "aliases": [...],
// "summary": {target, features, pipeline, loss, metrics, lineage}} (model/model_summary.h).
// Unknown models, versions and aliases are 404 naming them; a version that is
// not a positive integer is 400.
//
// Thread-safety: AddModelRoutes is called while building a Router; the
// handlers run on any thread (the store is thread-safe).

#ifndef MODELHOST_API_MODEL_ROUTES_H_
#define MODELHOST_API_MODEL_ROUTES_H_

#include <string>

#include "api/router.h"
#include "core/thread_pool.h"
#include "store/metadata_store.h"

namespace modelhost::api {

// `store` and `workers` must outlive the server; `data_dir` holds the
// versions' files.
void AddModelRoutes(Router& router, store::MetadataStore* store, std::string data_dir,
                    core::ThreadPool* workers);

}  // namespace modelhost::api

#endif  // MODELHOST_API_MODEL_ROUTES_H_

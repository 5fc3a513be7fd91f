// The API-key routes, all requiring the admin scope:
//
//   POST   /v1/keys       {"name": "ci", "scopes": ["predict"]}
//                         → 201 {"id", "name", "scopes", "created_at", "key"}
//                         (the key text appears in this answer only)
//   GET    /v1/keys       → 200 {"keys": [{"id", "name", "scopes", "created_at"}, …]}
//   DELETE /v1/keys/{id}  → 204; 404 for an unknown id; 409 when it is the
//                         last key holding the admin scope (the server would
//                         become unmanageable)
//
// Thread-safety: AddKeyRoutes is called while building a Router; the handlers
// run on any I/O thread (the Authenticator is thread-safe).

#ifndef MODELHOST_API_KEY_ROUTES_H_
#define MODELHOST_API_KEY_ROUTES_H_

#include "api/authenticator.h"
#include "api/router.h"

namespace modelhost::api {

// `authenticator` must outlive the server.
void AddKeyRoutes(Router& router, Authenticator* authenticator);

}  // namespace modelhost::api

#endif  // MODELHOST_API_KEY_ROUTES_H_

// GET /openapi.json: the OpenAPI 3.1 document of every route
// (src/api/openapi.json, openapi_document.h), public like the health probes so
// that clients and tools can discover the API before they hold a key.
//
// The document is the contract, and this is where it is enforced: every
// operation names the scope its route needs ("x-modelhost-scope": read,
// predict, write, admin or public), and AddOpenApiRoute refuses a router that
// does not serve exactly the documented operations with exactly those
// scopes. `modelhost serve` calls it after adding every other route, so a
// route added without its documentation (or documentation left behind by a
// removed route) stops the server from starting, and with it every
// integration test.
//
// Operations marked "x-modelhost-auth-only" (the API-key routes) exist only
// when the server authenticates; without authentication they, and the
// document's bearer requirement, are left out of the check and of the
// document served.
//
// Thread-safety: AddOpenApiRoute is called while building a Router; its
// handler runs on any I/O thread (it only reads a string built beforehand).

#ifndef MODELHOST_API_OPENAPI_ROUTES_H_
#define MODELHOST_API_OPENAPI_ROUTES_H_

#include <string>

#include "api/router.h"
#include "core/result.h"
#include "core/status.h"

namespace modelhost::api {

struct OpenApiOptions {
  // Whether the server requires API keys (serve --auth).
  bool auth = true;
};

// OK when `router` serves exactly the operations of the document that apply
// under `options`, each with the scope it documents; else FailedPrecondition
// naming every route without documentation, every documented operation
// without a route, and every scope that differs.
core::Status CheckDocumented(const Router& router, OpenApiOptions options);

// The document as served under `options`: OpenApiDocumentText() itself with
// authentication; without it, the same less the auth-only operations and the
// top-level bearer requirement.
core::Result<std::string> ServedOpenApiDocument(OpenApiOptions options);

// Adds GET /openapi.json (public), then checks the whole router
// (CheckDocumented). A failure is returned for the caller to refuse to start.
core::Status AddOpenApiRoute(Router& router, OpenApiOptions options);

}  // namespace modelhost::api

#endif  // MODELHOST_API_OPENAPI_ROUTES_H_

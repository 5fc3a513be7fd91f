// The OpenAPI 3.1 document of the HTTP API: src/api/openapi.json, compiled
// into the binary at build time (src/api/openapi_embed.cmake). It describes
// every route the server adds, with the scope each needs
// ("x-modelhost-scope"); AddOpenApiRoute (openapi_routes.h) checks the two
// against each other at start, so a route cannot go undocumented.
//
// Thread-safety: the text is a constant.

#ifndef MODELHOST_API_OPENAPI_DOCUMENT_H_
#define MODELHOST_API_OPENAPI_DOCUMENT_H_

#include <string_view>

namespace modelhost::api {

// The document's JSON text, byte for byte as in src/api/openapi.json.
std::string_view OpenApiDocumentText();

}  // namespace modelhost::api

#endif  // MODELHOST_API_OPENAPI_DOCUMENT_H_

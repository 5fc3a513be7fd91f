// The web console: a few static files the browser runs against the API.
//
//   GET /                  the console's page (console/index.html)    public
//   GET /console/{asset}   its scripts, styles and Chart.js           public
//
// Public because the files hold no data: the page asks for an API key and
// sends it with every API call it makes (console/api.js). Each answer has
// its content type, a strong ETag with "Cache-Control: no-cache" (the browser
// revalidates and gets 304 while the binary is unchanged), "nosniff", and a
// Content-Security-Policy that allows scripts, styles and connections only
// from this origin (no inline script or style). An unknown asset is 404 with
// the JSON error body.
//
// Thread-safety: AddConsoleRoutes is called while building a Router; the
// handlers only read constants and run on any I/O thread.

#ifndef MODELHOST_API_CONSOLE_ROUTES_H_
#define MODELHOST_API_CONSOLE_ROUTES_H_

#include <string_view>

#include "api/router.h"

namespace modelhost::api {

// The Content-Security-Policy of every console answer.
inline constexpr std::string_view kConsoleContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

// Adds the two routes above to `router`.
void AddConsoleRoutes(Router& router);

}  // namespace modelhost::api

#endif  // MODELHOST_API_CONSOLE_ROUTES_H_

// The web console's files — src/api/console/* and Debian's Chart.js
// (served as "chart.js") — compiled into the binary at build time by
// src/api/console_embed.cmake, so the server needs no files beside itself.
//
// Thread-safety: constants.

#ifndef MODELHOST_API_CONSOLE_ASSETS_H_
#define MODELHOST_API_CONSOLE_ASSETS_H_

#include <span>
#include <string_view>

namespace modelhost::api {

struct ConsoleAsset {
  // The file name, as in the URL /console/{name} ("app.js").
  std::string_view name;
  // By extension: text/html, text/css, text/javascript (UTF-8), image/svg+xml.
  std::string_view content_type;
  std::string_view body;
  // A strong ETag, quotes included: the first 128 bits of the body's SHA-256.
  std::string_view etag;
};

// Every asset, in no particular order.
std::span<const ConsoleAsset> ConsoleAssets();

}  // namespace modelhost::api

#endif  // MODELHOST_API_CONSOLE_ASSETS_H_

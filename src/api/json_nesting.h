// The nesting limit of JSON request bodies. Every in-memory request body is
// checked against it before its handler runs (http_connection_head.cc), so
// that no handler, and no module below api/, ever walks or dumps a document
// deep enough to exhaust the stack: nlohmann::json parses iteratively but
// dumps and compares recursively, and so do the walks of request documents.
// Nothing legitimate comes close: the deepest documents the API takes (a
// pipeline spec, a nested KServe tensor) nest fewer than ten levels.
//
// Thread-safety: pure functions.

#ifndef MODELHOST_API_JSON_NESTING_H_
#define MODELHOST_API_JSON_NESTING_H_

#include <string_view>

#include "core/status.h"

namespace modelhost::api {

// The most arrays and objects one request body may nest.
inline constexpr int kMaxJsonNesting = 64;

// InvalidArgument naming the limit and the byte offset where `text` opens an
// array or object deeper than `max_depth`; OK otherwise. A byte scan, not a
// parse: brackets inside strings (escaped quotes included) do not count, and
// text that is not JSON at all passes unless it nests too deep, so the
// handler still reports its own syntax errors.
core::Status CheckJsonNesting(std::string_view text, int max_depth = kMaxJsonNesting);

}  // namespace modelhost::api

#endif  // MODELHOST_API_JSON_NESTING_H_

// API key text: "mh_<id>_<secret>", where id is 16 lower-case hex digits (64
// random bits, public: it names the key in listings and logs) and secret is
// 43 base64url characters (256 random bits). The server stores only the
// SHA-256 of the whole text; a presented key is looked up by its id and its
// hash compared in constant time.
//
// Thread-safety: pure functions; GenerateApiKey reads the kernel's random
// source (getrandom), which is thread-safe.

#ifndef MODELHOST_API_API_KEY_H_
#define MODELHOST_API_API_KEY_H_

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/sha256.h"

namespace modelhost::api {

struct ApiKeyText {
  std::string id;    // the public part
  std::string text;  // the whole key, shown to its creator once
};

// A fresh key. Errors: Internal if the kernel's random source fails.
core::Result<ApiKeyText> GenerateApiKey();

// The id of a well-formed key text; Unauthenticated ("malformed API key")
// for anything else — the message never echoes the text.
core::Result<std::string> ApiKeyId(std::string_view text);

// SHA-256 of the key text.
core::Sha256Digest HashApiKey(std::string_view text);

// Whether two digests are equal, in time independent of where they differ.
bool DigestsEqual(const core::Sha256Digest& a, const core::Sha256Digest& b);

}  // namespace modelhost::api

#endif  // MODELHOST_API_API_KEY_H_

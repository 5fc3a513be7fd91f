// RandomId: identifiers for things a server creates (datasets, jobs): a
// prefix and 16 random hex digits, e.g. "ds_3f9c0a1b7d2e4c68". 64 random bits
// make a collision among the ids one server ever creates negligible; the
// store still refuses a duplicate (AlreadyExists).
//
// Not for secrets (API keys use OpenSSL's generator).
//
// Thread-safety: may be called from any thread.

#ifndef MODELHOST_CORE_RANDOM_ID_H_
#define MODELHOST_CORE_RANDOM_ID_H_

#include <string>
#include <string_view>

namespace modelhost::core {

// `prefix` followed by 16 lower-case hex digits.
std::string RandomId(std::string_view prefix);

}  // namespace modelhost::core

#endif  // MODELHOST_CORE_RANDOM_ID_H_

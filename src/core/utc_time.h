// The current time as records store it: UTC, RFC 3339, whole seconds
// ("2026-01-02T03:04:05Z"), which sorts as text in time order.
//
// Thread-safety: reentrant (gmtime_r).

#ifndef MODELHOST_CORE_UTC_TIME_H_
#define MODELHOST_CORE_UTC_TIME_H_

#include <string>

namespace modelhost::core {

std::string UtcNowRfc3339();

}  // namespace modelhost::core

#endif  // MODELHOST_CORE_UTC_TIME_H_

// Request ids: the id that names one HTTP request in logs, error reports and
// the X-Request-Id response header. A client's own id is kept when it is sane
// (1–64 characters of [A-Za-z0-9._-]); otherwise the server generates one.
//
// Thread-safety: IsValidRequestId is a pure function; a RequestIdGenerator is
// used by one thread (each I/O thread owns one).

#ifndef MODELHOST_API_REQUEST_ID_H_
#define MODELHOST_API_REQUEST_ID_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace modelhost::api {

inline constexpr size_t kMaxRequestIdLength = 64;

// True when `id` is 1–64 characters of [A-Za-z0-9._-].
bool IsValidRequestId(std::string_view id);

class RequestIdGenerator {
 public:
  // Seeds from std::random_device, so ids differ across threads and processes.
  RequestIdGenerator();
  // Writes the next id, 16 lowercase hex digits, into `out`. Ids from one
  // generator never repeat (a bijective mix of a counter). Allocation-free
  // when `out` has capacity.
  void Next(std::string* out);

 private:
  uint64_t seed_;
  uint64_t counter_ = 0;
};

}  // namespace modelhost::api

#endif  // MODELHOST_API_REQUEST_ID_H_

// Status: the outcome of a fallible operation — OK, or an error code with a
// message that names what was wrong and where (file, line, field, layer).
//
// Every fallible function in modelhost returns a Status or a Result<T>
// (core/result.h); exceptions thrown by libraries are caught where the
// library is wrapped and turned into one of these. The codes mirror the
// canonical gRPC/absl codes the rest of the industry maps to HTTP.
//
// Thread-safety: a Status is a value type; distinct objects may be used from
// different threads, a single object needs external synchronization for writes.

#ifndef MODELHOST_CORE_STATUS_H_
#define MODELHOST_CORE_STATUS_H_

#include <memory>
#include <string>
#include <string_view>

namespace modelhost::core {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller sent something malformed (400)
  kNotFound,            // the named thing does not exist (404)
  kAlreadyExists,       // creating something that exists (409)
  kFailedPrecondition,  // the system is not in a state that allows this (409)
  kUnauthenticated,     // no or bad credentials (401)
  kPermissionDenied,    // credentials lack a scope (403)
  kResourceExhausted,   // a quota, queue or size limit was hit (429 / 413)
  kUnavailable,         // transient: try again later (503)
  kDataLoss,            // stored data is corrupt or truncated (500)
  kInternal,            // a bug or an unexpected library failure (500)
};

// The stable snake_case name of a code ("invalid_argument"), used in logs and
// in the "code" field of API error bodies.
std::string_view ToString(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status. Cheap: holds no allocation.
  Status() = default;
  // REQUIRES: code != kOk (use the default constructor for OK).
  Status(StatusCode code, std::string message);

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  // Empty for OK.
  const std::string& message() const;

  // Returns a copy whose message is "<context>: <message>", for adding the
  // place an error passed through ("dataset pima: line 12: ..."). OK stays OK.
  Status WithContext(std::string_view context) const;

  // "ok", or "<code>: <message>".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.message() == b.message();
  }

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  // Null when OK, so the success path costs one pointer.
  std::unique_ptr<State> state_;
};

inline Status OkStatus() { return Status(); }
Status InvalidArgument(std::string message);
Status NotFound(std::string message);
Status AlreadyExists(std::string message);
Status FailedPrecondition(std::string message);
Status Unauthenticated(std::string message);
Status PermissionDenied(std::string message);
Status ResourceExhausted(std::string message);
Status Unavailable(std::string message);
Status DataLoss(std::string message);
Status Internal(std::string message);

}  // namespace modelhost::core

// Evaluates `expr` (a Status); returns it from the enclosing function if not OK.
#define MODELHOST_RETURN_IF_ERROR(expr)                    \
  do {                                                     \
    ::modelhost::core::Status modelhost_status_ = (expr);  \
    if (!modelhost_status_.ok()) return modelhost_status_; \
  } while (false)

#endif  // MODELHOST_CORE_STATUS_H_

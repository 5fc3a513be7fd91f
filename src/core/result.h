// Result<T>: either a value of type T or a non-OK Status explaining why there
// is none. A Result never holds an OK status without a value: constructing one
// from an OK Status is a programming error and becomes an Internal error.
//
// Thread-safety: a value type, like Status.

#ifndef MODELHOST_CORE_RESULT_H_
#define MODELHOST_CORE_RESULT_H_

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/status.h"

namespace modelhost::core {

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "Result<Status> is meaningless");

 public:
  // Implicit on purpose, so `return value;` and `return NotFound(...);` both read naturally.
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}        // NOLINT
  Result(Status status) : state_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    if (std::get<1>(state_).ok()) {
      assert(false && "Result constructed from an OK Status");
      state_.template emplace<1>(Internal("Result constructed from an OK Status without a value"));
    }
  }

  bool ok() const { return state_.index() == 0; }

  // OK when a value is held, else the error.
  Status status() const { return ok() ? Status() : std::get<1>(state_); }

  // REQUIRES: ok().
  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace modelhost::core

#define MODELHOST_CONCAT_INNER_(a, b) a##b
#define MODELHOST_CONCAT_(a, b) MODELHOST_CONCAT_INNER_(a, b)

// MODELHOST_ASSIGN_OR_RETURN(auto table, ReadCsv(path));
// Evaluates `expr` (a Result<T>); on error returns its Status from the
// enclosing function, else moves the value into `lhs`.
#define MODELHOST_ASSIGN_OR_RETURN(lhs, expr) \
  MODELHOST_ASSIGN_OR_RETURN_IMPL_(MODELHOST_CONCAT_(modelhost_result_, __LINE__), lhs, expr)
#define MODELHOST_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  if (!tmp.ok()) return tmp.status();                    \
  lhs = std::move(tmp).value()

#endif  // MODELHOST_CORE_RESULT_H_

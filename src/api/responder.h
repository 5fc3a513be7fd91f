// Responder: the one-shot callback through which a handler answers its
// request, now or later, from any thread. It is move-only and must be used
// exactly once; the response is handed to the connection's I/O thread (run
// inline when the handler is already on it, else posted). A Responder
// destroyed without answering answers 500 internal for the handler, so a
// request can never hang because a code path forgot to respond.
//
// Thread-safety: a Responder is used by one thread at a time; it may be moved
// to, and used from, any thread, also after the server shut down (the answer is
// then dropped).

#ifndef MODELHOST_API_RESPONDER_H_
#define MODELHOST_API_RESPONDER_H_

#include <memory>

#include "api/http_response.h"
#include "core/status.h"

namespace modelhost::api {

// Where a Responder delivers. Implemented by the server's connections; tests
// may implement it to call handlers without a server.
class ResponseTarget {
 public:
  virtual ~ResponseTarget() = default;
  // Takes the response for the request this target belongs to. `abandoned` is
  // true when the Responder was destroyed unanswered (`response` is then a
  // 500). Called at most once per Responder, from whichever thread holds it;
  // must be thread-safe and must not block.
  virtual void Deliver(HttpResponse response, bool abandoned) = 0;
};

class Responder {
 public:
  // An empty Responder (answers nothing).
  Responder() = default;
  explicit Responder(std::shared_ptr<ResponseTarget> target) : target_(std::move(target)) {}
  Responder(Responder&& other) noexcept = default;
  // Answers 500 for the request this Responder held, if it was unanswered.
  Responder& operator=(Responder&& other) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  // If still unanswered, delivers 500 {"error":{"code":"internal",...}}.
  ~Responder();

  // Sends `response`. Never blocks. REQUIRES: not used before (a second call
  // is a programming error: asserts in debug builds, ignored otherwise).
  void Respond(HttpResponse response);
  // Sends the error mapping of `status` (see HttpResponse::Error).
  // REQUIRES: !status.ok(), not used before.
  void RespondError(const core::Status& status) { Respond(HttpResponse::Error(status)); }

  // True until Respond is called (or the Responder is moved from).
  explicit operator bool() const { return target_ != nullptr; }

 private:
  void Abandon();

  std::shared_ptr<ResponseTarget> target_;
};

}  // namespace modelhost::api

#endif  // MODELHOST_API_RESPONDER_H_

#include "api/responder.h"

#include <cassert>
#include <utility>

namespace modelhost::api {

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    Abandon();
    target_ = std::move(other.target_);
  }
  return *this;
}

Responder::~Responder() { Abandon(); }

void Responder::Respond(HttpResponse response) {
  assert(target_ != nullptr && "Responder used twice or after a move");
  if (target_ == nullptr) return;
  // Reset before delivering: the target may start the next request inline.
  std::shared_ptr<ResponseTarget> target = std::move(target_);
  target->Deliver(std::move(response), /*abandoned=*/false);
}

void Responder::Abandon() {
  if (target_ == nullptr) return;
  std::shared_ptr<ResponseTarget> target = std::move(target_);
  target->Deliver(HttpResponse::Error(core::Internal("the handler finished without a response")),
                  /*abandoned=*/true);
}

}  // namespace modelhost::api

#include "api/event_stream.h"

#include <utility>

namespace modelhost::api {

std::shared_ptr<EventStream> EventStream::Create() {
  // The constructor is private so that streams are always shared (the
  // connection and the producer both hold one).
  return std::shared_ptr<EventStream>(new EventStream());  // NOLINT: private constructor
}

bool EventStream::Send(std::string_view event, std::string_view data) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mu_);
    if (closed_ || gone_) return false;
    bool was_empty = pending_.empty();
    if (!event.empty()) pending_.append("event: ").append(event).push_back('\n');
    while (true) {
      size_t newline = data.find('\n');
      pending_.append("data: ").append(data.substr(0, newline)).push_back('\n');
      if (newline == std::string_view::npos) break;
      data.remove_prefix(newline + 1);
    }
    pending_.push_back('\n');
    // Only the first event after a drain needs a wake-up; later ones ride along.
    if (was_empty) wake = wake_;
  }
  if (wake) wake();
  return true;
}

bool EventStream::Write(std::string_view bytes) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mu_);
    if (closed_ || gone_) return false;
    if (pending_.empty()) wake = wake_;
    pending_.append(bytes);
  }
  if (wake) wake();
  return true;
}

void EventStream::Close() { End(/*abort=*/false); }

void EventStream::Abort() { End(/*abort=*/true); }

void EventStream::End(bool abort) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    aborted_ = abort;
    wake = wake_;
  }
  if (wake) wake();
}

bool EventStream::aborted() const {
  std::lock_guard lock(mu_);
  return aborted_;
}

bool EventStream::client_gone() const {
  std::lock_guard lock(mu_);
  return gone_;
}

size_t EventStream::pending_bytes() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

void EventStream::Attach(std::function<void()> wake) {
  bool ready;
  {
    std::lock_guard lock(mu_);
    wake_ = wake;
    ready = closed_ || !pending_.empty();
  }
  if (ready && wake) wake();
}

bool EventStream::TakePending(std::string* out) {
  std::lock_guard lock(mu_);
  out->swap(pending_);
  pending_.clear();
  return closed_;
}

void EventStream::MarkClientGone(bool abort_if_open) {
  std::lock_guard lock(mu_);
  gone_ = true;
  if (!closed_ && abort_if_open) aborted_ = true;
  closed_ = true;
  wake_ = nullptr;
}

}  // namespace modelhost::api

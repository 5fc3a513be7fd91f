// The non-template parts of serve/dynamic_batcher.h.
#include "serve/dynamic_batcher.h"

#include <pthread.h>

#include <string>
#include <system_error>

#include "core/log.h"

namespace modelhost::serve::batcher_internal {

core::Result<std::thread> StartWorkerThread(const std::string& name, std::function<void()> body) {
  std::thread thread;
  try {
    thread = std::thread(std::move(body));
  } catch (const std::system_error& e) {
    return core::ResourceExhausted("batcher '" + name +
                                   "': starting its worker thread: " + e.what());
  }
  // Linux keeps 15 characters of a thread name; a failure here is cosmetic.
  const std::string thread_name = name.substr(0, 15);
  pthread_setname_np(thread.native_handle(), thread_name.c_str());
  return thread;
}

void LogEscapedException(const std::string& batcher, std::string_view what,
                         std::string_view message) {
  core::LogError("exception escaped batcher user code",
                 {{"batcher", batcher}, {"in", what}, {"what", message}});
}

core::Status QueueFull(const std::string& batcher, size_t waiting) {
  return core::ResourceExhausted("batcher '" + batcher +
                                 "': queue full: " + std::to_string(waiting) + " requests waiting");
}

core::Status ShuttingDown(const std::string& batcher) {
  return core::Unavailable("batcher '" + batcher + "' is shutting down");
}

core::Status WrongResultCount(const std::string& batcher, size_t results, size_t requests) {
  return core::Internal("batcher '" + batcher + "': RunBatch returned " + std::to_string(results) +
                        " results for " + std::to_string(requests) + " requests");
}

}  // namespace modelhost::serve::batcher_internal

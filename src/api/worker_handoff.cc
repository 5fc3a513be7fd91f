#include "api/worker_handoff.h"

#include <memory>
#include <string>
#include <utility>

namespace modelhost::api {

void RespondOnWorker(core::ThreadPool* workers, Responder responder,
                     std::function<void(Responder&)> work) {
  auto shared = std::make_shared<Responder>(std::move(responder));
  core::Status queued = workers->Submit([shared, work = std::move(work)] { work(*shared); });
  if (!queued.ok()) {
    shared->RespondError(
        core::ResourceExhausted("the server is busy with other dataset work; retry later (" +
                                std::string(queued.message()) + ")"));
  }
}

}  // namespace modelhost::api

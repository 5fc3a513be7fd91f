#include "api/worker_handoff.h"

#include <memory>
#include <string>
#include <utility>

#include "api/http_response.h"

namespace modelhost::api {

void RespondOnWorker(core::ThreadPool* workers, Responder responder,
                     std::function<void(Responder&)> work) {
  auto shared = std::make_shared<Responder>(std::move(responder));
  core::Status queued = workers->Submit([shared, work = std::move(work)] { work(*shared); });
  if (!queued.ok()) {
    HttpResponse busy = HttpResponse::Error(core::ResourceExhausted(
        "the server is busy with other dataset and model work; retry later (" +
        std::string(queued.message()) + ")"));
    busy.headers.emplace_back("Retry-After", "1");
    shared->Respond(std::move(busy));
  }
}

}  // namespace modelhost::api

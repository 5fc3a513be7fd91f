#include "api/prediction_handoff.h"

#include <memory>
#include <utility>

namespace modelhost::api {

void HandOffPrediction(serve::LoadedModel& model, nn::Matrix features, Responder responder,
                       PredictionAnswer answer) {
  // Shared between the queued callback and this frame: a refused Predict
  // drops its callback, and the refusal must still be answered from here.
  struct Pending {
    Responder responder;
    PredictionAnswer answer;
  };
  auto pending = std::make_shared<Pending>(Pending{std::move(responder), std::move(answer)});
  core::Status queued =
      model.Predict(std::move(features), [pending](core::Result<nn::Matrix> outputs) {
        pending->responder.Respond(pending->answer(std::move(outputs)));
      });
  if (!queued.ok()) {
    // A full queue (429) or a model that is stopping (503) clears within
    // moments: clients that honour Retry-After (RFC 9110) wait this long.
    HttpResponse refused = pending->answer(queued);
    refused.headers.emplace_back("Retry-After", "1");
    pending->responder.Respond(std::move(refused));
  }
}

}  // namespace modelhost::api

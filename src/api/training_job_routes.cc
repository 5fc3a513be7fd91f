#include "api/training_job_routes.h"

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "api/event_stream.h"
#include "api/resource_json.h"
#include "model/model_summary.h"

namespace modelhost::api {
namespace {

using Json = nlohmann::json;

// The SSE event name and data of `event`.
std::pair<std::string_view, std::string> EventText(const jobs::TrainingJobEvent& event) {
  if (const auto* state = std::get_if<jobs::JobStateChanged>(&event)) {
    return {"state", JobJson(state->job).dump()};
  }
  if (const auto* epoch = std::get_if<jobs::EpochEnded>(&event)) {
    return {"epoch", Json{{"epoch", epoch->epoch},
                          {"epochs", epoch->epochs},
                          {"values", model::MetricValuesJson(epoch->values)},
                          {"skipped_batches", epoch->skipped_batches}}
                         .dump()};
  }
  if (const auto* progress = std::get_if<jobs::BatchProgress>(&event)) {
    return {"progress",
            Json{{"epoch", progress->epoch},
                 {"epochs", progress->epochs},
                 {"batch", progress->batch},
                 {"batches", progress->batches},
                 {"loss", std::isfinite(progress->loss) ? Json(progress->loss) : Json(nullptr)}}
                .dump()};
  }
  return {"end", JobJson(std::get<jobs::JobFinished>(event).job).dump()};
}

HttpResponse JobOrError(const core::Result<store::JobRecord>& job, int status = 200) {
  if (!job.ok()) return HttpResponse::Error(job.status());
  return HttpResponse::Json(status, JobJson(*job).dump());
}

HttpResponse Events(jobs::TrainingJobs& jobs, const std::string& id) {
  auto stream = EventStream::Create();
  // Watch replays the job's state first; the watcher is dropped when the
  // client is gone or the job has ended.
  core::Result<store::JobRecord> now =
      jobs.Watch(id, [stream](const jobs::TrainingJobEvent& event) {
        auto [name, data] = EventText(event);
        const bool sent = stream->Send(name, data);
        if (std::holds_alternative<jobs::JobFinished>(event)) {
          stream->Close();
          return false;
        }
        return sent;
      });
  if (!now.ok()) return HttpResponse::Error(now.status());
  return HttpResponse::Stream(stream);
}

}  // namespace

void AddTrainingJobRoutes(Router& router, jobs::TrainingJobs* jobs) {
  const Access read = Access::Requires(Scope::kRead);
  const Access write = Access::Requires(Scope::kWrite);
  router.Add(Method::kPost, "/v1/training-jobs", write,
             SyncHandler([jobs](const HttpRequest& request) {
               return JobOrError(jobs->Create(request.body()), 202);
             }));
  router.Add(Method::kGet, "/v1/training-jobs", read, SyncHandler([jobs](const HttpRequest&) {
               auto list = jobs->List();
               if (!list.ok()) return HttpResponse::Error(list.status());
               Json array = Json::array();
               for (const store::JobRecord& job : *list) array.push_back(JobJson(job));
               return HttpResponse::Json(200, Json{{"training_jobs", array}}.dump());
             }));
  router.Add(Method::kGet, "/v1/training-jobs/{id}", read,
             SyncHandler([jobs](const HttpRequest& request) {
               return JobOrError(jobs->Get(request.PathParam("id")));
             }));
  router.Add(Method::kPost, "/v1/training-jobs/{id}:cancel", write,
             SyncHandler([jobs](const HttpRequest& request) {
               auto job = jobs->Cancel(request.PathParam("id"));
               const bool stopping = job.ok() && !store::IsFinal(job->state);
               return JobOrError(job, stopping ? 202 : 200);
             }));
  router.Add(Method::kGet, "/v1/training-jobs/{id}/events", read,
             SyncHandler([jobs](const HttpRequest& request) {
               return Events(*jobs, std::string(request.PathParam("id")));
             }));
}

}  // namespace modelhost::api

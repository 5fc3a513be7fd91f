#include "api/dataset_job_routes.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/event_stream.h"
#include "api/resource_json.h"
#include "api/worker_handoff.h"

namespace modelhost::api {
namespace {

using Json = nlohmann::json;

// What the client asked for in its Prefer header (RFC 7240): respond-async,
// and wait=N seconds. Preferences not understood are ignored, as the RFC says.
struct Preferences {
  bool respond_async = false;
  std::optional<std::chrono::milliseconds> wait;
};

Preferences ParsePrefer(std::string_view header) {
  Preferences preferences;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string token(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    std::erase_if(token, [](unsigned char c) { return std::isspace(c); });
    std::transform(token.begin(), token.end(), token.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (token == "respond-async") preferences.respond_async = true;
    if (token.rfind("wait=", 0) == 0) {
      uint32_t seconds = 0;
      auto [end, error] = std::from_chars(token.data() + 5, token.data() + token.size(), seconds);
      if (error == std::errc() && end == token.data() + token.size()) {
        preferences.wait = std::chrono::seconds(seconds);
      }
    }
  }
  return preferences;
}

Json DatasetJobJson(const store::JobRecord& job) {
  Json json = JobJson(job);
  json["kind"] = job.kind;
  return json;
}

// Job `id` as Server-Sent Events: "state" with the job as it is, then again
// at each change, and, once it has ended, "end" with its final record, after
// which the stream closes. The same state heard twice is the last word of a
// shutting-down server (DatasetJobs::Watch): the stream closes then too.
HttpResponse Events(jobs::DatasetJobs& jobs, const std::string& id) {
  auto stream = EventStream::Create();
  auto last_state = std::make_shared<std::optional<store::JobState>>();
  const core::Status watched = jobs.Watch(id, [stream, last_state](const store::JobRecord& job) {
    const bool repeated = *last_state == job.state;
    *last_state = job.state;
    const std::string data = DumpJson(DatasetJobJson(job));
    bool open = stream->Send("state", data);
    if (store::IsFinal(job.state)) {
      stream->Send("end", data);
      open = false;
    }
    if (!open || repeated) stream->Close();
    return open && !repeated;
  });
  if (!watched.ok()) return HttpResponse::Error(watched);
  return HttpResponse::Stream(stream);
}

HttpResponse Accepted(const store::JobRecord& job, bool async_applied) {
  HttpResponse response = HttpResponse::Json(202, DumpJson(DatasetJobJson(job)));
  response.headers.emplace_back("Location", "/v1/dataset-jobs/" + job.id);
  if (async_applied) response.headers.emplace_back("Preference-Applied", "respond-async");
  return response;
}

// The error a failed job stored, as the Status the operation returned
// (a limit it hit as FailedPrecondition, see below).
core::Status StoredError(const store::JobRecord& job) {
  Json result = Json::parse(job.result_json, nullptr, /*allow_exceptions=*/false);
  std::string code;
  if (result.is_object() && result.contains("error_code") && result["error_code"].is_string()) {
    code = result["error_code"].get<std::string>();
  }
  for (int value = static_cast<int>(core::StatusCode::kInvalidArgument);
       value <= static_cast<int>(core::StatusCode::kInternal); ++value) {
    const auto candidate = static_cast<core::StatusCode>(value);
    if (core::ToString(candidate) != code) continue;
    // A limit the operation hit is not a queue that drains: as 429 a client
    // would retry the POST and queue the same failing job again.
    if (candidate == core::StatusCode::kResourceExhausted) {
      return core::FailedPrecondition("the " + job.kind + " hit a limit: " + job.error);
    }
    return core::Status(candidate, job.error);
  }
  return core::Internal(job.error);
}

// How a job that ended answers the request that made it: as the operation.
HttpResponse Outcome(jobs::DatasetService& service, const store::JobRecord& job) {
  if (job.state == store::JobState::kFailed) return HttpResponse::Error(StoredError(job));
  if (job.state == store::JobState::kCancelled) {
    return HttpResponse::Error(
        core::FailedPrecondition("dataset job " + job.id + " was cancelled before it ran"));
  }
  if (job.state != store::JobState::kSucceeded) return Accepted(job, false);
  Json result = Json::parse(job.result_json, nullptr, /*allow_exceptions=*/false);
  Json datasets = Json::array();
  if (result.is_object() && result.contains("datasets") && result["datasets"].is_array()) {
    for (const Json& id : result["datasets"]) {
      if (!id.is_string()) continue;
      core::Result<store::DatasetRecord> made = service.Get(id.get<std::string>());
      if (!made.ok()) return HttpResponse::Error(made.status());
      datasets.push_back(DatasetJson(*made, true));
    }
  }
  if (job.kind == jobs::ToString(jobs::DatasetJobKind::kTransform) && datasets.size() == 1) {
    Json dataset = std::move(datasets[0]);
    dataset["job_id"] = job.id;
    HttpResponse response = HttpResponse::Json(201, DumpJson(dataset));
    response.headers.emplace_back("Location", "/v1/datasets/" + dataset["id"].get<std::string>());
    return response;
  }
  return HttpResponse::Json(201, DumpJson(Json{{"datasets", datasets}, {"job_id", job.id}}));
}

// Queues the operation and answers as the client prefers.
void Submit(const DatasetJobRoutesOptions& options, jobs::DatasetJobKind kind,
            const HttpRequest& request, Responder& responder) {
  const Preferences preferences = ParsePrefer(request.Header("prefer").value_or(""));
  core::Result<store::JobRecord> job =
      options.jobs->Create(kind, request.PathParam("id"), request.body());
  if (!job.ok()) {
    responder.RespondError(job.status());
    return;
  }
  if (preferences.respond_async) {
    responder.Respond(Accepted(*job, true));
    return;
  }
  const auto wait = std::min<std::chrono::milliseconds>(
      preferences.wait.value_or(options.default_wait), options.max_wait);
  auto shared = std::make_shared<Responder>(std::move(responder));
  jobs::DatasetService* service = options.service;
  core::Status awaited = options.jobs->Await(
      job->id, wait,
      [shared, service](const store::JobRecord& now) { shared->Respond(Outcome(*service, now)); });
  if (!awaited.ok()) shared->RespondError(awaited);
}

}  // namespace

void AddDatasetJobRoutes(Router& router, DatasetJobRoutesOptions options) {
  const Access read = Access::Requires(Scope::kRead);
  const Access write = Access::Requires(Scope::kWrite);
  auto on_worker = [options](std::function<void(const HttpRequest&, Responder&)> work) {
    return Handler([options, work = std::move(work)](HttpRequest& request, Responder responder) {
      RespondOnWorker(options.workers, std::move(responder),
                      [&request, work](Responder& answer) { work(request, answer); });
    });
  };
  auto job_or_error = [](const core::Result<store::JobRecord>& job) {
    if (!job.ok()) return HttpResponse::Error(job.status());
    return HttpResponse::Json(200, DumpJson(DatasetJobJson(*job)));
  };
  for (const auto& route :
       {std::pair{"/v1/datasets/{id}:transform", jobs::DatasetJobKind::kTransform},
        std::pair{"/v1/datasets/{id}:split", jobs::DatasetJobKind::kSplit}}) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one.
    const jobs::DatasetJobKind kind = route.second;
    router.Add(Method::kPost, route.first, write,
               on_worker([options, kind](const HttpRequest& request, Responder& responder) {
                 Submit(options, kind, request, responder);
               }));
  }
  router.Add(Method::kGet, "/v1/dataset-jobs", read,
             on_worker([options](const HttpRequest&, Responder& responder) {
               auto list = options.jobs->List();
               if (!list.ok()) return responder.RespondError(list.status());
               Json array = Json::array();
               for (const store::JobRecord& job : *list) array.push_back(DatasetJobJson(job));
               responder.Respond(HttpResponse::Json(200, DumpJson(Json{{"dataset_jobs", array}})));
             }));
  router.Add(Method::kGet, "/v1/dataset-jobs/{id}", read,
             on_worker([options, job_or_error](const HttpRequest& request, Responder& responder) {
               responder.Respond(job_or_error(options.jobs->Get(request.PathParam("id"))));
             }));
  router.Add(Method::kGet, "/v1/dataset-jobs/{id}/events", read,
             on_worker([options](const HttpRequest& request, Responder& responder) {
               responder.Respond(Events(*options.jobs, std::string(request.PathParam("id"))));
             }));
  router.Add(Method::kPost, "/v1/dataset-jobs/{id}:cancel", write,
             on_worker([options, job_or_error](const HttpRequest& request, Responder& responder) {
               responder.Respond(job_or_error(options.jobs->Cancel(request.PathParam("id"))));
             }));
}

}  // namespace modelhost::api

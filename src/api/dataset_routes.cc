#include "api/dataset_routes.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "api/event_stream.h"
#include "api/resource_json.h"
#include "api/worker_handoff.h"
#include "core/log.h"

namespace modelhost::api {
namespace {

using Json = nlohmann::json;

// A stream of an export holds at most about this much unsent; the producer
// waits for the client beyond it.
constexpr size_t kExportBacklogBytes = size_t{8} << 20;

HttpResponse Created(const store::DatasetRecord& record) {
  HttpResponse response = HttpResponse::Json(201, DumpJson(DatasetJson(record, true)));
  response.headers.emplace_back("Location", "/v1/datasets/" + record.id);
  return response;
}

core::Result<uint64_t> UnsignedParam(const HttpRequest& request, std::string_view name,
                                     uint64_t fallback) {
  std::optional<std::string> text = request.QueryParam(name);
  if (!text) return fallback;
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) {
    return core::InvalidArgument("query parameter '" + std::string(name) +
                                 "' must be a non-negative integer, not '" + *text + "'");
  }
  return value;
}

// The upload's format: `format`, else the Content-Type, else its first byte.
core::Result<jobs::DatasetFormat> UploadFormat(const HttpRequest& request) {
  if (std::optional<std::string> format = request.QueryParam("format")) {
    return jobs::ParseDatasetFormat(*format);
  }
  const std::string_view type = request.Header("content-type").value_or("");
  if (type.find("csv") != std::string_view::npos) return jobs::DatasetFormat::kCsv;
  for (std::string_view jsonl : {"ndjson", "jsonl", "jsonlines", "json-lines"}) {
    if (type.find(jsonl) != std::string_view::npos) return jobs::DatasetFormat::kJsonLines;
  }
  std::ifstream file(request.body_file(), std::ios::binary);
  char c = 0;
  while (file.get(c) && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
  }
  return c == '{' ? jobs::DatasetFormat::kJsonLines : jobs::DatasetFormat::kCsv;
}

HttpResponse Upload(jobs::DatasetService& service, const HttpRequest& request) {
  std::optional<std::string> name = request.QueryParam("name");
  if (!name) {
    return HttpResponse::Error(
        core::InvalidArgument("query parameter 'name' is required (POST /v1/datasets?name=…)"));
  }
  core::Result<jobs::DatasetFormat> format = UploadFormat(request);
  if (!format.ok()) return HttpResponse::Error(format.status());
  const std::string on_error = request.QueryParam("on_error").value_or("fail");
  if (on_error != "fail" && on_error != "skip") {
    return HttpResponse::Error(core::InvalidArgument(
        "query parameter 'on_error' must be fail or skip, not '" + on_error + "'"));
  }
  core::Result<store::DatasetRecord> record = service.Import({.name = *name,
                                                              .file = request.body_file(),
                                                              .format = *format,
                                                              .skip_bad_rows = on_error == "skip"});
  if (!record.ok()) return HttpResponse::Error(record.status());
  return Created(*record);
}

HttpResponse List(jobs::DatasetService& service, const HttpRequest& request) {
  core::Result<std::vector<store::DatasetRecord>> records = service.List();
  if (!records.ok()) return HttpResponse::Error(records.status());
  std::optional<std::string> name = request.QueryParam("name");
  Json list = Json::array();
  for (const store::DatasetRecord& record : *records) {
    if (!name || record.name == *name) list.push_back(DatasetJson(record, false));
  }
  return HttpResponse::Json(200, DumpJson(Json{{"datasets", std::move(list)}}));
}

HttpResponse Rows(jobs::DatasetService& service, const HttpRequest& request, uint64_t max_rows) {
  core::Result<uint64_t> offset = UnsignedParam(request, "offset", 0);
  if (!offset.ok()) return HttpResponse::Error(offset.status());
  core::Result<uint64_t> limit = UnsignedParam(request, "limit", 100);
  if (!limit.ok()) return HttpResponse::Error(limit.status());
  if (*limit > max_rows) {
    return HttpResponse::Error(
        core::InvalidArgument("query parameter 'limit' is at most " + std::to_string(max_rows)));
  }
  core::Result<std::string> rows = service.RowsJson(request.PathParam("id"), *offset, *limit);
  if (!rows.ok()) return HttpResponse::Error(rows.status());
  return HttpResponse::Json(200, std::move(*rows));
}

// Streams the export from this worker thread; the response starts at once
// and the dataset's chunks follow as the client takes them.
void Export(jobs::DatasetService& service, const HttpRequest& request, Responder& responder) {
  core::Result<jobs::DatasetFormat> format =
      jobs::ParseDatasetFormat(request.QueryParam("format").value_or("csv"));
  if (!format.ok()) {
    responder.RespondError(format.status());
    return;
  }
  const std::string id(request.PathParam("id"));
  core::Result<store::DatasetRecord> record = service.Get(id);
  if (!record.ok()) {
    responder.RespondError(record.status());
    return;
  }
  const bool csv = *format == jobs::DatasetFormat::kCsv;
  auto stream = EventStream::Create();
  HttpResponse response =
      HttpResponse::ByteStream(csv ? "text/csv; charset=utf-8" : "application/x-ndjson", stream);
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + record->name +
                                                           (csv ? ".csv\"" : ".jsonl\""));
  responder.Respond(std::move(response));
  core::Status done = service.Export(id, *format, [&](std::string_view piece) -> core::Status {
    while (stream->pending_bytes() > kExportBacklogBytes && !stream->client_gone()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (!stream->Write(piece)) return core::Unavailable("the client went away");
    return core::OkStatus();
  });
  if (done.ok()) {
    stream->Close();
    return;
  }
  // The status went out with the head; a failure now can only cut the body
  // short, so that the client cannot take a partial export for a whole one.
  core::LogError("dataset export failed", {{"dataset", id}, {"error", done.message()}});
  stream->Abort();
}

}  // namespace

void AddDatasetRoutes(Router& router, DatasetRoutesOptions options) {
  jobs::DatasetService* service = options.service;
  core::ThreadPool* workers = options.workers;
  const Access read = Access::Requires(Scope::kRead);
  const Access write = Access::Requires(Scope::kWrite);
  // Each route: its work on a worker thread.
  auto blocking = [workers](std::function<HttpResponse(const HttpRequest&)> work) {
    return Handler([workers, work = std::move(work)](HttpRequest& request, Responder responder) {
      RespondOnWorker(workers, std::move(responder),
                      [&request, work](Responder& answer) { answer.Respond(work(request)); });
    });
  };
  router
      .AddUpload(Method::kPost, "/v1/datasets", write,
                 blocking([service](const HttpRequest& r) { return Upload(*service, r); }))
      .Add(Method::kGet, "/v1/datasets", read,
           blocking([service](const HttpRequest& r) { return List(*service, r); }))
      .Add(Method::kGet, "/v1/datasets/{id}", read, blocking([service](const HttpRequest& r) {
             core::Result<store::DatasetRecord> record = service->Get(r.PathParam("id"));
             if (!record.ok()) return HttpResponse::Error(record.status());
             return HttpResponse::Json(200, DumpJson(DatasetJson(*record, true)));
           }))
      .Add(Method::kGet, "/v1/datasets/{id}/rows", read,
           blocking([service, max = options.max_rows_per_page](const HttpRequest& r) {
             return Rows(*service, r, max);
           }))
      .Add(Method::kDelete, "/v1/datasets/{id}", write, blocking([service](const HttpRequest& r) {
             core::Status deleted = service->Delete(r.PathParam("id"));
             if (!deleted.ok()) return HttpResponse::Error(deleted);
             return HttpResponse::Empty(204);
           }))
      .Add(Method::kGet, "/v1/datasets/{id}/export", read,
           Handler([service, workers](HttpRequest& request, Responder responder) {
             RespondOnWorker(workers, std::move(responder), [service, &request](Responder& answer) {
               Export(*service, request, answer);
             });
           }));
}

}  // namespace modelhost::api

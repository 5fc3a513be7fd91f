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
#include "core/log.h"

namespace modelhost::api {
namespace {

using Json = nlohmann::json;

// A stream of an export holds at most about this much unsent; the producer
// waits for the client beyond it.
constexpr size_t kExportBacklogBytes = size_t{8} << 20;

Json ParsedOrNull(const std::string& text) {
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_discarded() ? Json(nullptr) : value;
}

Json DatasetJson(const store::DatasetRecord& record, bool with_profile) {
  Json dataset = {{"id", record.id},
                  {"name", record.name},
                  {"created_at", record.created_at},
                  {"rows", record.rows},
                  {"bytes", record.bytes},
                  {"sha256", record.sha256},
                  {"schema", ParsedOrNull(record.schema_json)},
                  {"lineage", ParsedOrNull(record.lineage_json)}};
  if (with_profile) dataset["profile"] = ParsedOrNull(record.profile_json);
  return dataset;
}

std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

HttpResponse Created(const store::DatasetRecord& record) {
  HttpResponse response = HttpResponse::Json(201, Dump(DatasetJson(record, true)));
  response.headers.emplace_back("Location", "/v1/datasets/" + record.id);
  return response;
}

// Runs `work` on a worker, which answers through the Responder it is given;
// 429 at once when the workers' queue is full.
void OnWorker(core::ThreadPool* workers, Responder responder,
              std::function<void(Responder&)> work) {
  auto shared = std::make_shared<Responder>(std::move(responder));
  core::Status queued = workers->Submit([shared, work = std::move(work)] { work(*shared); });
  if (!queued.ok()) {
    shared->RespondError(
        core::ResourceExhausted("the server is busy with other dataset work; retry later (" +
                                std::string(queued.message()) + ")"));
  }
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
  return HttpResponse::Json(200, Dump(Json{{"datasets", std::move(list)}}));
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

core::Result<Json> ParseObject(const std::string& body) {
  Json parsed;
  try {
    parsed = Json::parse(body);
  } catch (const Json::exception& error) {
    return core::InvalidArgument(std::string("request body is not valid JSON: ") + error.what());
  }
  if (!parsed.is_object()) return core::InvalidArgument("request body must be a JSON object");
  return parsed;
}

core::Status OnlyKnownFields(const Json& body, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return core::InvalidArgument("unknown field '" + key + "' in the request body");
    }
  }
  return core::OkStatus();
}

core::Result<std::string> StringField(const Json& body, const char* field, std::string fallback) {
  if (!body.contains(field)) return fallback;
  if (!body[field].is_string()) {
    return core::InvalidArgument(std::string("field '") + field + "' must be a string");
  }
  return body[field].get<std::string>();
}

core::Result<jobs::DatasetTransformRequest> ParseTransform(const std::string& text,
                                                           const store::DatasetRecord& parent) {
  MODELHOST_ASSIGN_OR_RETURN(Json body, ParseObject(text));
  MODELHOST_RETURN_IF_ERROR(OnlyKnownFields(body, {"pipeline", "name", "target", "task"}));
  if (!body.contains("pipeline") || !body["pipeline"].is_object()) {
    return core::InvalidArgument("field 'pipeline' (a pipeline spec object) is required");
  }
  jobs::DatasetTransformRequest request;
  request.pipeline_json = body["pipeline"].dump();
  MODELHOST_ASSIGN_OR_RETURN(request.name, StringField(body, "name", parent.name + "-transformed"));
  if (body.contains("target")) {
    MODELHOST_ASSIGN_OR_RETURN(std::string target, StringField(body, "target", ""));
    request.target = std::move(target);
  }
  MODELHOST_ASSIGN_OR_RETURN(std::string task, StringField(body, "task", "classification"));
  if (task != "classification" && task != "regression") {
    return core::InvalidArgument("field 'task' must be classification or regression, not '" + task +
                                 "'");
  }
  request.classification = task == "classification";
  return request;
}

core::Result<jobs::DatasetSplitRequest> ParseSplit(const std::string& text) {
  MODELHOST_ASSIGN_OR_RETURN(Json body, ParseObject(text));
  MODELHOST_RETURN_IF_ERROR(
      OnlyKnownFields(body, {"train", "validation", "test", "seed", "stratify", "name"}));
  jobs::DatasetSplitRequest request;
  for (auto [field, target] : {std::pair{"train", &request.train_fraction},
                               std::pair{"validation", &request.validation_fraction},
                               std::pair{"test", &request.test_fraction}}) {
    if (!body.contains(field)) continue;
    if (!body[field].is_number()) {
      return core::InvalidArgument(std::string("field '") + field + "' must be a number");
    }
    *target = body[field].get<double>();
  }
  if (body.contains("seed")) {
    if (!body["seed"].is_number_unsigned()) {
      return core::InvalidArgument("field 'seed' must be a non-negative integer");
    }
    request.seed = body["seed"].get<uint64_t>();
  }
  MODELHOST_ASSIGN_OR_RETURN(request.stratify, StringField(body, "stratify", ""));
  MODELHOST_ASSIGN_OR_RETURN(request.name_prefix, StringField(body, "name", ""));
  return request;
}

HttpResponse Transform(jobs::DatasetService& service, const HttpRequest& request) {
  const std::string id(request.PathParam("id"));
  core::Result<store::DatasetRecord> parent = service.Get(id);
  if (!parent.ok()) return HttpResponse::Error(parent.status());
  core::Result<jobs::DatasetTransformRequest> parsed = ParseTransform(request.body(), *parent);
  if (!parsed.ok()) return HttpResponse::Error(parsed.status());
  core::Result<store::DatasetRecord> record = service.Transform(id, *parsed);
  if (!record.ok()) return HttpResponse::Error(record.status());
  return Created(*record);
}

HttpResponse Split(jobs::DatasetService& service, const HttpRequest& request) {
  core::Result<jobs::DatasetSplitRequest> parsed = ParseSplit(request.body());
  if (!parsed.ok()) return HttpResponse::Error(parsed.status());
  core::Result<std::vector<store::DatasetRecord>> records =
      service.Split(request.PathParam("id"), *parsed);
  if (!records.ok()) return HttpResponse::Error(records.status());
  Json list = Json::array();
  for (const store::DatasetRecord& record : *records) list.push_back(DatasetJson(record, true));
  return HttpResponse::Json(201, Dump(Json{{"datasets", std::move(list)}}));
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
      OnWorker(workers, std::move(responder),
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
             return HttpResponse::Json(200, Dump(DatasetJson(*record, true)));
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
      .Add(Method::kPost, "/v1/datasets/{id}:transform", write,
           blocking([service](const HttpRequest& r) { return Transform(*service, r); }))
      .Add(Method::kPost, "/v1/datasets/{id}:split", write,
           blocking([service](const HttpRequest& r) { return Split(*service, r); }))
      .Add(Method::kGet, "/v1/datasets/{id}/export", read,
           Handler([service, workers](HttpRequest& request, Responder responder) {
             OnWorker(workers, std::move(responder), [service, &request](Responder& answer) {
               Export(*service, request, answer);
             });
           }));
}

}  // namespace modelhost::api

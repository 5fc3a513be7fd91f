#include "api/model_routes.h"

#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <utility>

#include "api/version_param.h"
#include "api/worker_handoff.h"
#include "core/log.h"
#include "jobs/model_registration.h"
#include "model/bundle_archive.h"
#include "model/model_checksum.h"
#include "store/artifact_paths.h"
#include "store/resource_name.h"

namespace modelhost::api {
namespace {

using Json = nlohmann::json;

Json VersionJson(const store::ModelVersionRecord& record,
                 const std::map<std::string, int64_t>& aliases) {
  Json pointing = Json::array();
  for (const auto& [alias, version] : aliases) {
    if (version == record.version) pointing.push_back(alias);
  }
  Json summary = Json::parse(record.info_json, nullptr, /*allow_exceptions=*/false);
  return {{"model", record.model},
          {"version", record.version},
          {"created_at", record.created_at},
          {"bundle_sha256", record.bundle_sha256},
          {"aliases", pointing},
          {"summary", summary.is_discarded() ? Json(nullptr) : summary}};
}

// {name, latest_version, aliases} and, with `with_versions`, every version.
core::Result<Json> ModelJson(store::MetadataStore& store, const std::string& name,
                             bool with_versions) {
  MODELHOST_ASSIGN_OR_RETURN(std::vector<store::ModelVersionRecord> versions,
                             store.ListModelVersions(name));
  MODELHOST_ASSIGN_OR_RETURN(auto aliases, store.ListAliases(name));
  Json model = {{"name", name}, {"latest_version", versions.back().version}, {"aliases", aliases}};
  if (with_versions) {
    Json list = Json::array();
    for (const auto& record : versions) list.push_back(VersionJson(record, aliases));
    model["versions"] = std::move(list);
  }
  return model;
}

HttpResponse JsonOrError(const core::Result<Json>& result, int status = 200) {
  if (!result.ok()) return HttpResponse::Error(result.status());
  return HttpResponse::Json(status, result->dump());
}

// Unpacks an uploaded bundle into a fresh staging directory under
// <data_dir>/tmp and registers it; the staging directory is gone afterwards
// whatever happens.
core::Result<store::ModelVersionRecord> RegisterUpload(store::MetadataStore& store,
                                                       const std::string& data_dir,
                                                       const std::string& name,
                                                       const std::string& tar_file) {
  MODELHOST_RETURN_IF_ERROR(store::ValidateResourceName("model name", name));
  const std::filesystem::path tmp = std::filesystem::path(data_dir) / "tmp";
  std::error_code error;
  std::filesystem::create_directories(tmp, error);
  if (error) return core::Internal(tmp.string() + ": cannot create: " + error.message());
  std::string pattern = (tmp / "upload-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return core::Internal(tmp.string() + ": cannot create a staging directory");
  }
  const std::string staging_root = pattern;
  core::Result<store::ModelVersionRecord> registered =
      [&]() -> core::Result<store::ModelVersionRecord> {
    const std::string staged = staging_root + "/model";
    MODELHOST_RETURN_IF_ERROR(
        model::UnpackModelBundleFile(tar_file, staged, model::BundleLimits{}));
    return jobs::RegisterModelVersion(store, data_dir, name, staged);
  }();
  std::filesystem::remove_all(staging_root, error);
  return registered;
}

}  // namespace

void AddModelRoutes(Router& router, store::MetadataStore* store, std::string data_dir,
                    core::ThreadPool* workers) {
  const Access read = Access::Requires(Scope::kRead);
  const Access write = Access::Requires(Scope::kWrite);
  router.Add(Method::kGet, "/v1/models", read, SyncHandler([store](const HttpRequest&) {
               return JsonOrError([&]() -> core::Result<Json> {
                 MODELHOST_ASSIGN_OR_RETURN(std::vector<std::string> names, store->ListModels());
                 Json models = Json::array();
                 for (const std::string& name : names) {
                   MODELHOST_ASSIGN_OR_RETURN(Json model, ModelJson(*store, name, false));
                   models.push_back(std::move(model));
                 }
                 return Json{{"models", models}};
               }());
             }));
  router.Add(Method::kGet, "/v1/models/{name}", read,
             SyncHandler([store](const HttpRequest& request) {
               return JsonOrError(ModelJson(*store, std::string(request.PathParam("name")), true));
             }));
  router.Add(Method::kGet, "/v1/models/{name}/versions", read,
             SyncHandler([store](const HttpRequest& request) {
               return JsonOrError([&]() -> core::Result<Json> {
                 MODELHOST_ASSIGN_OR_RETURN(
                     Json model, ModelJson(*store, std::string(request.PathParam("name")), true));
                 return Json{{"versions", model["versions"]}};
               }());
             }));
  router.Add(Method::kGet, "/v1/models/{name}/versions/{version}", read,
             SyncHandler([store](const HttpRequest& request) {
               return JsonOrError([&]() -> core::Result<Json> {
                 const std::string name(request.PathParam("name"));
                 MODELHOST_ASSIGN_OR_RETURN(int64_t version,
                                            ParseVersionParam(request.PathParam("version")));
                 MODELHOST_ASSIGN_OR_RETURN(auto record, store->GetModelVersion(name, version));
                 MODELHOST_ASSIGN_OR_RETURN(auto aliases, store->ListAliases(name));
                 return VersionJson(record, aliases);
               }());
             }));
  // Unpacking, packing and registering block on disk: on a worker.
  auto on_worker = [workers](std::function<HttpResponse(const HttpRequest&)> work) {
    return Handler([workers, work = std::move(work)](HttpRequest& request, Responder responder) {
      RespondOnWorker(workers, std::move(responder),
                      [&request, work](Responder& answer) { answer.Respond(work(request)); });
    });
  };
  router.AddUpload(Method::kPost, "/v1/models/{name}/versions", write,
                   on_worker([store, data_dir](const HttpRequest& request) {
                     return JsonOrError(
                         [&]() -> core::Result<Json> {
                           const std::string name(request.PathParam("name"));
                           MODELHOST_ASSIGN_OR_RETURN(
                               store::ModelVersionRecord record,
                               RegisterUpload(*store, data_dir, name, request.body_file()));
                           core::LogInfo("model version registered",
                                         {{"model", name}, {"version", record.version}});
                           MODELHOST_ASSIGN_OR_RETURN(auto aliases, store->ListAliases(name));
                           return VersionJson(record, aliases);
                         }(),
                         201);
                   }));
  router.Add(Method::kGet, "/v1/models/{name}/versions/{version}/bundle", read,
             on_worker([store, data_dir](const HttpRequest& request) {
               const std::string name(request.PathParam("name"));
               core::Result<std::string> tar = [&]() -> core::Result<std::string> {
                 MODELHOST_ASSIGN_OR_RETURN(int64_t version,
                                            ParseVersionParam(request.PathParam("version")));
                 MODELHOST_ASSIGN_OR_RETURN(auto record, store->GetModelVersion(name, version));
                 const std::string path = store::ModelVersionPath(data_dir, name, version);
                 MODELHOST_RETURN_IF_ERROR(model::VerifyModelDirectory(path, record.bundle_sha256));
                 return model::PackModelDirectory(path);
               }();
               if (!tar.ok()) return HttpResponse::Error(tar.status());
               HttpResponse response;
               response.status = 200;
               response.content_type = "application/x-tar";
               response.headers.emplace_back(
                   "Content-Disposition", "attachment; filename=\"" + name + "-" +
                                              std::string(request.PathParam("version")) + ".tar\"");
               response.body = std::move(*tar);
               return response;
             }));
  router.Add(
      Method::kPut, "/v1/models/{name}/aliases/{alias}", write,
      SyncHandler([store](const HttpRequest& request) {
        return JsonOrError([&]() -> core::Result<Json> {
          Json body = Json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
          if (!body.is_object() || !body.contains("version") ||
              !body["version"].is_number_integer() || body["version"].get<int64_t>() < 1) {
            return core::InvalidArgument(
                "request body must be {\"version\": N} with N a positive integer");
          }
          const std::string name(request.PathParam("name"));
          const std::string alias(request.PathParam("alias"));
          const int64_t version = body["version"].get<int64_t>();
          MODELHOST_RETURN_IF_ERROR(store->SetAlias(name, alias, version));
          core::LogInfo("alias set", {{"model", name}, {"alias", alias}, {"version", version}});
          return Json{{"model", name}, {"alias", alias}, {"version", version}};
        }());
      }));
  router.Add(Method::kDelete, "/v1/models/{name}/aliases/{alias}", write,
             SyncHandler([store](const HttpRequest& request) {
               core::Status deleted =
                   store->DeleteAlias(request.PathParam("name"), request.PathParam("alias"));
               return deleted.ok() ? HttpResponse::Empty(204) : HttpResponse::Error(deleted);
             }));
  router.Add(
      Method::kDelete, "/v1/models/{name}/versions/{version}", write,
      SyncHandler([store, data_dir](const HttpRequest& request) {
        const std::string name(request.PathParam("name"));
        core::Result<int64_t> version = ParseVersionParam(request.PathParam("version"));
        if (!version.ok()) return HttpResponse::Error(version.status());
        core::Status deleted = store->DeleteModelVersion(name, *version);
        if (!deleted.ok()) return HttpResponse::Error(deleted);
        // The record is gone, so the files are unreachable; removing them may fail
        // without harm to anyone (logged, left for a later sweep).
        std::error_code error;
        std::filesystem::remove_all(store::ModelVersionPath(data_dir, name, *version), error);
        if (error) {
          core::LogWarn("model version files not removed",
                        {{"model", name}, {"version", *version}, {"error", error.message()}});
        }
        return HttpResponse::Empty(204);
      }));
}

}  // namespace modelhost::api

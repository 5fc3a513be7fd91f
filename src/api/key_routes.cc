#include "api/key_routes.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace modelhost::api {
namespace {

using Json = nlohmann::json;

Json KeyJson(const store::ApiKeyRecord& key) {
  return {
      {"id", key.id}, {"name", key.name}, {"scopes", key.scopes}, {"created_at", key.created_at}};
}

core::Result<Authenticator::CreatedKey> CreateFromBody(Authenticator& authenticator,
                                                       const std::string& body) {
  Json request;
  try {
    request = Json::parse(body);
  } catch (const Json::exception& error) {
    return core::InvalidArgument(std::string("request body is not valid JSON: ") + error.what());
  }
  if (!request.is_object()) return core::InvalidArgument("request body must be a JSON object");
  for (const auto& [key, value] : request.items()) {
    if (key != "name" && key != "scopes") {
      return core::InvalidArgument("unknown field '" + key + "' (fields: name, scopes)");
    }
  }
  if (!request.contains("name") || !request["name"].is_string()) {
    return core::InvalidArgument("field 'name' must be a string");
  }
  if (!request.contains("scopes") || !request["scopes"].is_array()) {
    return core::InvalidArgument("field 'scopes' must be an array of read, predict, write, admin");
  }
  std::vector<Scope> scopes;
  for (size_t i = 0; i < request["scopes"].size(); ++i) {
    const Json& name = request["scopes"][i];
    if (!name.is_string())
      return core::InvalidArgument("scopes[" + std::to_string(i) + "]: not a string");
    core::Result<Scope> scope = ParseScope(name.get<std::string>());
    if (!scope.ok()) {
      return core::InvalidArgument("scopes[" + std::to_string(i) +
                                   "]: " + scope.status().message());
    }
    if (std::find(scopes.begin(), scopes.end(), *scope) == scopes.end()) scopes.push_back(*scope);
  }
  return authenticator.CreateKey(request["name"].get<std::string>(), scopes);
}

}  // namespace

void AddKeyRoutes(Router& router, Authenticator* authenticator) {
  const Access admin = Access::Requires(Scope::kAdmin);
  router
      .Add(Method::kPost, "/v1/keys", admin,
           SyncHandler([authenticator](const HttpRequest& request) {
             core::Result<Authenticator::CreatedKey> created =
                 CreateFromBody(*authenticator, request.body());
             if (!created.ok()) return HttpResponse::Error(created.status());
             Json body = KeyJson(created->record);
             body["key"] = created->text;
             return HttpResponse::Json(201, body.dump());
           }))
      .Add(Method::kGet, "/v1/keys", admin, SyncHandler([authenticator](const HttpRequest&) {
             core::Result<std::vector<store::ApiKeyRecord>> keys = authenticator->ListKeys();
             if (!keys.ok()) return HttpResponse::Error(keys.status());
             Json list = Json::array();
             for (const store::ApiKeyRecord& key : *keys) list.push_back(KeyJson(key));
             return HttpResponse::Json(200, Json{{"keys", list}}.dump());
           }))
      .Add(Method::kDelete, "/v1/keys/{id}", admin,
           SyncHandler([authenticator](const HttpRequest& request) {
             const std::string id(request.PathParam("id"));
             core::Status deleted = authenticator->DeleteKey(id);
             if (!deleted.ok()) return HttpResponse::Error(deleted);
             return HttpResponse::Empty(204);
           }));
}

}  // namespace modelhost::api

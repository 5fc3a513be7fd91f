#include "api/openapi_routes.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "api/openapi_document.h"

namespace modelhost::api {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kDocumentPath = "src/api/openapi.json";
constexpr const char* kScopeKey = "x-modelhost-scope";
constexpr const char* kAuthOnlyKey = "x-modelhost-auth-only";
// The keys of a Path Item that are operations (OpenAPI 3.1, 4.8.9).
constexpr std::string_view kOperationKeys[] = {"get",  "put",     "post",  "delete",
                                               "head", "options", "patch", "trace"};

core::Result<Json> ParseDocument() {
  try {
    Json document = Json::parse(OpenApiDocumentText());
    if (!document.is_object() || !document.contains("paths") || !document["paths"].is_object()) {
      return core::Internal(std::string(kDocumentPath) + ": no 'paths' object");
    }
    return document;
  } catch (const Json::exception& error) {
    return core::Internal(std::string(kDocumentPath) + ": not valid JSON: " + error.what());
  }
}

bool IsOperationKey(std::string_view key) {
  return std::find(std::begin(kOperationKeys), std::end(kOperationKeys), key) !=
         std::end(kOperationKeys);
}

// (The unit test checks that the marker, where present, is a boolean.)
bool AppliesTo(const Json& operation, OpenApiOptions options) {
  return options.auth || !(operation.contains(kAuthOnlyKey) && operation[kAuthOnlyKey] == true);
}

std::string AccessName(const Access& access) {
  return access.is_public() ? "public" : std::string(ToString(access.scope()));
}

std::string Upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

}  // namespace

core::Status CheckDocumented(const Router& router, OpenApiOptions options) {
  MODELHOST_ASSIGN_OR_RETURN(Json document, ParseDocument());
  // "GET /v1/models" → the scope the document names for it.
  std::map<std::string, std::string> documented;
  std::vector<std::string> problems;
  for (const auto& [path, item] : document["paths"].items()) {
    if (!item.is_object()) continue;
    for (const auto& [method, operation] : item.items()) {
      if (!IsOperationKey(method) || !operation.is_object() || !AppliesTo(operation, options)) {
        continue;
      }
      const std::string name = Upper(method) + " " + path;
      const Json& scope = operation.contains(kScopeKey) ? operation[kScopeKey] : Json();
      if (!scope.is_string()) {
        problems.push_back(name + " is documented without a string '" + kScopeKey + "'");
        continue;
      }
      documented[name] = scope.get<std::string>();
    }
  }
  std::set<std::string> routed;
  for (const Router::RouteEntry& route : router.Routes()) {
    const std::string name = std::string(ToString(route.method)) + " " + route.pattern;
    routed.insert(name);
    auto entry = documented.find(name);
    if (entry == documented.end()) {
      problems.push_back(name + " is routed but not documented");
    } else if (entry->second != AccessName(route.access)) {
      problems.push_back(name + " is routed with scope " + AccessName(route.access) +
                         " but documented with " + entry->second);
    }
  }
  for (const auto& [name, scope] : documented) {
    if (!routed.contains(name)) problems.push_back(name + " is documented but not routed");
  }
  if (problems.empty()) return core::OkStatus();
  std::string message =
      "the OpenAPI document (" + std::string(kDocumentPath) + ") does not match the routes: ";
  for (size_t index = 0; index < problems.size(); ++index) {
    if (index > 0) message += "; ";
    message += problems[index];
  }
  return core::FailedPrecondition(message);
}

core::Result<std::string> ServedOpenApiDocument(OpenApiOptions options) {
  if (options.auth) return std::string(OpenApiDocumentText());
  MODELHOST_ASSIGN_OR_RETURN(Json document, ParseDocument());
  document.erase("security");
  Json paths = Json::object();
  for (const auto& [path, item] : document["paths"].items()) {
    Json kept = Json::object();
    bool has_operation = false;
    for (const auto& [key, value] : item.items()) {
      const bool operation = IsOperationKey(key) && value.is_object();
      if (operation && !AppliesTo(value, options)) continue;
      kept[key] = value;
      has_operation = has_operation || operation;
    }
    if (has_operation) paths[path] = std::move(kept);
  }
  document["paths"] = std::move(paths);
  return document.dump(2);
}

core::Status AddOpenApiRoute(Router& router, OpenApiOptions options) {
  MODELHOST_ASSIGN_OR_RETURN(std::string served, ServedOpenApiDocument(options));
  auto body = std::make_shared<const std::string>(std::move(served));
  router.Add(Method::kGet, "/openapi.json", Access::Public(),
             SyncHandler([body](const HttpRequest&) { return HttpResponse::Json(200, *body); }));
  return CheckDocumented(router, options);
}

}  // namespace modelhost::api

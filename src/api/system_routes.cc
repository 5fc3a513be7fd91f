#include "api/system_routes.h"

#include <nlohmann/json.hpp>
#include <string>

#include "core/version.h"

namespace modelhost::api {

const std::string& ServerMetadataJson() {
  static const std::string kBody = nlohmann::json{
      {"name", std::string(core::kProductName)},
      {"version", std::string(core::ModelhostVersion())},
      {"extensions",
       nlohmann::json::array()}}.dump();
  return kBody;
}

void AddSystemRoutes(Router& router, SystemRoutesOptions options) {
  auto ready = std::move(options.ready);
  const core::MetricsRegistry* metrics = options.metrics;
  router
      .Add(Method::kGet, "/v2/health/live", Access::Public(),
           SyncHandler([](const HttpRequest&) { return HttpResponse::Empty(200); }))
      .Add(Method::kGet, "/v2/health/ready", Access::Public(),
           SyncHandler([ready](const HttpRequest&) {
             if (!ready || ready()) return HttpResponse::Empty(200);
             return HttpResponse::Error(core::Unavailable("the server is not ready"));
           }))
      .Add(Method::kGet, "/v2", Access::Requires(Scope::kRead), SyncHandler([](const HttpRequest&) {
             return HttpResponse::Json(200, ServerMetadataJson());
           }))
      .Add(Method::kGet, "/metrics", Access::Requires(Scope::kRead),
           SyncHandler([metrics](const HttpRequest&) {
             HttpResponse response;
             response.content_type = core::kPrometheusContentType;
             if (metrics != nullptr) response.body = metrics->RenderText();
             return response;
           }));
}

}  // namespace modelhost::api

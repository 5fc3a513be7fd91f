#include "api/console_routes.h"

#include <string>

#include "api/console_assets.h"

namespace modelhost::api {
namespace {

constexpr std::string_view kIndex = "index.html";

const ConsoleAsset* FindAsset(std::string_view name) {
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

// True when the If-None-Match header lists `etag` (or is "*").
bool Matches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    size_t comma = if_none_match.find(',');
    std::string_view candidate = if_none_match.substr(0, comma);
    while (!candidate.empty() && candidate.front() == ' ') candidate.remove_prefix(1);
    while (!candidate.empty() && candidate.back() == ' ') candidate.remove_suffix(1);
    if (candidate.starts_with("W/")) candidate.remove_prefix(2);
    if (candidate == etag || candidate == "*") return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

HttpResponse Serve(const HttpRequest& request, std::string_view name) {
  const ConsoleAsset* asset = FindAsset(name);
  if (asset == nullptr) {
    return HttpResponse::Error(
        core::NotFound("the console has no file \"" + std::string(name) + "\""));
  }
  std::optional<std::string_view> if_none_match = request.Header("If-None-Match");
  HttpResponse response;
  if (if_none_match && Matches(*if_none_match, asset->etag)) {
    response = HttpResponse::Empty(304);
  } else {
    response.content_type = std::string(asset->content_type);
    response.body = std::string(asset->body);
  }
  response.headers = {
      {"ETag", std::string(asset->etag)},
      {"Cache-Control", "no-cache"},
      {"Content-Security-Policy", std::string(kConsoleContentSecurityPolicy)},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
  };
  return response;
}

}  // namespace

void AddConsoleRoutes(Router& router) {
  router
      .Add(Method::kGet, "/", Access::Public(),
           SyncHandler([](const HttpRequest& request) { return Serve(request, kIndex); }))
      .Add(Method::kGet, "/console/{asset}", Access::Public(),
           SyncHandler([](const HttpRequest& request) {
             return Serve(request, request.PathParam("asset"));
           }));
}

}  // namespace modelhost::api

// Router: the routing table of the HTTP server — one line per route mapping
// a method and a path pattern to a handler:
//
//   router.Add(Method::kGet,  "/v2/health/live",   Access::Public(),                 Live)
//         .Add(Method::kGet,  "/v1/models/{name}", Access::Requires(Scope::kRead),    GetModel)
//         .Add(Method::kPost, "/v1/models/{name}:predict",
//              Access::Requires(Scope::kPredict), Predict);
//
// Every route states its Access (access.h); the server checks it before the
// handler runs (HttpServerOptions::authenticator).
//
// A pattern is '/'-separated segments; each is a literal ("models"), a
// parameter ("{name}", which matches one non-empty segment), or a parameter
// with a literal prefix and/or suffix inside the segment ("{name}:predict",
// Google-API-style verbs). When several patterns match a path, the most
// specific one that has a handler for the method wins, specificity compared
// segment by segment: literal > parameter with affixes > bare parameter; so
// "/v1/models/m:predict" goes to the ":predict" route and "/v1/models/m" to
// "{name}", and with GET "/v1/models/list" and DELETE "/v1/models/{name}",
// DELETE "/v1/models/list" reaches "{name}". Only when no matching pattern has
// the method is the answer 405, with an Allow header listing the methods of
// every matching pattern. Parameter values are percent-decoded.
//
// A route's request body arrives in memory (HttpRequest::body(), bounded by
// HttpServerOptions::max_body_bytes), or, for a route added with AddUpload,
// streamed to a file (HttpRequest::body_file(), bounded by max_upload_bytes),
// so an upload of gigabytes costs no memory. Either way the route is matched
// and its key checked when the headers are complete, before any of the body
// is read: a refused request never uploads its body. An in-memory body that
// nests arrays and objects deeper than kMaxJsonNesting (api/json_nesting.h)
// is refused with 400 before the handler runs.
//
// Each distinct pattern is a route label (its pattern text), used for metrics
// so their cardinality is bounded by the table, not by the paths clients send.
//
// Thread-safety: build the table on one thread, then hand it to the server,
// which only reads it (Match is const and lock-free).

#ifndef MODELHOST_API_ROUTER_H_
#define MODELHOST_API_ROUTER_H_

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/access.h"
#include "api/http_request.h"
#include "api/http_response.h"
#include "api/responder.h"
#include "core/status.h"

namespace modelhost::api {

// An asynchronous handler: answers through `responder`, now or later from any
// thread (see Responder). The request stays valid until it answers. An
// exception escaping the handler becomes a 500 (logged with the request id).
using Handler = std::function<void(HttpRequest& request, Responder responder)>;
// A synchronous handler, for routes that answer at once on the I/O thread.
// It must not block for long: it holds up every connection of its I/O thread.
using SyncHandler = std::function<HttpResponse(const HttpRequest& request)>;

// Where a route's request body goes (see above).
enum class BodyMode { kInMemory, kToFile };

// The result of looking up one request.
struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  // The handler to run; non-null iff kind == kFound.
  const Handler* handler = nullptr;
  // Who may run it (kFound only).
  Access access = Access::Public();
  // Where its body goes (kFound only).
  BodyMode body_mode = BodyMode::kInMemory;
  // Index of the matched pattern's label (see Router::RouteLabel): for
  // kMethodNotAllowed the most specific matching pattern; for kNotFound,
  // Router::unmatched_route_id().
  int route_id = 0;
  // For kMethodNotAllowed, the value of the Allow header ("GET, POST"): the
  // methods of every pattern that matches the path.
  std::string allow;
};

class Router {
 public:
  // The label under which requests that match no pattern are counted.
  static constexpr std::string_view kUnmatchedLabel = "unmatched";

  Router() = default;
  Router(Router&&) = default;
  Router& operator=(Router&&) = default;

  // Adds a route. A malformed pattern (not starting with '/', empty or
  // unbalanced braces, two parameters in one segment) or a duplicate
  // (method, pattern) is not added; the first such error is kept in status(),
  // and HttpServer::Start refuses a router whose status is not OK.
  Router& Add(Method method, std::string_view pattern, Access access, Handler handler);
  Router& Add(Method method, std::string_view pattern, Access access, SyncHandler handler);
  // Adds a route whose body is streamed to a file (BodyMode::kToFile).
  Router& AddUpload(Method method, std::string_view pattern, Access access, Handler handler);

  // One (method, pattern) of the table, as added.
  struct RouteEntry {
    Method method = Method::kGet;
    std::string pattern;
    Access access = Access::Public();
    BodyMode body_mode = BodyMode::kInMemory;
  };
  // Every route: patterns in the order first added, each one's methods in
  // Method order (for the OpenAPI check, openapi_routes.h).
  std::vector<RouteEntry> Routes() const;

  // OK, or InvalidArgument naming the first bad pattern added.
  const core::Status& status() const { return status_; }

  // Looks up `method` and `path` (without query string). On kFound, appends
  // the pattern's parameters to `request` (may be null to skip that). The path
  // is split into segments once per call; no allocation unless it has more
  // than kMaxInlineSegments segments or the answer is 405.
  RouteMatch Match(Method method, std::string_view path, HttpRequest* request) const;

  // Number of route labels, including the unmatched one (ids 0 … count-1).
  int route_label_count() const { return static_cast<int>(patterns_.size()) + 1; }
  int unmatched_route_id() const { return static_cast<int>(patterns_.size()); }
  // The label of a route id: its pattern, or kUnmatchedLabel.
  std::string_view RouteLabel(int route_id) const;

 private:
  struct Segment {
    enum class Kind { kLiteral, kParam } kind = Kind::kLiteral;
    std::string literal;  // kLiteral: the text; kParam: unused
    std::string prefix;   // kParam: literal text before the parameter
    std::string suffix;   // kParam: literal text after the parameter
    std::string name;     // kParam: the parameter name
  };
  struct Pattern {
    std::string text;
    std::vector<Segment> segments;
    std::array<Handler, kMethodCount> handlers;
    std::array<std::optional<Access>, kMethodCount> access;  // set with each handler
    std::array<BodyMode, kMethodCount> body_modes{};         // set with each handler
    int label_id = 0;
  };

  // Paths with up to this many segments are split into a stack array.
  static constexpr size_t kMaxInlineSegments = 16;

  Router& AddRoute(Method method, std::string_view pattern, Access access, BodyMode body_mode,
                   Handler handler);
  static bool ParsePattern(std::string_view text, std::vector<Segment>* segments);
  static bool MoreSpecific(const Pattern& a, const Pattern& b);
  static bool SegmentMatches(const Segment& segment, std::string_view text);
  static bool PathMatches(const Pattern& pattern, const std::string_view* parts, size_t count);
  RouteMatch MatchSegments(Method method, const std::string_view* parts, size_t count,
                           HttpRequest* request) const;

  // Sorted most specific first; label_id is the insertion index.
  std::vector<Pattern> patterns_;
  std::vector<std::string> labels_;  // by label id
  core::Status status_;
};

}  // namespace modelhost::api

#endif  // MODELHOST_API_ROUTER_H_

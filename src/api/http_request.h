// HttpRequest: one parsed HTTP request in native types — method, path, query
// string, headers, body, the request id and the path parameters the router
// extracted. The HTTP layer fills it before any handler runs, so handlers and
// the modules below api/ never see Boost.Beast types.
//
// Lifetime: the server owns the request and shares it with the handler's
// Responder. It stays valid and unchanged from the handler call until that
// Responder is used (Respond returned) or destroyed, from any thread, also
// when meanwhile the handler threw (the server answered 500 and dropped the
// late answer), the connection was closed (e.g. the drain timeout of
// Shutdown) or the server was destroyed. A handler that answers later from
// another thread may read it until then, and must not touch it afterwards
// (the connection may reuse it for its next request).
//
// Thread-safety: a value type; not synchronized.

#ifndef MODELHOST_API_HTTP_REQUEST_H_
#define MODELHOST_API_HTTP_REQUEST_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modelhost::api {

enum class Method { kGet, kHead, kPost, kPut, kDelete, kPatch, kOptions, kOther };
inline constexpr int kMethodCount = 8;

// "GET", "POST", …; "OTHER" for kOther.
std::string_view ToString(Method method);

class HttpRequest {
 public:
  HttpRequest() = default;

  Method method() const { return method_; }
  // The path as sent, without the query string; not percent-decoded.
  const std::string& path() const { return path_; }
  // Everything after '?', not decoded; empty when there is none.
  const std::string& query() const { return query_; }
  const std::string& body() const { return body_; }
  std::string& mutable_body() { return body_; }
  // For a route added with Router::AddUpload: the file holding the body (and
  // body() is empty); "" for other routes. The file belongs to the request:
  // it is deleted when the request is cleared or its last copy destroyed, so
  // a handler that keeps it renames it away first.
  const std::string& body_file() const;
  // The id of this request (the client's sane X-Request-Id, else generated).
  const std::string& request_id() const { return request_id_; }

  // The id of the API key the request was authorized with; empty when its
  // route is public or the server checks no keys.
  const std::string& api_key_id() const { return api_key_id_; }

  // The value of the first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;

  // The percent-decoded value ('+' is a space) of the first query parameter
  // named `name`; "" for a bare `?flag`; nullopt when absent.
  std::optional<std::string> QueryParam(std::string_view name) const;

  // The percent-decoded value of the route's `{name}` segment, or "" when the
  // route has no such parameter.
  std::string_view PathParam(std::string_view name) const;

  // Setters, for the server and for tests that call handlers directly.
  void set_method(Method method) { method_ = method; }
  // Splits `target` ("/a/b?x=1") into path and query.
  void SetTarget(std::string_view target);
  void set_body(std::string body) { body_ = std::move(body); }
  // Hands the file at `path` to this request (see body_file()).
  void set_body_file(std::string path);
  void set_request_id(std::string_view id) { request_id_.assign(id); }
  void set_api_key_id(std::string id) { api_key_id_ = std::move(id); }
  void AddHeader(std::string_view name, std::string_view value);
  void AddPathParam(std::string_view name, std::string value);

  // Empties every field but keeps allocated capacity, so a connection reuses
  // one request object for all of its requests.
  void Clear();

 private:
  struct Field {
    std::string name;
    std::string value;
  };

  Method method_ = Method::kGet;
  std::string path_;
  std::string query_;
  std::string api_key_id_;
  std::string body_;
  // Shared by copies; the last one deletes the file.
  std::shared_ptr<const std::string> body_file_;
  std::string request_id_;
  std::vector<Field> headers_;  // the first header_count_ are live
  size_t header_count_ = 0;
  std::vector<Field> path_params_;  // the first path_param_count_ are live
  size_t path_param_count_ = 0;
};

// Decodes %XX escapes (and '+' as space when `plus_is_space`). Invalid escapes
// are kept literally.
std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace modelhost::api

#endif  // MODELHOST_API_HTTP_REQUEST_H_

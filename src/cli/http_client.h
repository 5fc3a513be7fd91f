// HttpClient: the remote commands' HTTP/1.1 client (libcurl; http and https)
// for one modelhost server, sending `Authorization: Bearer <key>` on every
// request when a key is set.
//
// Every call blocks until the whole answer has arrived (or, for GetStream,
// until the stream ends or the caller stops it). Any HTTP status is a
// successful call here: the caller decides what a 4xx/5xx means
// (remote_session.h turns them into the server's error). A call fails only
// when no answer came: Unavailable "cannot reach <url>: <libcurl's reason>"
// (refused, unresolvable, timed out connecting, TLS failure, connection cut).
//
// Thread-safety: one thread at a time per object; distinct objects are
// independent.

#ifndef MODELHOST_CLI_HTTP_CLIENT_H_
#define MODELHOST_CLI_HTTP_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace modelhost::cli {

struct HttpAnswer {
  long status = 0;
  std::string content_type;
  std::string body;
};

class HttpClient {
 public:
  // `base_url` is "http[s]://host[:port][/prefix]" (a trailing '/' is
  // dropped); targets are appended to it. `api_key` may be empty (a server
  // running with --auth=off). InvalidArgument when the URL has no http(s)
  // scheme; Internal when libcurl cannot start.
  static core::Result<std::unique_ptr<HttpClient>> Create(std::string base_url,
                                                          std::string api_key);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One request with an optional JSON body (sent with Content-Type
  // application/json when not empty, or always for POST/PUT).
  core::Result<HttpAnswer> Send(std::string_view method, std::string_view target,
                                std::string_view json_body = {});

  // POST of the file at `file_path` as the body, read from disk in blocks as
  // it is sent (never whole in memory), with `content_type`. `on_progress`
  // (may be empty) is called often with the bytes sent so far and the file's
  // size. NotFound / PermissionDenied naming the file when it cannot be opened.
  using ProgressCallback = std::function<void(uint64_t sent, uint64_t total)>;
  core::Result<HttpAnswer> PostFile(std::string_view target, const std::string& file_path,
                                    std::string_view content_type,
                                    const ProgressCallback& on_progress);

  // GET whose body is handed to `on_bytes` as it arrives (a text/event-stream)
  // when the status is 2xx; `on_bytes` returns false to stop reading (the
  // call then returns the answer normally). For any other status the body is
  // collected into the answer instead, for the caller's error message.
  core::Result<HttpAnswer> GetStream(std::string_view target,
                                     const std::function<bool(std::string_view)>& on_bytes);

  const std::string& base_url() const { return base_url_; }

  // `text` percent-encoded for one path segment or query value.
  static std::string Escape(std::string_view text);

 private:
  struct Handle;
  HttpClient(std::string base_url, std::string api_key, std::unique_ptr<Handle> handle);

  std::string base_url_;
  std::string api_key_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_HTTP_CLIENT_H_

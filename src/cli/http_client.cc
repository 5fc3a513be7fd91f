#include "cli/http_client.h"

#include <curl/curl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <mutex>

#include "core/file_reader.h"

namespace modelhost::cli {
namespace {

constexpr long kConnectTimeoutSeconds = 10;
// A JSON call that receives nothing for this long is given up.
constexpr long kStalledCallSeconds = 300;

// Frees a curl_slist when the request is done.
struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  void Add(const std::string& header) { list = curl_slist_append(list, header.c_str()); }
};

// Where the bytes of an answer go while it arrives.
struct Sink {
  CURL* curl = nullptr;
  std::string* body = nullptr;
  const std::function<bool(std::string_view)>* on_bytes = nullptr;  // 2xx bodies, when set
  bool stopped = false;                                             // on_bytes said stop
};

size_t WriteToSink(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t bytes = size * count;
  long status = 0;
  curl_easy_getinfo(sink->curl, CURLINFO_RESPONSE_CODE, &status);
  if (sink->on_bytes != nullptr && status >= 200 && status < 300) {
    if (!(*sink->on_bytes)(std::string_view(data, bytes))) {
      sink->stopped = true;
      return 0;  // makes libcurl end the transfer with CURLE_WRITE_ERROR
    }
    return bytes;
  }
  sink->body->append(data, bytes);
  return bytes;
}

// The file a PostFile sends, read block by block as libcurl asks.
struct FileSource {
  std::FILE* file = nullptr;
  std::string path;
  core::Status error;
  const HttpClient::ProgressCallback* on_progress = nullptr;
  uint64_t size = 0;
};

size_t ReadFromFile(char* buffer, size_t size, size_t count, void* user) {
  auto* source = static_cast<FileSource*>(user);
  size_t read = std::fread(buffer, 1, size * count, source->file);
  if (read == 0 && std::ferror(source->file)) {
    source->error = core::PosixErrorStatus(errno, "read", source->path);
    return CURL_READFUNC_ABORT;
  }
  return read;
}

int ReportUpload(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t uploaded) {
  auto* source = static_cast<FileSource*>(user);
  if (*source->on_progress) (*source->on_progress)(static_cast<uint64_t>(uploaded), source->size);
  return 0;
}

}  // namespace

struct HttpClient::Handle {
  CURL* curl = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  ~Handle() { curl_easy_cleanup(curl); }
};

HttpClient::HttpClient(std::string base_url, std::string api_key, std::unique_ptr<Handle> handle)
    : base_url_(std::move(base_url)), api_key_(std::move(api_key)), handle_(std::move(handle)) {}

HttpClient::~HttpClient() = default;

core::Result<std::unique_ptr<HttpClient>> HttpClient::Create(std::string base_url,
                                                             std::string api_key) {
  if (!base_url.starts_with("http://") && !base_url.starts_with("https://")) {
    return core::InvalidArgument("server URL '" + base_url +
                                 "' must start with http:// or https://");
  }
  while (base_url.ends_with('/')) base_url.pop_back();
  static std::once_flag global_init;
  static CURLcode global_code = CURLE_OK;
  std::call_once(global_init, [] { global_code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (global_code != CURLE_OK) {
    return core::Internal(std::string("libcurl: ") + curl_easy_strerror(global_code));
  }
  auto handle = std::make_unique<Handle>();
  handle->curl = curl_easy_init();
  if (handle->curl == nullptr) return core::Internal("libcurl: cannot create a handle");
  return std::unique_ptr<HttpClient>(
      new HttpClient(std::move(base_url), std::move(api_key), std::move(handle)));
}

std::string HttpClient::Escape(std::string_view text) {
  char* escaped = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  std::string result = escaped != nullptr ? escaped : "";
  curl_free(escaped);
  return result;
}

namespace {

// Sets what every request has: URL, method, headers, timeouts, the sink.
// With `expect_continue`, a body waits for the server's "100 Continue", so a
// refusal (401, 403, 413 by the announced length) arrives before the body is
// sent; the server answers at once either way.
void Prepare(CURL* curl, char* error, const std::string& url, std::string_view method,
             HeaderList& headers, Sink& sink, bool expect_continue = false) {
  curl_easy_reset(curl);  // keeps the connection cache: predict batches reuse one connection
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  // A peer that vanishes without closing (a host gone, a NAT that forgot
  // the connection) is noticed by TCP keep-alive probes.
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteToSink);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  if (method != "GET" && method != "POST") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, std::string(method).c_str());
  }
  if (expect_continue) {
    headers.Add("Expect: 100-continue");
  } else {
    // Without it libcurl may wait up to a second for "100 Continue".
    headers.Add("Expect:");
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  sink.curl = curl;
}

// One transfer of a prepared handle; the answer, or Unavailable naming the URL.
core::Result<HttpAnswer> Perform(CURL* curl, const char* error, const std::string& base_url,
                                 Sink& sink) {
  HttpAnswer answer;
  CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  // A server that refuses a body may answer and close while it is still being
  // sent: its answer, not the broken send, is what happened.
  const bool answered_early = code == CURLE_SEND_ERROR && answer.status >= 400;
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && sink.stopped) && !answered_early) {
    std::string reason = error[0] != '\0' ? error : curl_easy_strerror(code);
    return core::Unavailable("cannot reach " + base_url + ": " + reason);
  }
  char* content_type = nullptr;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &content_type);
  if (content_type != nullptr) answer.content_type = content_type;
  return answer;
}

}  // namespace

core::Result<HttpAnswer> HttpClient::Send(std::string_view method, std::string_view target,
                                          std::string_view json_body) {
  std::string collected;
  Sink sink{.body = &collected};
  HeaderList headers;
  if (!api_key_.empty()) headers.Add("Authorization: Bearer " + api_key_);
  bool has_body = !json_body.empty() || method == "POST" || method == "PUT";
  if (has_body) headers.Add("Content-Type: application/json");
  handle_->error[0] = '\0';
  Prepare(handle_->curl, handle_->error, base_url_ + std::string(target), method, headers, sink);
  // A JSON call is answered within moments; one that stalls for minutes is
  // a server that will not answer. (Uploads and event streams may stay
  // silent longer: an import, an epoch.)
  curl_easy_setopt(handle_->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(handle_->curl, CURLOPT_LOW_SPEED_TIME, kStalledCallSeconds);
  if (has_body) {
    curl_easy_setopt(handle_->curl, CURLOPT_POSTFIELDS, json_body.data());
    curl_easy_setopt(handle_->curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(json_body.size()));
  }
  MODELHOST_ASSIGN_OR_RETURN(HttpAnswer answer,
                             Perform(handle_->curl, handle_->error, base_url_, sink));
  answer.body = std::move(collected);
  return answer;
}

core::Result<HttpAnswer> HttpClient::PostFile(std::string_view target, const std::string& file_path,
                                              std::string_view content_type,
                                              const ProgressCallback& on_progress) {
  FileSource source;
  source.path = file_path;
  source.on_progress = &on_progress;
  source.file = std::fopen(file_path.c_str(), "rb");
  if (source.file == nullptr) return core::PosixErrorStatus(errno, "open", file_path);
  struct stat info {};
  if (::fstat(::fileno(source.file), &info) != 0 || !S_ISREG(info.st_mode)) {
    std::fclose(source.file);
    return core::InvalidArgument(file_path + " is not a regular file");
  }
  source.size = static_cast<uint64_t>(info.st_size);

  std::string collected;
  Sink sink{.body = &collected};
  HeaderList headers;
  if (!api_key_.empty()) headers.Add("Authorization: Bearer " + api_key_);
  headers.Add("Content-Type: " + std::string(content_type));
  handle_->error[0] = '\0';
  CURL* curl = handle_->curl;
  Prepare(curl, handle_->error, base_url_ + std::string(target), "POST", headers, sink,
          /*expect_continue=*/true);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadFromFile);
  curl_easy_setopt(curl, CURLOPT_READDATA, &source);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(source.size));
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, ReportUpload);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &source);
  core::Result<HttpAnswer> answer = Perform(curl, handle_->error, base_url_, sink);
  std::fclose(source.file);
  if (!source.error.ok()) return source.error;
  if (!answer.ok()) return answer.status();
  answer->body = std::move(collected);
  return answer;
}

core::Result<HttpAnswer> HttpClient::GetStream(
    std::string_view target, const std::function<bool(std::string_view)>& on_bytes) {
  std::string collected;
  Sink sink{.body = &collected, .on_bytes = &on_bytes};
  HeaderList headers;
  if (!api_key_.empty()) headers.Add("Authorization: Bearer " + api_key_);
  headers.Add("Accept: text/event-stream");
  handle_->error[0] = '\0';
  Prepare(handle_->curl, handle_->error, base_url_ + std::string(target), "GET", headers, sink);
  MODELHOST_ASSIGN_OR_RETURN(HttpAnswer answer,
                             Perform(handle_->curl, handle_->error, base_url_, sink));
  answer.body = std::move(collected);
  return answer;
}

}  // namespace modelhost::cli

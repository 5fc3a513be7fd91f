#include "api/http_request.h"

#include <strings.h>
#include <unistd.h>

namespace modelhost::api {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view ToString(Method method) {
  switch (method) {
    case Method::kGet: return "GET";
    case Method::kHead: return "HEAD";
    case Method::kPost: return "POST";
    case Method::kPut: return "PUT";
    case Method::kDelete: return "DELETE";
    case Method::kPatch: return "PATCH";
    case Method::kOptions: return "OPTIONS";
    case Method::kOther: return "OTHER";
  }
  return "OTHER";
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size(); ++pos) {
    char c = text[pos];
    if (c == '%' && pos + 2 < text.size()) {
      int high = HexValue(text[pos + 1]);
      int low = HexValue(text[pos + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        pos += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  for (size_t index = 0; index < header_count_; ++index) {
    if (EqualsIgnoreCase(headers_[index].name, name)) return headers_[index].value;
  }
  return std::nullopt;
}

std::optional<std::string> HttpRequest::QueryParam(std::string_view name) const {
  std::string_view rest = query_;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), /*plus_is_space=*/true);
    if (key != name) continue;
    if (eq == std::string_view::npos) return std::string();
    return PercentDecode(pair.substr(eq + 1), /*plus_is_space=*/true);
  }
  return std::nullopt;
}

std::string_view HttpRequest::PathParam(std::string_view name) const {
  for (size_t index = 0; index < path_param_count_; ++index) {
    if (path_params_[index].name == name) return path_params_[index].value;
  }
  return {};
}

void HttpRequest::SetTarget(std::string_view target) {
  size_t question = target.find('?');
  path_.assign(target.substr(0, question));
  if (question == std::string_view::npos) {
    query_.clear();
  } else {
    query_.assign(target.substr(question + 1));
  }
}

void HttpRequest::AddHeader(std::string_view name, std::string_view value) {
  if (header_count_ == headers_.size()) headers_.emplace_back();
  headers_[header_count_].name.assign(name);
  headers_[header_count_].value.assign(value);
  ++header_count_;
}

void HttpRequest::AddPathParam(std::string_view name, std::string value) {
  if (path_param_count_ == path_params_.size()) path_params_.emplace_back();
  path_params_[path_param_count_].name.assign(name);
  path_params_[path_param_count_].value = std::move(value);
  ++path_param_count_;
}

const std::string& HttpRequest::body_file() const {
  static const std::string kNone;
  return body_file_ ? *body_file_ : kNone;
}

void HttpRequest::set_body_file(std::string path) {
  body_file_ = std::shared_ptr<const std::string>(new std::string(std::move(path)),
                                                  [](const std::string* owned) {
                                                    ::unlink(owned->c_str());
                                                    delete owned;
                                                  });
}

void HttpRequest::Clear() {
  method_ = Method::kGet;
  body_file_.reset();
  path_.clear();
  query_.clear();
  body_.clear();
  request_id_.clear();
  api_key_id_.clear();
  header_count_ = 0;
  path_param_count_ = 0;
}

}  // namespace modelhost::api

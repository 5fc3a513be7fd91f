// A minimal blocking HTTP/1.1 client over a raw loopback socket, for tests
// that must control the bytes on the wire (malformed requests, keep-alive,
// half-finished requests). Every read has a receive timeout so a broken
// server fails the test instead of hanging it.

#ifndef MODELHOST_TESTS_UNIT_API_TEST_HTTP_CLIENT_H_
#define MODELHOST_TESTS_UNIT_API_TEST_HTTP_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace modelhost::api::testing {

struct ParsedResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class TestHttpClient {
 public:
  explicit TestHttpClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~TestHttpClient() { Close(); }
  TestHttpClient(const TestHttpClient&) = delete;
  TestHttpClient& operator=(const TestHttpClient&) = delete;

  bool connected() const { return connected_; }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool Send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Sends a GET with optional extra header lines ("Name: value\r\n").
  bool Get(const std::string& target, const std::string& extra_headers = "") {
    return Send("GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra_headers + "\r\n");
  }

  // Reads one response (Content-Length or chunked body). nullopt on EOF,
  // timeout or garbage.
  std::optional<ParsedResponse> ReadResponse() {
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    ParsedResponse response;
    std::string head = buffer_.substr(0, head_end);
    buffer_.erase(0, head_end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    response.status = std::stoi(status_line.substr(9, 3));
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string::npos) end = head.size();
      std::string line = head.substr(pos, end - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(tolower(c));
      size_t value_start = line.find_first_not_of(' ', colon + 1);
      response.headers[name] = value_start == std::string::npos ? "" : line.substr(value_start);
      pos = end + 2;
    }
    if (response.Header("transfer-encoding") == "chunked") {
      if (!ReadChunked(&response.body)) return std::nullopt;
    } else {
      std::string length = response.Header("content-length");
      size_t size = length.empty() ? 0 : std::stoul(length);
      while (buffer_.size() < size) {
        if (!Fill()) return std::nullopt;
      }
      response.body = buffer_.substr(0, size);
      buffer_.erase(0, size);
    }
    return response;
  }

  // Reads until `needle` has arrived (in the raw bytes after what responses
  // consumed). Returns everything read so far, or nullopt on EOF/timeout.
  std::optional<std::string> ReadUntil(const std::string& needle) {
    while (buffer_.find(needle) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    return buffer_;
  }

  // Waits at most `timeout` for the server to close the connection: true on
  // EOF or reset, false when the time passed with the connection open. Bytes
  // that arrive meanwhile are kept for later reads.
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() < 0) return false;
      pollfd entry{fd_, POLLIN, 0};
      int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
      if (ready == 0) return false;
      if (ready < 0) continue;
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof(chunk), MSG_DONTWAIT);
      if (n == 0) return true;
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
        return true;  // reset
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  // True when the server closed the connection (EOF or reset) before the
  // receive timeout; false if data arrived or the timeout hit.
  bool WaitForClose() {
    char byte;
    ssize_t n = ::recv(fd_, &byte, 1, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
    buffer_.push_back(byte);
    return false;
  }

 private:
  bool Fill() {
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  bool ReadChunked(std::string* body) {
    while (true) {
      size_t line_end;
      while ((line_end = buffer_.find("\r\n")) == std::string::npos) {
        if (!Fill()) return false;
      }
      size_t size = std::stoul(buffer_.substr(0, line_end), nullptr, 16);
      while (buffer_.size() < line_end + 2 + size + 2) {
        if (!Fill()) return false;
      }
      body->append(buffer_, line_end + 2, size);
      buffer_.erase(0, line_end + 2 + size + 2);
      if (size == 0) return true;
    }
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

}  // namespace modelhost::api::testing

#endif  // MODELHOST_TESTS_UNIT_API_TEST_HTTP_CLIENT_H_

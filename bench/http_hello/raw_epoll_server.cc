// raw_epoll_server: the reference point of the hello benchmark (bench/README.md).
//
// About the least work an HTTP/1.1 server can do and still be correct for a
// keep-alive client: N threads, each with its own epoll instance and its own
// SO_REUSEPORT listener on the same port (the kernel spreads connections), no
// locks, no allocation per request once buffers have grown. It parses only
// enough to find where a request ends (end of headers, Content-Length) and
// whether the client asked to close, and answers every request with the same
// 200 response that modelhost gives to GET /v2: the same status line, the same
// headers (Content-Type, X-Request-Id with 16 hex digits, Content-Length) and
// a body of the same bytes. Any path and method get that response.
//
//   raw_epoll_server [--host 127.0.0.1] [--port 0] [--threads 2]
//
// Prints "raw_epoll_server listening on http://HOST:PORT" on stdout once every
// thread accepts connections (port 0 picks a free port). Runs until killed.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr std::string_view kBody = R"({"name":"modelhost","version":"0.1.0","extensions":[]})";
// Requests whose headers do not end within this many bytes are refused.
constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr int kMaxEvents = 256;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 2;
};

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "raw_epoll_server: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

bool ParseOptions(int argc, char** argv, Options* options) {
  for (int arg = 1; arg + 1 < argc; arg += 2) {
    const std::string_view name = argv[arg];
    const char* value = argv[arg + 1];
    if (name == "--host") {
      options->host = value;
    } else if (name == "--port") {
      options->port = std::atoi(value);
    } else if (name == "--threads") {
      options->threads = std::atoi(value);
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && options->threads >= 1 && options->port >= 0 && options->port < 65536;
}

int OpenListener(const Options& options, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) Die("socket");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) Die("SO_REUSEPORT");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, options.host.c_str(), &address.sin_addr) != 1) {
    std::fprintf(stderr, "raw_epoll_server: bad IPv4 host '%s'\n", options.host.c_str());
    std::exit(2);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) Die("bind");
  if (::listen(fd, SOMAXCONN) != 0) Die("listen");
  return fd;
}

int BoundPort(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) Die("getsockname");
  return ntohs(address.sin_port);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t index = 0; index < a.size(); ++index) {
    if (std::tolower(static_cast<unsigned char>(a[index])) !=
        std::tolower(static_cast<unsigned char>(b[index]))) {
      return false;
    }
  }
  return true;
}

// What the parser needs from one request's header block.
struct RequestHead {
  size_t content_length = 0;
  bool close = false;
  bool valid = true;
};

// `head` is the header block without its final blank line.
RequestHead ParseHead(std::string_view head) {
  RequestHead result;
  const size_t first_line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, first_line_end);
  result.close = request_line.ends_with("HTTP/1.0");  // 1.0 closes unless keep-alive; keep simple
  size_t position = first_line_end == std::string_view::npos ? head.size() : first_line_end + 2;
  while (position < head.size()) {
    size_t line_end = head.find("\r\n", position);
    if (line_end == std::string_view::npos) line_end = head.size();
    const std::string_view line = head.substr(position, line_end - position);
    position = line_end + 2;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    if (EqualsIgnoreCase(name, "content-length")) {
      size_t length = 0;
      for (const char c : value) {
        if (c < '0' || c > '9') {
          result.valid = false;
          break;
        }
        length = length * 10 + static_cast<size_t>(c - '0');
      }
      result.content_length = length;
    } else if (EqualsIgnoreCase(name, "connection")) {
      if (EqualsIgnoreCase(value, "close")) result.close = true;
      if (EqualsIgnoreCase(value, "keep-alive")) result.close = false;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      result.valid = false;  // chunked bodies are beyond this reference
    }
  }
  return result;
}

struct Connection {
  int fd = -1;
  std::string input;
  std::string output;
  size_t output_sent = 0;
  bool close_after_write = false;
  bool want_write = false;  // EPOLLOUT registered
};

class Worker {
 public:
  explicit Worker(int listener) : listener_(listener) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) Die("epoll_create1");
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = listener_;
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, listener_, &event) != 0) Die("epoll_ctl listener");
  }

  void Run() {
    epoll_event events[kMaxEvents];
    for (;;) {
      const int ready = ::epoll_wait(epoll_, events, kMaxEvents, -1);
      if (ready < 0) {
        if (errno == EINTR) continue;
        Die("epoll_wait");
      }
      for (int index = 0; index < ready; ++index) {
        const int fd = events[index].data.fd;
        if (fd == listener_) {
          Accept();
          continue;
        }
        Connection* connection = Find(fd);
        if (connection == nullptr) continue;
        if (events[index].events & (EPOLLERR | EPOLLHUP)) {
          Close(connection);
          continue;
        }
        if ((events[index].events & EPOLLOUT) && !Flush(connection)) continue;
        if (events[index].events & EPOLLIN) OnReadable(connection);
      }
    }
  }

 private:
  Connection* Find(int fd) {
    if (fd < 0 || static_cast<size_t>(fd) >= connections_.size()) return nullptr;
    return connections_[fd].get();
  }

  void Accept() {
    for (;;) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN: another thread took it, or none left
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      if (static_cast<size_t>(fd) >= connections_.size()) connections_.resize(fd + 1);
      connections_[fd] = std::make_unique<Connection>();
      connections_[fd]->fd = fd;
      epoll_event event{};
      event.events = EPOLLIN | EPOLLRDHUP;
      event.data.fd = fd;
      if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event) != 0) Close(connections_[fd].get());
    }
  }

  void Close(Connection* connection) {
    const int fd = connection->fd;
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    connections_[fd].reset();
  }

  void OnReadable(Connection* connection) {
    char buffer[16 * 1024];
    for (;;) {
      const ssize_t got = ::read(connection->fd, buffer, sizeof(buffer));
      if (got > 0) {
        connection->input.append(buffer, static_cast<size_t>(got));
        if (static_cast<size_t>(got) < sizeof(buffer)) break;
        continue;
      }
      if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        Close(connection);
        return;
      }
      if (errno == EAGAIN) break;
    }
    if (!ParseRequests(connection)) {
      Close(connection);
      return;
    }
    Flush(connection);
  }

  // Answers every complete request in the input buffer; false on a request
  // this reference does not handle (the connection is then closed).
  bool ParseRequests(Connection* connection) {
    std::string_view input = connection->input;
    size_t consumed = 0;
    while (!connection->close_after_write) {
      const std::string_view rest = input.substr(consumed);
      const size_t head_end = rest.find("\r\n\r\n");
      if (head_end == std::string_view::npos) {
        if (rest.size() > kMaxHeaderBytes) return false;
        break;
      }
      const RequestHead head = ParseHead(rest.substr(0, head_end));
      if (!head.valid) return false;
      const size_t total = head_end + 4 + head.content_length;
      if (rest.size() < total) break;
      consumed += total;
      AppendResponse(&connection->output);
      connection->close_after_write = head.close;
    }
    connection->input.erase(0, consumed);
    return true;
  }

  void AppendResponse(std::string* output) {
    static constexpr char kHex[] = "0123456789abcdef";
    char request_id[16];
    uint64_t id = ++request_counter_ * 0x9E3779B97F4A7C15ull;  // looks random, never repeats
    for (int digit = 15; digit >= 0; --digit) {
      request_id[digit] = kHex[id & 0xF];
      id >>= 4;
    }
    output->append("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: ");
    output->append(request_id, sizeof(request_id));
    output->append("\r\nContent-Length: ");
    output->append(std::to_string(kBody.size()));
    output->append("\r\n\r\n");
    output->append(kBody);
  }

  // Writes what it can; false if the connection was closed.
  bool Flush(Connection* connection) {
    while (connection->output_sent < connection->output.size()) {
      const ssize_t sent =
          ::send(connection->fd, connection->output.data() + connection->output_sent,
                 connection->output.size() - connection->output_sent, MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return SetWantWrite(connection, true);
        Close(connection);
        return false;
      }
      connection->output_sent += static_cast<size_t>(sent);
    }
    connection->output.clear();
    connection->output_sent = 0;
    if (connection->close_after_write) {
      Close(connection);
      return false;
    }
    return SetWantWrite(connection, false);
  }

  bool SetWantWrite(Connection* connection, bool want) {
    if (connection->want_write == want) return true;
    connection->want_write = want;
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0u);
    event.data.fd = connection->fd;
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, connection->fd, &event);
    return true;
  }

  const int listener_;
  int epoll_ = -1;
  uint64_t request_counter_ = 0;
  // Indexed by file descriptor; only this thread's connections are set.
  std::vector<std::unique_ptr<Connection>> connections_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, &options)) {
    std::fprintf(stderr, "usage: raw_epoll_server [--host H] [--port P] [--threads N]\n");
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  // The first listener fixes the port (a free one when 0); the others join it.
  std::vector<int> listeners{OpenListener(options, options.port)};
  const int port = BoundPort(listeners[0]);
  for (int thread = 1; thread < options.threads; ++thread) {
    listeners.push_back(OpenListener(options, port));
  }
  std::vector<std::thread> threads;
  for (const int listener : listeners) {
    threads.emplace_back([listener] { Worker(listener).Run(); });
  }
  std::printf("raw_epoll_server listening on http://%s:%d\n", options.host.c_str(), port);
  std::fflush(stdout);
  for (std::thread& thread : threads) thread.join();
  return 0;
}

#include "server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace modelhost::testing {
namespace {

constexpr int kStartTimeoutMs = 20000;
constexpr int kSocketTimeoutSeconds = 10;

std::string TempPath(const std::string& stem) {
  static std::atomic<int> counter{0};
  return (std::filesystem::path(::testing::TempDir()) /
          (stem + "." + std::to_string(::getpid()) + "." + std::to_string(counter++)))
      .string();
}

// fork + exec of the binary with stdout to `stdout_fd` and stderr to a file.
pid_t Spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            int stdout_fd, const std::string& stderr_path) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::dup2(stdout_fd, STDOUT_FILENO);
  int stderr_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(stderr_fd, STDERR_FILENO);
  for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
  std::vector<char*> argv;
  std::string binary = MODELHOST_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> copies = args;
  for (auto& arg : copies) argv.push_back(arg.data());
  argv.push_back(nullptr);
  ::execv(binary.c_str(), argv.data());
  ::_exit(127);
}

int ExitCodeOf(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

int ConnectTo(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{kSocketTimeoutSeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ADD_FAILURE() << "connect to port " << port << ": " << std::strerror(errno);
  }
  return fd;
}

HttpReply ParseReply(const std::string& raw) {
  HttpReply reply;
  size_t header_end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || header_end == std::string::npos) {
    ADD_FAILURE() << "not an HTTP response: " << raw;
    return reply;
  }
  reply.status = std::stoi(raw.substr(9, 3));
  std::istringstream lines(raw.substr(0, header_end));
  std::string line;
  std::getline(lines, line);  // status line
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t value_start = line.find_first_not_of(' ', colon + 1);
    reply.headers[name] = value_start == std::string::npos ? "" : line.substr(value_start);
  }
  reply.body = raw.substr(header_end + 4);
  return reply;
}

}  // namespace

std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

CommandResult RunModelhost(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& environment) {
  std::string stdout_path = TempPath("stdout");
  std::string stderr_path = TempPath("stderr");
  int stdout_fd = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = Spawn(args, environment, stdout_fd, stderr_path);
  ::close(stdout_fd);
  int wait_status = 0;
  ::waitpid(pid, &wait_status, 0);
  CommandResult result{ExitCodeOf(wait_status), ReadWholeFile(stdout_path),
                       ReadWholeFile(stderr_path)};
  std::filesystem::remove(stdout_path);
  std::filesystem::remove(stderr_path);
  return result;
}

ServerProcess::ServerProcess(const std::string& data_dir,
                             const std::vector<std::string>& extra_args,
                             const std::map<std::string, std::string>& environment)
    : data_dir_(data_dir), stderr_path_(TempPath("server-stderr")) {
  std::vector<std::string> args = {"serve", "--host",     "127.0.0.1", "--port",
                                   "0",     "--data-dir", data_dir};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return;
  }
  pid_ = Spawn(args, environment, pipe_fds[1], stderr_path_);
  ::close(pipe_fds[1]);

  std::string output;
  const std::string marker = "listening on http://127.0.0.1:";
  pollfd readable{pipe_fds[0], POLLIN, 0};
  auto has_listening_line = [&] {
    size_t at = output.find(marker);
    return at != std::string::npos && output.find('\n', at) != std::string::npos;
  };
  while (!has_listening_line()) {
    if (::poll(&readable, 1, kStartTimeoutMs) <= 0) break;
    char buffer[256];
    ssize_t count = ::read(pipe_fds[0], buffer, sizeof(buffer));
    if (count <= 0) break;
    output.append(buffer, static_cast<size_t>(count));
  }
  ::close(pipe_fds[0]);
  size_t at = output.find(marker);
  if (at == std::string::npos) {
    ADD_FAILURE() << "server did not start; stdout: " << output << "\nstderr: " << StderrText();
    return;
  }
  port_ = static_cast<uint16_t>(std::stoi(output.substr(at + marker.size())));
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) StopWith(SIGKILL);
  std::filesystem::remove(stderr_path_);
}

int ServerProcess::StopWith(int signal_number) {
  Signal(signal_number);
  return WaitForExit();
}

void ServerProcess::Signal(int signal_number) {
  if (pid_ > 0) ::kill(pid_, signal_number);
}

bool ServerProcess::WaitForStderr(const std::string& text) const {
  // Polls the log file: the event is a line another process writes, which
  // offers nothing to block on.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    if (StderrText().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

int ServerProcess::WaitForExit() {
  if (pid_ <= 0) return -1;
  int wait_status = 0;
  ::waitpid(pid_, &wait_status, 0);
  pid_ = -1;
  return ExitCodeOf(wait_status);
}

std::string ServerProcess::StderrText() const { return ReadWholeFile(stderr_path_); }

bool WaitUntilRefused(uint16_t port) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool refused = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 &&
                   errno == ECONNREFUSED;
    ::close(fd);
    if (refused) return true;
    // Nothing to block on: the state lives in another process.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

HttpReply HttpRequest(uint16_t port, const std::string& method, const std::string& target,
                      const std::string& body, const std::map<std::string, std::string>& headers) {
  RawConnection connection(port);
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "Connection: close\r\n\r\n" + body;
  connection.Send(request);
  return ParseReply(connection.ReadUntilClosed());
}

RawConnection::RawConnection(uint16_t port) : fd_(ConnectTo(port)) {}

RawConnection::~RawConnection() { ::close(fd_); }

void RawConnection::Send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t count = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (count <= 0) {
      ADD_FAILURE() << "send: " << std::strerror(errno);
      return;
    }
    sent += static_cast<size_t>(count);
  }
}

std::string RawConnection::ReadUntilClosed() {
  std::string received;
  char buffer[4096];
  ssize_t count;
  while ((count = ::recv(fd_, buffer, sizeof(buffer), 0)) > 0) {
    received.append(buffer, static_cast<size_t>(count));
  }
  return received;
}

std::string RawConnection::ReadOneResponse() {
  std::string received;
  char buffer[4096];
  size_t expected = std::string::npos;
  while (received.size() < expected) {
    ssize_t count = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (count <= 0) break;
    received.append(buffer, static_cast<size_t>(count));
    size_t header_end = received.find("\r\n\r\n");
    if (expected == std::string::npos && header_end != std::string::npos) {
      HttpReply head = ParseReply(received.substr(0, header_end + 4));
      size_t length =
          head.headers.count("content-length") ? std::stoul(head.headers["content-length"]) : 0;
      expected = header_end + 4 + length;
    }
  }
  return received;
}

std::string ServerProcess::AdminKey() const {
  std::ifstream file(data_dir_ + "/admin.key");
  std::string key;
  file >> key;
  return key;
}

std::map<std::string, std::string> ServerProcess::AdminAuth() const {
  return {{"Authorization", "Bearer " + AdminKey()}};
}

}  // namespace modelhost::testing

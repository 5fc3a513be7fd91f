// ServerProcess: runs the real `modelhost` binary as a child process for
// integration tests, and a minimal blocking HTTP/1.1 client to talk to it.
//
// Thread-safety: one test thread per object.

#ifndef MODELHOST_TESTS_INTEGRATION_SERVER_PROCESS_H_
#define MODELHOST_TESTS_INTEGRATION_SERVER_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace modelhost::testing {

// What a finished `modelhost` command printed and returned.
struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string stdout_text;
  std::string stderr_text;
};

// The bytes of the file at `path`; "" when it cannot be read.
std::string ReadWholeFile(const std::filesystem::path& path);

// Runs `modelhost args...` to completion with extra environment variables.
CommandResult RunModelhost(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& environment = {});

class ServerProcess {
 public:
  // Starts `modelhost serve --host 127.0.0.1 --port 0 --data-dir <data_dir> extra_args...`
  // and waits for its "listening on" line. Fails the current test (and
  // leaves port() == 0) when the process exits first.
  ServerProcess(const std::string& data_dir, const std::vector<std::string>& extra_args = {},
                const std::map<std::string, std::string>& environment = {});
  // Kills the process if it still runs.
  ~ServerProcess();

  uint16_t port() const { return port_; }
  // The first admin API key, which the server wrote to <data_dir>/admin.key
  // at its first start ("" if there is none, as with --auth=off).
  std::string AdminKey() const;
  // {"Authorization": "Bearer <AdminKey()>"}, for HttpRequest.
  std::map<std::string, std::string> AdminAuth() const;
  // Sends `signal_number` and waits for the exit; returns the exit code (-1 if signalled).
  int StopWith(int signal_number);
  void Signal(int signal_number);
  // Waits for the process to exit; returns its exit code (-1 if signalled).
  int WaitForExit();
  // Waits (up to 10 s) until stderr contains `text`; false if it never does.
  bool WaitForStderr(const std::string& text) const;
  // Everything the process wrote on stderr so far (complete once stopped).
  std::string StderrText() const;

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string data_dir_;
  std::string stderr_path_;
};

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// Waits (up to 10 s) until connecting to 127.0.0.1:port is refused, i.e. the
// server closed its listening socket; false if it never is.
bool WaitUntilRefused(uint16_t port);

// One request on a fresh connection to 127.0.0.1:port.
HttpReply HttpRequest(uint16_t port, const std::string& method, const std::string& target,
                      const std::string& body = "",
                      const std::map<std::string, std::string>& headers = {});

// A raw TCP connection for sending hand-made bytes.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port);
  ~RawConnection();
  void Send(const std::string& bytes);
  // Reads until the peer closes the connection (or 10 s pass); returns what arrived.
  std::string ReadUntilClosed();
  // Reads one HTTP response (headers + Content-Length body) and returns it raw.
  std::string ReadOneResponse();

 private:
  int fd_ = -1;
};

}  // namespace modelhost::testing

#endif  // MODELHOST_TESTS_INTEGRATION_SERVER_PROCESS_H_

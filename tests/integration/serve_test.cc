// Starts the real `modelhost serve` and checks the HTTP core and the
// process contract (exit codes, signals, data directory) from outside.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "server_process.h"

namespace modelhost::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ =
        std::filesystem::path(::testing::TempDir()) /
        ("serve_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(data_dir_);
  }
  void TearDown() override { std::filesystem::remove_all(data_dir_); }

  std::filesystem::path data_dir_;
};

TEST_F(ServeTest, HealthRoutesAnswerAndDataDirIsCreated) {
  ServerProcess server(data_dir_.string());
  ASSERT_NE(server.port(), 0);
  HttpReply live = HttpRequest(server.port(), "GET", "/v2/health/live");
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(live.body, "");
  EXPECT_EQ(HttpRequest(server.port(), "GET", "/v2/health/ready").status, 200);
  EXPECT_TRUE(std::filesystem::exists(data_dir_ / "modelhost.db"));
  EXPECT_EQ(server.StopWith(SIGTERM), 0);
}

TEST_F(ServeTest, ServerMetadataFollowsKserveV2) {
  ServerProcess server(data_dir_.string());
  HttpReply reply = HttpRequest(server.port(), "GET", "/v2", "", server.AdminAuth());
  ASSERT_EQ(reply.status, 200);
  EXPECT_THAT(reply.headers["content-type"], StartsWith("application/json"));
  auto metadata = nlohmann::json::parse(reply.body);
  EXPECT_EQ(metadata["name"], "modelhost");
  std::string version_line = RunModelhost({"version"}).stdout_text;
  EXPECT_EQ("modelhost " + metadata["version"].get<std::string>() + "\n", version_line);
  EXPECT_TRUE(metadata["extensions"].is_array());
}

TEST_F(ServeTest, MetricsCountRequestsPerRoute) {
  ServerProcess server(data_dir_.string());
  for (int request = 0; request < 3; ++request) {
    ASSERT_EQ(HttpRequest(server.port(), "GET", "/v2/health/live").status, 200);
  }
  HttpReply metrics = HttpRequest(server.port(), "GET", "/metrics", "", server.AdminAuth());
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.headers["content-type"], StartsWith("text/plain"));
  EXPECT_THAT(metrics.body, HasSubstr("# TYPE modelhost_http_requests_total counter"));
  EXPECT_THAT(metrics.body,
              HasSubstr("modelhost_http_requests_total{route=\"/v2/health/live\",method=\"GET\","
                        "code=\"200\"} 3\n"));
}

TEST_F(ServeTest, ErrorsAreJsonWithTheRightStatus) {
  ServerProcess server(data_dir_.string(), {"--max-body-bytes", "1KiB"});
  HttpReply missing = HttpRequest(server.port(), "GET", "/v9/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing.body)["error"]["code"], "not_found");

  HttpReply wrong_method = HttpRequest(server.port(), "DELETE", "/v2/health/live");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_THAT(wrong_method.headers["allow"], HasSubstr("GET"));
  EXPECT_TRUE(nlohmann::json::parse(wrong_method.body).contains("error"));

  // The route and the key are checked first (from the head), then the size.
  HttpReply too_big =
      HttpRequest(server.port(), "POST", "/v1/keys", std::string(4096, 'x'), server.AdminAuth());
  EXPECT_EQ(too_big.status, 413);
  EXPECT_TRUE(nlohmann::json::parse(too_big.body).contains("error"));
}

TEST_F(ServeTest, MalformedRequestGets400AndTheConnectionCloses) {
  ServerProcess server(data_dir_.string());
  RawConnection connection(server.port());
  connection.Send("THIS IS NOT HTTP\r\n\r\n");
  std::string reply = connection.ReadUntilClosed();  // returns only because the server closed
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 400"));
  // The server is still fine for everyone else.
  EXPECT_EQ(HttpRequest(server.port(), "GET", "/v2/health/live").status, 200);
}

TEST_F(ServeTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  ServerProcess server(data_dir_.string());
  RawConnection connection(server.port());
  for (int request = 0; request < 3; ++request) {
    connection.Send("GET /v2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + server.AdminKey() +
                    "\r\n\r\n");
    EXPECT_THAT(connection.ReadOneResponse(), StartsWith("HTTP/1.1 200"));
  }
}

TEST_F(ServeTest, RequestIdIsEchoedOrGenerated) {
  ServerProcess server(data_dir_.string());
  HttpReply echoed =
      HttpRequest(server.port(), "GET", "/v2/health/live", "", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(echoed.headers["x-request-id"], "abc-123");
  HttpReply generated = HttpRequest(server.port(), "GET", "/v2/health/live");
  EXPECT_FALSE(generated.headers["x-request-id"].empty());
}

TEST_F(ServeTest, SigtermLetsAnInFlightRequestFinishThenExitsZero) {
  // One I/O thread: the probe below is answered by the loop that also owns the
  // first connection, after it has read the bytes that arrived before.
  ServerProcess server(data_dir_.string(), {"--threads", "1"});
  RawConnection connection(server.port());
  // Headers and half the body: the request is in flight when the signal lands.
  connection.Send("POST /v2/health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
  ASSERT_EQ(HttpRequest(server.port(), "GET", "/v2/health/live").status, 200);
  server.Signal(SIGTERM);
  // Draining has begun once the listening socket is closed.
  ASSERT_TRUE(WaitUntilRefused(server.port()));
  connection.Send("67890");
  EXPECT_THAT(connection.ReadOneResponse(), StartsWith("HTTP/1.1 405"));
  EXPECT_EQ(server.WaitForExit(), 0);
}

TEST_F(ServeTest, SigintStopsCleanly) {
  ServerProcess server(data_dir_.string());
  ASSERT_EQ(HttpRequest(server.port(), "GET", "/v2/health/live").status, 200);
  EXPECT_EQ(server.StopWith(SIGINT), 0);
  EXPECT_THAT(server.StderrText(), HasSubstr("shutting down"));
}

TEST_F(ServeTest, JsonLogFormatFromConfigFile) {
  std::filesystem::create_directories(data_dir_);
  std::string config = (data_dir_ / "config.json").string();
  std::ofstream(config) << R"({"log_format": "json", "threads": 1})";
  ServerProcess server((data_dir_ / "data").string(), {"--config", config});
  ASSERT_NE(server.port(), 0);
  ASSERT_EQ(server.StopWith(SIGTERM), 0);
  // Every stderr line is a JSON object; the "serving" one carries the settings.
  std::istringstream lines(server.StderrText());
  std::string text;
  bool found_serving = false;
  while (std::getline(lines, text)) {
    auto line = nlohmann::json::parse(text);  // throws (fails the test) on a non-JSON line
    if (line["msg"] == "serving") {
      found_serving = true;
      EXPECT_EQ(line["threads"], 1);
    }
  }
  EXPECT_TRUE(found_serving) << server.StderrText();
}

TEST(CliTest, VersionPrintsTheVersion) {
  CommandResult result = RunModelhost({"version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.stdout_text, StartsWith("modelhost 0."));
}

TEST(CliTest, HelpListsServeFlagsWithTheirEnvironmentNames) {
  CommandResult result = RunModelhost({"serve", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.stdout_text, HasSubstr("--data-dir"));
  EXPECT_THAT(result.stdout_text, HasSubstr("MODELHOST_PORT"));
}

TEST(CliTest, UsageErrorsAreOneLineAndExitTwo) {
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> environment;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"serve", "--no-such-flag"}, {}, "--no-such-flag"},
      {{"serve", "--port", "70000"}, {}, "--port '70000': must be at most 65535"},
      {{"serve", "--port", "http"}, {}, "not an integer"},
      {{"serve"}, {{"MODELHOST_THREADS", "many"}}, "MODELHOST_THREADS='many'"},
      {{"serve", "--config", "/nonexistent/m.json"}, {}, "/nonexistent/m.json"},
      {{"frobnicate"}, {}, "frobnicate"},
  };
  for (const Case& c : cases) {
    CommandResult result = RunModelhost(c.args, c.environment);
    EXPECT_EQ(result.exit_code, 2) << c.expected;
    EXPECT_THAT(result.stderr_text, HasSubstr(c.expected));
    EXPECT_EQ(std::count(result.stderr_text.begin(), result.stderr_text.end(), '\n'), 1)
        << result.stderr_text;
  }
}

TEST(CliTest, UnknownConfigKeyExitsTwoNamingTheKey) {
  std::string config = (std::filesystem::path(::testing::TempDir()) / "bad-key.json").string();
  std::ofstream(config) << R"({"prot": 1})";
  CommandResult result = RunModelhost({"serve", "--config", config});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.stderr_text, HasSubstr("unknown key 'prot' (did you mean 'port'?)"));
}

TEST(CliTest, PortInUseExitsOneWithOneLine) {
  std::string data_dir = (std::filesystem::path(::testing::TempDir()) / "port_in_use").string();
  ServerProcess first(data_dir + "-a");
  ASSERT_NE(first.port(), 0);
  CommandResult second =
      RunModelhost({"serve", "--host", "127.0.0.1", "--port", std::to_string(first.port()),
                    "--data-dir", data_dir + "-b"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.stderr_text, HasSubstr(std::to_string(first.port())));
  EXPECT_EQ(std::count(second.stderr_text.begin(), second.stderr_text.end(), '\n'), 1)
      << second.stderr_text;
}

TEST(CliTest, UnusableDataDirExitsOne) {
  std::filesystem::path file = std::filesystem::path(::testing::TempDir()) / "plain-file";
  std::ofstream(file) << "not a directory";
  CommandResult result =
      RunModelhost({"serve", "--port", "0", "--data-dir", (file / "data").string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.stderr_text, HasSubstr("data dir"));
  EXPECT_THAT(result.stderr_text, HasSubstr((file / "data").string()));
}

}  // namespace
}  // namespace modelhost::testing

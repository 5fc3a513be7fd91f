#include "cli/serve_command.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/http_server.h"
#include "api/system_routes.h"
#include "core/metrics.h"
#include "core/version.h"
#include "store/sqlite_database.h"

namespace modelhost::cli {
namespace {

constexpr int kMaxThreads = 256;

// Creates the data directory and opens (migrating) its metadata database.
core::Result<std::unique_ptr<store::SqliteDatabase>> OpenDataDirectory(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) return core::Unavailable("data dir " + path + ": cannot create: " + error.message());
  if (!std::filesystem::is_directory(path, error)) {
    return core::Unavailable("data dir " + path + ": not a directory");
  }
  std::string database_path = (std::filesystem::path(path) / "modelhost.db").string();
  return store::SqliteDatabase::Open(database_path, store::MetadataMigrations());
}

pthread_t main_thread;

// Threads that exist before BlockStopSignals runs do not inherit its mask:
// OpenBLAS (linked for nn) starts its workers in a library constructor,
// before main. The kernel may hand a process-directed SIGTERM to one of them,
// whose default action would kill the process mid-request; this handler
// passes it on to the main thread instead, where sigwait takes it.
// pthread_kill is async-signal-safe.
void ForwardToMainThread(int signal_number) { pthread_kill(main_thread, signal_number); }

// Blocks SIGINT and SIGTERM in this thread and every thread it starts later,
// so that they are only ever received by WaitForStopSignal, and forwards them
// from threads started earlier (see ForwardToMainThread).
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  main_thread = pthread_self();
  struct sigaction forward {};
  forward.sa_handler = ForwardToMainThread;
  sigfillset(&forward.sa_mask);
  sigaction(SIGINT, &forward, nullptr);
  sigaction(SIGTERM, &forward, nullptr);
  // A peer closing its socket must surface as EPIPE on the write, not kill us.
  signal(SIGPIPE, SIG_IGN);
  return signals;
}

int WaitForStopSignal(const sigset_t& signals) {
  int received = 0;
  while (sigwait(&signals, &received) != 0) {
  }
  return received;
}

int Fail(const core::Status& status) {
  std::cerr << "modelhost: " << status.message() << "\n";
  return 1;
}

}  // namespace

core::SettingsSchema ServeSettings(ServeOptions* options) {
  if (options->threads == 0) {
    options->threads = std::max(1u, std::thread::hardware_concurrency());
  }
  core::SettingsSchema schema;
  schema.AddString("host", &options->host, "Address to listen on");
  schema.AddInt("port", &options->port, 0, 65535, "TCP port (0 picks a free one)");
  schema.AddString("data_dir", &options->data_dir, "Directory of the database and artifacts");
  schema.AddInt("threads", &options->threads, 1, kMaxThreads, "HTTP I/O threads");
  schema.AddBytes("max_body_bytes", &options->max_body_bytes,
                  "Largest request body accepted (e.g. 64MiB)");
  schema.AddInt("drain_timeout_seconds", &options->drain_timeout_seconds, 0, 3600,
                "Seconds shutdown waits for in-flight requests");
  schema.AddParsed("log_level", &options->log_level, &core::ParseLogLevel, &core::ToString,
                   "Log level: debug, info, warn, error, off");
  schema.AddParsed("log_format", &options->log_format, &core::ParseLogFormat, &core::ToString,
                   "Log format: text or json (JSON Lines)");
  return schema;
}

int RunServe(const ServeOptions& options) {
  core::ConfigureLogging({.level = options.log_level, .format = options.log_format});
  sigset_t stop_signals = BlockStopSignals();

  auto database = OpenDataDirectory(options.data_dir);
  if (!database.ok()) return Fail(database.status());

  core::MetricsRegistry metrics;
  api::Router router;
  std::atomic<bool> ready{false};
  api::AddSystemRoutes(router, {.ready = [&ready] { return ready.load(); }, .metrics = &metrics});

  api::HttpServerOptions server_options;
  server_options.host = options.host;
  server_options.port = static_cast<uint16_t>(options.port);
  server_options.io_threads = options.threads;
  server_options.max_body_bytes = options.max_body_bytes;
  server_options.drain_timeout = std::chrono::seconds(options.drain_timeout_seconds);
  auto server = api::HttpServer::Start(server_options, std::move(router), &metrics);
  if (!server.ok()) return Fail(server.status());
  ready = true;

  std::string url = "http://" + options.host + ":" + std::to_string((*server)->port());
  core::LogInfo("serving", {{"url", url},
                            {"data_dir", options.data_dir},
                            {"threads", options.threads},
                            {"version", std::string(core::ModelhostVersion())}});
  // Scripts and tests read the bound port from this line.
  std::cout << "modelhost listening on " << url << std::endl;

  int signal_number = WaitForStopSignal(stop_signals);
  core::LogInfo("shutting down", {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
  ready = false;
  (*server)->Shutdown();
  core::LogInfo("stopped");
  return 0;
}

}  // namespace modelhost::cli

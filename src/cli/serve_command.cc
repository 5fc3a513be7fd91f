#include "cli/serve_command.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "api/authenticator.h"
#include "api/console_routes.h"
#include "api/dataset_job_routes.h"
#include "api/dataset_routes.h"
#include "api/http_server.h"
#include "api/key_routes.h"
#include "api/kserve_routes.h"
#include "api/model_routes.h"
#include "api/openapi_routes.h"
#include "api/predict_routes.h"
#include "api/system_routes.h"
#include "api/training_job_routes.h"
#include "core/metrics.h"
#include "core/version.h"
#include "jobs/dataset_jobs.h"
#include "jobs/dataset_service.h"
#include "jobs/training_jobs.h"
#include "serve/model_cache.h"
#include "store/artifact_paths.h"
#include "store/data_dir_lock.h"
#include "store/metadata_store.h"
#include "store/tmp_sweep.h"

namespace modelhost::cli {
namespace {

constexpr int kMaxThreads = 256;
constexpr int kMaxBatchSize = 1 << 16;
constexpr int kMaxQueueDelayUs = 60'000'000;
constexpr int kMaxQueueSize = 1'000'000;

// Whether `host` is a loopback address, where turning authentication off
// exposes nothing beyond this machine.
bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr address{};
  return inet_pton(AF_INET, host.c_str(), &address) == 1 &&
         (ntohl(address.s_addr) >> 24) == 127;  // 127.0.0.0/8
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
  schema.AddBytes("max_upload_bytes", &options->max_upload_bytes,
                  "Largest dataset upload accepted, streamed to disk (e.g. 20GiB)");
  schema.AddInt("drain_timeout_seconds", &options->drain_timeout_seconds, 0, 3600,
                "Seconds shutdown waits for in-flight requests");
  schema.AddBool("auth", &options->auth,
                 "Require API keys (off only on a loopback host, for local experiments)");
  schema.AddInt("max_batch_size", &options->max_batch_size, 1, kMaxBatchSize,
                "Most rows in one forward pass of a model (1: no batching)");
  schema.AddInt("max_queue_delay_us", &options->max_queue_delay_us, 0, kMaxQueueDelayUs,
                "Microseconds a request waits for others to fill its batch");
  schema.AddInt("max_queue_size", &options->max_queue_size, 1, kMaxQueueSize,
                "Requests that may wait per model before 429");
  schema.AddBytes("model_cache_bytes", &options->model_cache_bytes,
                  "Memory for loaded model versions, least recently used out (e.g. 1GiB)");
  schema.AddInt("model_resolution_ttl_ms", &options->model_resolution_ttl_ms, 0, 3'600'000,
                "Milliseconds a model's aliases and latest version are cached (0: never)");
  schema.AddInt("max_training_jobs", &options->max_training_jobs, 1, 64,
                "Training jobs that run at once; the others wait in order");
  schema.AddBool("preload", &options->preload,
                 "Load every model's production (else latest) version at start");
  schema.AddParsed("log_level", &options->log_level, &core::ParseLogLevel, &core::ToString,
                   "Log level: debug, info, warn, error, off");
  schema.AddParsed("log_format", &options->log_format, &core::ParseLogFormat, &core::ToString,
                   "Log format: text or json (JSON Lines)");
  return schema;
}

int RunServe(const ServeOptions& options) {
  core::ConfigureLogging({.level = options.log_level, .format = options.log_format});
  sigset_t stop_signals = BlockStopSignals();

  if (!options.auth && !IsLoopbackHost(options.host)) {
    std::cerr << "modelhost: --auth=off is allowed only on a loopback host (127.0.0.1, ::1, "
                 "localhost), not "
              << options.host << "\n";
    return 2;
  }
  // First, before anything reads or changes the data directory: the restart
  // rules and sweeps below would otherwise undo the work of another server
  // using it. Declared first, so that it is let go last, once every job and
  // thread that writes there has stopped.
  auto data_dir_lock = store::DataDirLock::Acquire(options.data_dir);
  if (!data_dir_lock.ok()) return Fail(data_dir_lock.status());
  auto store = store::OpenSqliteMetadataStore(options.data_dir);
  if (!store.ok()) return Fail(store.status());
  // Before any job or route can stage a model version there.
  if (core::Status swept = store::SweepTmp(options.data_dir); !swept.ok()) return Fail(swept);

  core::MetricsRegistry metrics;
  api::Router router;
  std::atomic<bool> ready{false};
  api::AddSystemRoutes(router, {.ready = [&ready] { return ready.load(); }, .metrics = &metrics});
  api::AddConsoleRoutes(router);
  serve::ModelCache model_cache(
      store->get(), options.data_dir,
      {.max_bytes = std::max<uint64_t>(options.model_cache_bytes, 1),
       .batcher = {.max_batch_size = static_cast<size_t>(options.max_batch_size),
                   .max_queue_delay_us = options.max_queue_delay_us,
                   .max_queue_size = static_cast<size_t>(options.max_queue_size)},
       .metrics = &metrics,
       .resolution_ttl_ms = options.model_resolution_ttl_ms});
  if (options.preload) {
    // A model that fails to load is logged and answers its error on use; the
    // others serve.
    if (core::Status preloaded = model_cache.Preload(); !preloaded.ok()) {
      std::cerr << "modelhost: preload: " << preloaded.message() << "\n";
    }
  }
  api::AddPredictRoutes(router, {.cache = &model_cache});
  api::AddKserveRoutes(router, store->get(), &model_cache);
  auto training_jobs =
      jobs::TrainingJobs::Start(store->get(), {.data_dir = options.data_dir,
                                               .max_running_jobs = options.max_training_jobs,
                                               .metrics = &metrics});
  if (!training_jobs.ok()) return Fail(training_jobs.status());
  api::AddTrainingJobRoutes(router, training_jobs->get());
  jobs::DatasetService datasets(store->get(), options.data_dir);
  if (core::Status swept = datasets.SweepOrphans(); !swept.ok()) return Fail(swept);
  // Transforms and splits run as jobs on their own thread. Started before
  // the pool below, so that it outlives the pool's tasks that call it.
  auto dataset_jobs = jobs::DatasetJobs::Start(store->get(), &datasets);
  if (!dataset_jobs.ok()) return Fail(dataset_jobs.status());
  // Dataset imports and exports, bundle uploads and downloads, and store
  // work block on disk and CPU: they get their own threads, never the I/O
  // threads.
  auto dataset_workers = core::ThreadPool::Create({.num_threads = 2, .name = "datasets"});
  if (!dataset_workers.ok()) return Fail(dataset_workers.status());
  api::AddDatasetRoutes(router, {.service = &datasets, .workers = dataset_workers->get()});
  api::AddModelRoutes(router, store->get(), options.data_dir, dataset_workers->get());
  api::AddDatasetJobRoutes(
      router,
      {.jobs = dataset_jobs->get(), .service = &datasets, .workers = dataset_workers->get()});

  std::unique_ptr<api::Authenticator> authenticator;
  if (options.auth) {
    auto loaded = api::Authenticator::Load(store->get());
    if (!loaded.ok()) return Fail(loaded.status());
    authenticator = std::move(*loaded);
    api::AddKeyRoutes(router, authenticator.get());
  } else {
    core::LogWarn("AUTHENTICATION IS OFF: every route is open to anyone who can reach this address",
                  {{"host", options.host}});
    std::cerr << "modelhost: WARNING: authentication is off; every route is open on "
              << options.host << "\n";
  }

  // Last: refuses to start with an undocumented route (api/openapi_routes.h).
  core::Status documented = api::AddOpenApiRoute(router, {.auth = options.auth});
  if (!documented.ok()) return Fail(documented);

  api::HttpServerOptions server_options;
  server_options.host = options.host;
  server_options.port = static_cast<uint16_t>(options.port);
  server_options.io_threads = options.threads;
  server_options.max_body_bytes = options.max_body_bytes;
  server_options.upload_dir = store::UploadsPath(options.data_dir);
  server_options.max_upload_bytes = options.max_upload_bytes;
  server_options.drain_timeout = std::chrono::seconds(options.drain_timeout_seconds);
  server_options.authenticator = authenticator.get();
  auto server = api::HttpServer::Start(server_options, std::move(router), &metrics);
  if (!server.ok()) return Fail(server.status());
  // Only once the port is ours: a start that fails leaves no key behind.
  if (authenticator != nullptr) {
    const std::string key_file = (std::filesystem::path(options.data_dir) / "admin.key").string();
    auto created = api::EnsureAdminKey(*authenticator, key_file);
    if (!created.ok()) return Fail(created.status());
    if (*created) {
      core::LogInfo("created the first admin API key", {{"file", key_file}});
      std::cout << "modelhost: the first admin API key is in " << key_file
                << " (readable only by this user)" << std::endl;
    }
  }
  ready = true;

  std::string url = "http://" + options.host + ":" + std::to_string((*server)->port());
  core::LogInfo("serving", {{"url", url},
                            {"data_dir", options.data_dir},
                            {"threads", options.threads},
                            {"auth", options.auth},
                            {"version", std::string(core::ModelhostVersion())}});
  // Scripts and tests read the bound port from this line.
  std::cout << "modelhost listening on " << url << std::endl;

  int signal_number = WaitForStopSignal(stop_signals);
  core::LogInfo("shutting down", {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
  ready = false;
  // A running job stops at its next batch (jobs/training_jobs.h, Shutdown);
  // requests waiting on a dataset job are answered 202 with it now, while
  // the server can still send the answers.
  (*training_jobs)->BeginShutdown();
  (*dataset_jobs)->BeginShutdown();
  (*server)->Shutdown();
  (*training_jobs)->Shutdown();
  // A running transform or split finishes; queued ones wait for the next start.
  (*dataset_jobs)->Shutdown();
  core::LogInfo("stopped");
  return 0;
}

}  // namespace modelhost::cli

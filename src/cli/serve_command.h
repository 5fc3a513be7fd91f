// `modelhost serve`: opens the data directory and its metadata database,
// starts the HTTP server, and runs until SIGINT or SIGTERM, then drains
// in-flight requests and exits 0. On the first start with authentication on,
// it creates an admin API key in <data_dir>/admin.key (mode 0600) and says so.
//
// Thread-safety: RunServe is called once, from the main thread, before any
// other thread exists (it sets the process signal mask).

#ifndef MODELHOST_CLI_SERVE_COMMAND_H_
#define MODELHOST_CLI_SERVE_COMMAND_H_

#include <cstdint>
#include <string>

#include "core/log.h"
#include "core/settings.h"
#include "serve/batcher_options.h"
#include "serve/model_cache.h"

namespace modelhost::cli {

struct ServeOptions {
  // Address to bind. Loopback by default: exposing the server is a choice.
  std::string host = "127.0.0.1";
  // TCP port; 0 picks a free one (the chosen port is printed).
  int port = 8080;
  // Where the metadata database and artifacts live; created if missing.
  std::string data_dir = "./modelhost-data";
  // HTTP I/O threads. Default: the number of cores.
  int threads = 0;
  // Largest request body accepted; larger ones get 413.
  uint64_t max_body_bytes = 64ull << 20;
  // Largest dataset upload; uploads stream to disk, so this bounds disk use.
  uint64_t max_upload_bytes = 20ull << 30;
  // How long shutdown waits for in-flight requests before closing them.
  int drain_timeout_seconds = 10;
  // Require an API key on every route but the health probes. Off is allowed
  // only when `host` is a loopback address.
  bool auth = true;
  // Dynamic batching of each loaded model version (serve/batcher_options.h):
  // the most rows in one forward pass (1 turns batching off), how long the
  // oldest request waits for others, and how many requests may wait before
  // the next one is refused with 429.
  int max_batch_size = static_cast<int>(serve::BatcherOptions{}.max_batch_size);
  int max_queue_delay_us = static_cast<int>(serve::BatcherOptions{}.max_queue_delay_us);
  int max_queue_size = static_cast<int>(serve::BatcherOptions{}.max_queue_size);
  // Most bytes of loaded model versions kept in memory (least recently used
  // go first; serve/model_cache.h).
  uint64_t model_cache_bytes = serve::ModelCacheOptions{}.max_bytes;
  // How long a model's aliases and latest version are cached before they are
  // read again (0: on every request).
  int model_resolution_ttl_ms = static_cast<int>(serve::ModelCacheOptions{}.resolution_ttl_ms);
  // Load every model's production (else latest) version before serving.
  bool preload = false;
  // Training jobs that run at the same time; the others wait in order
  // (jobs/training_jobs.h).
  int max_training_jobs = 1;
  core::LogLevel log_level = core::LogLevel::kInfo;
  core::LogFormat log_format = core::LogFormat::kText;
};

// The settings `serve` reads from flags, MODELHOST_* variables and the config
// file, bound to the fields of `*options` (which must outlive the schema).
// Fills `threads` with the core count first so help shows the real default.
core::SettingsSchema ServeSettings(ServeOptions* options);

// Serves until SIGINT/SIGTERM. Returns the process exit code: 0 after a clean
// shutdown, 1 when the data directory, database or listening socket cannot be
// set up, 2 for auth off on a non-loopback host (the reason is one line on
// stderr).
int RunServe(const ServeOptions& options);

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_SERVE_COMMAND_H_

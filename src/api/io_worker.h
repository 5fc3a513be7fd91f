// IoWorker and ServerShared: the per-I/O-thread and the server-wide state of
// HttpServer, shared by the server core and its connections. Internal to api/
// (it exposes Boost.Asio; never include it from another module).
//
// Thread-safety: an IoWorker's fields other than `gate` are touched only on its
// own thread (while it runs) or after it was joined. ServerShared is immutable
// while running except its atomics and the drain mutex/condition.

#ifndef MODELHOST_API_IO_WORKER_H_
#define MODELHOST_API_IO_WORKER_H_

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "api/http_server.h"
#include "api/request_id.h"
#include "api/request_metrics.h"
#include "api/router.h"

namespace modelhost::api::internal {

class HttpConnection;

// Lets any thread post work to one I/O thread until the server stops, after
// which posts are dropped. This is what keeps a Responder that outlives the
// server from touching a destroyed event loop: the gate is shared by every
// Port of its thread and outlives the loop, and nothing in it dereferences
// the loop once Close() returned.
class IoGate {
 public:
  explicit IoGate(boost::asio::io_context* io) : io_(io) {}

  // Posts `work` to the I/O thread; drops it (returns false) once closed.
  template <typename Work>
  bool Post(Work&& work) {
    std::lock_guard lock(mu_);
    if (io_ == nullptr) return false;
    boost::asio::post(*io_, std::forward<Work>(work));
    return true;
  }

  // Records the calling thread as this gate's I/O thread. Called by that
  // thread before it runs the loop.
  void SetIoThread() { io_thread_.store(std::this_thread::get_id(), std::memory_order_release); }

  // True when called on this gate's I/O thread while it runs. Lock-free, and
  // reads only the gate itself (never the io_context, which may already be
  // destroyed when a Responder outlives the server).
  bool RunningInThisThread() const {
    return io_thread_.load(std::memory_order_acquire) == std::this_thread::get_id();
  }

  // Drops every later Post. Called after the loop stopped taking work and
  // before it is destroyed.
  void Close() {
    std::lock_guard lock(mu_);
    io_ = nullptr;
    io_thread_.store(std::thread::id(), std::memory_order_release);
  }

 private:
  std::mutex mu_;
  boost::asio::io_context* io_;  // GUARDED_BY(mu_); null once closed
  // The I/O thread's id; default (no thread) before it starts and once closed.
  std::atomic<std::thread::id> io_thread_{};
};

// Server-wide state every connection reads.
struct ServerShared {
  ServerShared(HttpServerOptions options_in, Router router_in, core::MetricsRegistry* registry)
      : options(std::move(options_in)), router(std::move(router_in)), metrics(registry, router) {}

  const HttpServerOptions options;
  const Router router;
  const RequestMetrics metrics;
  std::atomic<bool> draining{false};
  // Connections accepted and not yet closed; Shutdown waits for zero.
  std::atomic<int> live_connections{0};
  std::mutex drain_mu;
  std::condition_variable drained;

  // Called by a connection when it closes.
  void ConnectionClosed() {
    if (live_connections.fetch_sub(1, std::memory_order_acq_rel) == 1 &&
        draining.load(std::memory_order_acquire)) {
      std::lock_guard lock(drain_mu);
      drained.notify_all();
    }
  }
};

// One I/O thread: its event loop and the connections it owns.
struct IoWorker {
  explicit IoWorker(const ServerShared* shared)
      : io(1), gate(std::make_shared<IoGate>(&io)), sweep(io), recorder(&shared->metrics) {}

  boost::asio::io_context io;
  std::shared_ptr<IoGate> gate;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work =
      boost::asio::make_work_guard(io);
  // Closes connections idle past the timeout (one timer per thread, not one
  // per connection, so a request does not re-arm a timer).
  boost::asio::steady_timer sweep;
  RequestMetricsRecorder recorder;
  RequestIdGenerator request_ids;
  // Owns the thread's open connections; declared last so it is destroyed
  // before the event loop.
  std::unordered_map<HttpConnection*, std::shared_ptr<HttpConnection>> connections;
  std::thread thread;
};

}  // namespace modelhost::api::internal

#endif  // MODELHOST_API_IO_WORKER_H_

#include "api/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/socket_base.hpp>
#include <cassert>
#include <vector>

#include "api/http_connection.h"
#include "api/io_worker.h"
#include "api/request_body.h"
#include "core/log.h"

namespace modelhost::api {
namespace internal {
namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

// The listening socket, the I/O threads and the drain logic behind HttpServer.
class ServerCore {
 public:
  ServerCore(HttpServerOptions options, Router router, core::MetricsRegistry* metrics)
      : shared_(std::move(options), std::move(router), metrics) {
    int threads = std::max(1, shared_.options.io_threads);
    for (int index = 0; index < threads; ++index) {
      workers_.push_back(std::make_unique<IoWorker>(&shared_));
    }
    acceptor_.emplace(workers_[0]->io);
  }

  ~ServerCore() { Shutdown(); }

  core::Status Bind();
  void Run();
  void Shutdown();

  uint16_t port() const { return port_; }
  const std::string& host() const { return shared_.options.host; }

 private:
  void Accept();
  void OnAccept(error_code error, tcp::socket socket, IoWorker* worker);
  void Sweep(IoWorker* worker);
  void ForEachWorker(void (HttpConnection::*action)());

  ServerShared shared_;
  std::vector<std::unique_ptr<IoWorker>> workers_;
  std::optional<tcp::acceptor> acceptor_;      // used on workers_[0]'s thread
  std::optional<asio::steady_timer> backoff_;  // retries accept after an error
  size_t next_worker_ = 0;
  uint16_t port_ = 0;
  std::mutex shutdown_mu_;
  bool running_ = false;  // GUARDED_BY(shutdown_mu_)
};

core::Status ServerCore::Bind() {
  const HttpServerOptions& options = shared_.options;
  std::string where = options.host + ":" + std::to_string(options.port);
  error_code error;
  tcp::resolver resolver(workers_[0]->io);
  auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, error);
  if (error || endpoints.empty()) {
    return core::InvalidArgument("cannot listen on " + where +
                                 ": host does not resolve: " + error.message());
  }
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  tcp::acceptor& acceptor = *acceptor_;
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    error_code ignored;
    acceptor.close(ignored);
    return core::Unavailable("cannot listen on " + where + ": " + error.message());
  }
  port_ = acceptor.local_endpoint(error).port();
  return core::OkStatus();
}

void ServerCore::Run() {
  {
    std::lock_guard lock(shutdown_mu_);
    running_ = true;
  }
  backoff_.emplace(workers_[0]->io);
  asio::post(workers_[0]->io, [this] { Accept(); });
  for (auto& worker : workers_) {
    IoWorker* raw = worker.get();
    asio::post(raw->io, [this, raw] { Sweep(raw); });
    raw->thread = std::thread([raw] {
      raw->gate->SetIoThread();
      // The backstop: nothing thrown on an I/O thread may end the process.
      while (true) {
        try {
          raw->io.run();
          return;
        } catch (const std::exception& e) {
          core::LogError("uncaught exception on an HTTP I/O thread", {{"error", e.what()}});
        } catch (...) {
          core::LogError("uncaught exception on an HTTP I/O thread", {});
        }
      }
    });
  }
}

void ServerCore::Accept() {
  IoWorker& target = *workers_[next_worker_];
  next_worker_ = (next_worker_ + 1) % workers_.size();
  acceptor_->async_accept(target.io,
                          [this, worker = &target](error_code error, tcp::socket socket) {
                            OnAccept(error, std::move(socket), worker);
                          });
}

void ServerCore::OnAccept(error_code error, tcp::socket socket, IoWorker* worker) {
  if (error == asio::error::operation_aborted || !acceptor_->is_open() ||
      shared_.draining.load(std::memory_order_acquire)) {
    return;
  }
  if (error) {
    // E.g. out of file descriptors: wait a little instead of spinning.
    core::LogWarn("accept failed", {{"error", error.message()}});
    backoff_->expires_after(std::chrono::milliseconds(50));
    backoff_->async_wait([this](error_code wait_error) {
      if (!wait_error) Accept();
    });
    return;
  }
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  shared_.live_connections.fetch_add(1, std::memory_order_acq_rel);
  // The socket already belongs to its worker's loop; register it there.
  asio::post(worker->io, [this, worker, socket = std::move(socket)]() mutable {
    auto connection = std::make_shared<HttpConnection>(std::move(socket), worker, &shared_);
    worker->connections.emplace(connection.get(), connection);
    connection->Start();
  });
  Accept();
}

void ServerCore::Sweep(IoWorker* worker) {
  auto now = HttpConnection::Clock::now();
  std::vector<std::shared_ptr<HttpConnection>> connections;
  connections.reserve(worker->connections.size());
  for (auto& [raw, connection] : worker->connections) connections.push_back(connection);
  for (auto& connection : connections) connection->CloseIfIdle(now);
  const HttpServerOptions& options = shared_.options;
  auto shortest = std::min({options.idle_timeout, options.header_timeout, options.linger_timeout});
  if (options.event_stream_keepalive.count() > 0) {
    shortest = std::min(shortest, options.event_stream_keepalive);
  }
  auto period = std::clamp<std::chrono::milliseconds>(shortest / 4, std::chrono::milliseconds(5),
                                                      std::chrono::milliseconds(1000));
  worker->sweep.expires_after(period);
  worker->sweep.async_wait([this, worker](error_code error) {
    if (!error) Sweep(worker);
  });
}

void ServerCore::ForEachWorker(void (HttpConnection::*action)()) {
  for (auto& worker : workers_) {
    IoWorker* raw = worker.get();
    asio::post(raw->io, [raw, action] {
      std::vector<std::shared_ptr<HttpConnection>> connections;
      for (auto& [ptr, connection] : raw->connections) connections.push_back(connection);
      for (auto& connection : connections) ((*connection).*action)();
    });
  }
}

void ServerCore::Shutdown() {
  std::lock_guard lock(shutdown_mu_);
  if (!running_) return;
  running_ = false;
  for ([[maybe_unused]] auto& worker : workers_) {
    assert(!worker->gate->RunningInThisThread() && "Shutdown() called on an I/O thread");
  }
  shared_.draining.store(true, std::memory_order_release);
  asio::post(workers_[0]->io, [this] {
    error_code ignored;
    acceptor_->close(ignored);
    backoff_->cancel();
  });
  ForEachWorker(&HttpConnection::BeginDrain);
  {
    std::unique_lock drain_lock(shared_.drain_mu);
    bool drained = shared_.drained.wait_for(drain_lock, shared_.options.drain_timeout, [this] {
      return shared_.live_connections.load(std::memory_order_acquire) == 0;
    });
    if (!drained) {
      core::LogWarn("HTTP drain timed out; closing remaining connections",
                    {{"connections", shared_.live_connections.load()}});
    }
  }
  for (auto& worker : workers_) {
    worker->gate->Close();  // late Responders and stream wake-ups are dropped from now on
    worker->work.reset();
    worker->io.stop();
  }
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
  }
  // The loops are stopped: closing what is left from this thread is safe.
  for (auto& worker : workers_) {
    std::vector<std::shared_ptr<HttpConnection>> connections;
    for (auto& [ptr, connection] : worker->connections) connections.push_back(connection);
    for (auto& connection : connections) connection->Close();
    worker->connections.clear();
  }
}

}  // namespace internal

core::Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                            Router router,
                                                            core::MetricsRegistry* metrics) {
  if (!router.status().ok()) return router.status();
  if (!options.upload_dir.empty()) {
    MODELHOST_RETURN_IF_ERROR(internal::SweepUploads(options.upload_dir));
  }
  auto core =
      std::make_unique<internal::ServerCore>(std::move(options), std::move(router), metrics);
  MODELHOST_RETURN_IF_ERROR(core->Bind());
  core->Run();
  core::LogInfo("http server listening",
                {{"host", core->host()}, {"port", static_cast<int>(core->port())}});
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(core)));  // private constructor
}

HttpServer::HttpServer(std::unique_ptr<internal::ServerCore> core) : core_(std::move(core)) {}

HttpServer::~HttpServer() { Shutdown(); }

uint16_t HttpServer::port() const { return core_->port(); }

const std::string& HttpServer::host() const { return core_->host(); }

void HttpServer::Shutdown() { core_->Shutdown(); }

}  // namespace modelhost::api

// The HTTP/1.1 server: cpp-httplib underneath, Router on top. It owns what cpp-httplib must not
// decide on its own: ranges and compression are the handlers' (cpp-httplib would otherwise apply
// a Range a second time and compress bodies itself), and every request gets one access-log line
// and its metrics. Limits keep it bounded under hostile clients: a fixed pool of worker threads
// (concurrent connections beyond it wait to be served), request-line, header and body sizes, and
// read, write and keep-alive idle timeouts.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/http/message.h"
#include "libs/http/metrics.h"
#include "libs/http/router.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace omnia::http {

struct ServerLimits {
  // Worker threads: requests served at once; further connections wait in the accept queue.
  int threads = 32;
  // Longest request path; longer ones get 414 (cpp-httplib itself refuses request lines over
  // 8 KiB and header lines over 8 KiB).
  size_t max_path_bytes = 2048;
  // Largest request body (only read APIs with POST take one); larger ones get 413.
  size_t max_body_bytes = 64 << 10;
  // How long a read or a write may wait for the client (a slowloris client is cut off).
  absl::Duration read_timeout = absl::Seconds(10);
  absl::Duration write_timeout = absl::Seconds(30);
  // How long an idle keep-alive connection stays open, and how many requests it may carry.
  absl::Duration keep_alive_timeout = absl::Seconds(5);
  size_t keep_alive_max_requests = 100;
};

// One access-log line. Holds no query string and, for failed requests, not even the path (both
// may hold anything a client typed): the route pattern names what was asked.
struct AccessRecord {
  absl::Time time;
  std::string method;
  std::string route;
  std::string path;  // empty unless the request succeeded
  int status = 0;
  uint64_t bytes = 0;
  absl::Duration duration;
};
std::string FormatAccessLine(const AccessRecord& record);

class HttpServer {
 public:
  // `router` and `metrics` must outlive the server; `log` receives each access line.
  HttpServer(const Router& router, ServerLimits limits, HttpMetrics& metrics,
             std::function<void(const std::string&)> log);
  ~HttpServer();

  // Binds HOST:PORT (port 0 picks one) and serves on a background thread.
  absl::Status Start(const std::string& address);
  int port() const { return port_; }
  // Stops accepting, lets running requests end, and joins. Idempotent.
  void Stop();

 private:
  struct InFlight {
    std::string route;
    absl::Time start;
    // Body bytes written so far, counted by the streaming provider.
    std::shared_ptr<std::atomic<uint64_t>> bytes;
  };
  void Serve(const httplib::Request& in, httplib::Response& out);
  // Whether Serve has answered `in` (it is in flight until logged).
  bool WasServed(const httplib::Request& in);
  void Record(const httplib::Request& in, const httplib::Response& out);

  const Router& router_;
  const ServerLimits limits_;
  HttpMetrics& metrics_;
  std::function<void(const std::string&)> log_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  // Requests between their handler and their log line, by the address of cpp-httplib's request
  // object (alive for exactly that span); requests cpp-httplib refuses before routing have none.
  absl::Mutex mu_;
  std::map<const void*, InFlight> in_flight_ ABSL_GUARDED_BY(mu_);
};

}  // namespace omnia::http

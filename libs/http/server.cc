#include "libs/http/server.h"

#include <httplib.h>

#include <atomic>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace omnia::http {
namespace {

// The route label of requests cpp-httplib refused before any handler ran (malformed request
// line, request line or body too long, malformed Range).
constexpr char kRejectedRoute[] = "rejected";

time_t WholeSeconds(absl::Duration d) {
  return static_cast<time_t>(std::max<int64_t>(1, absl::ToInt64Seconds(d)));
}

Request ToRequest(const httplib::Request& in) {
  Request request;
  request.method = in.method;
  // The raw target, still percent-encoded: cpp-httplib's decoded `path` would turn "%2F" into a
  // separator before the router could refuse it.
  request.path = in.target.substr(0, in.target.find('?'));
  for (const auto& [name, value] : in.headers) request.headers.emplace(name, value);
  for (const auto& [name, value] : in.params) request.query.emplace(name, value);
  request.body = in.body;
  return request;
}

}  // namespace

std::string FormatAccessLine(const AccessRecord& r) {
  return absl::StrFormat("%s access method=%s route=%s path=%s status=%d bytes=%d ms=%.1f",
                         absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", r.time, absl::UTCTimeZone()),
                         r.method, r.route, r.path.empty() ? "-" : r.path, r.status, r.bytes,
                         absl::ToDoubleMilliseconds(r.duration));
}

HttpServer::HttpServer(const Router& router, ServerLimits limits, HttpMetrics& metrics,
                       std::function<void(const std::string&)> log)
    : router_(router),
      limits_(limits),
      metrics_(metrics),
      log_(std::move(log)),
      server_(std::make_unique<httplib::Server>()) {
  const int threads = std::max(1, limits_.threads);
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_payload_max_length(limits_.max_body_bytes);
  // Headers and body leave in separate writes; with Nagle's algorithm the body would wait for
  // the client's delayed acknowledgement of the headers (about 40 ms per request).
  server_->set_tcp_nodelay(true);
  server_->set_read_timeout(WholeSeconds(limits_.read_timeout));
  server_->set_write_timeout(WholeSeconds(limits_.write_timeout));
  server_->set_keep_alive_timeout(WholeSeconds(limits_.keep_alive_timeout));
  server_->set_keep_alive_max_count(limits_.keep_alive_max_requests);
  const auto serve = [this](const httplib::Request& in, httplib::Response& out) { Serve(in, out); };
  server_->Get(".*", serve);
  server_->Post(".*", serve);
  server_->Options(".*", serve);
  server_->Put(".*", serve);
  server_->Patch(".*", serve);
  server_->Delete(".*", serve);
  // cpp-httplib answers a Range it cannot parse (another unit, bad syntax) with a bare 416
  // before any route runs. RFC 9110 14.2: a server must ignore a Range of a unit it does not
  // understand, and may ignore one it cannot parse. Such a request is handed to the routes
  // instead, which decide on the Range as on any other (file_response.h ignores those). Only
  // GET and HEAD, which carry no body: cpp-httplib refuses before reading one, so a request with
  // a body cannot be served here.
  const httplib::Server::HandlerWithResponse unparsed_range = [this](const httplib::Request& in,
                                                                     httplib::Response& out) {
    if (out.status != 416 || (in.method != "GET" && in.method != "HEAD") || WasServed(in)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    Serve(in, out);
    return httplib::Server::HandlerResponse::Handled;
  };
  server_->set_error_handler(unparsed_range);
  server_->set_logger(
      [this](const httplib::Request& in, const httplib::Response& out) { Record(in, out); });
}

bool HttpServer::WasServed(const httplib::Request& in) {
  absl::MutexLock lock(&mu_);
  return in_flight_.count(&in) > 0;
}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("expected HOST:PORT, got ", address));
  }
  const std::string host = address.substr(0, colon);
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else if (server_->bind_to_port(host, port)) {
    port_ = port;
  }
  if (port_ <= 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

void HttpServer::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void HttpServer::Serve(const httplib::Request& in, httplib::Response& out) {
  const absl::Time start = absl::Now();
  metrics_.RequestStarted();
  Request request = ToRequest(in);
  Router::Result result;
  if (request.path.size() > limits_.max_path_bytes) {
    result.response = TextResponse(414, "414 URI too long");
    result.route = kUnmatchedRoute;
  } else {
    result = router_.Handle(request);
  }
  auto bytes = std::make_shared<std::atomic<uint64_t>>(0);
  {
    absl::MutexLock lock(&mu_);
    in_flight_[&in] = InFlight{result.route, start, bytes};
  }

  Response& response = result.response;
  out.status = response.status;
  std::string content_type;
  for (const auto& [name, value] : response.headers) {
    if (absl::AsciiStrToLower(name) == "content-type") {
      content_type = value;
    } else {
      out.headers.emplace(name, value);
    }
  }
  if (!response.stream) {
    out.set_content(response.body, content_type);
  } else if (request.method == "HEAD") {
    // The body is not sent, but its headers are: the GET's length, or chunked when unknown.
    if (!content_type.empty()) out.set_header("Content-Type", content_type);
    if (response.stream_length.has_value()) {
      out.set_header("Content-Length", std::to_string(*response.stream_length));
    } else {
      out.set_chunked_content_provider(content_type,
                                       [](size_t, httplib::DataSink&) { return false; });
    }
  } else if (response.stream_length == uint64_t{0}) {
    out.set_content("", content_type);
  } else {
    BodyWriter stream = std::move(response.stream);
    const auto sink_of = [bytes](httplib::DataSink& sink) {
      return [&sink, bytes](std::string_view piece) {
        if (!sink.write(piece.data(), piece.size())) return false;
        *bytes += piece.size();
        return true;
      };
    };
    if (response.stream_length.has_value()) {
      // cpp-httplib calls a provider until it has written the announced length; ours writes it
      // all in its first call, so a second call means the body ended short: cut the connection.
      auto called = std::make_shared<bool>(false);
      out.set_content_provider(*response.stream_length, content_type,
                               [stream, called, sink_of](size_t, size_t, httplib::DataSink& sink) {
                                 if (*called) return false;
                                 *called = true;
                                 return stream(sink_of(sink)).ok();
                               });
    } else {
      out.set_chunked_content_provider(content_type,
                                       [stream, sink_of](size_t, httplib::DataSink& sink) {
                                         if (!stream(sink_of(sink)).ok()) return false;
                                         sink.done();
                                         return true;
                                       });
    }
  }
  // Ranges and compression were decided above: keep cpp-httplib from applying a Range a second
  // time or compressing the body itself. The request object is cpp-httplib's own mutable local,
  // passed to handlers as const.
  auto& mutable_in = const_cast<httplib::Request&>(in);
  mutable_in.ranges.clear();
  mutable_in.headers.erase("Accept-Encoding");
}

void HttpServer::Record(const httplib::Request& in, const httplib::Response& out) {
  InFlight request{kRejectedRoute, absl::Now(), nullptr};
  bool routed = false;
  {
    absl::MutexLock lock(&mu_);
    auto it = in_flight_.find(&in);
    if (it != in_flight_.end()) {
      request = std::move(it->second);
      in_flight_.erase(it);
      routed = true;
    }
  }
  const absl::Time now = absl::Now();
  AccessRecord record;
  record.time = now;
  record.method = in.method;
  record.route = request.route;
  record.status = out.status;
  record.bytes = request.bytes != nullptr && *request.bytes > 0
                     ? request.bytes->load()
                     : (in.method == "HEAD" ? 0 : out.body.size());
  record.duration = now - request.start;
  if (routed && out.status < 400 && request.route != kUnmatchedRoute) {
    record.path = in.target.substr(0, in.target.find('?'));
  }
  if (routed) metrics_.RequestEnded();
  metrics_.Observe(record.route, record.method, record.status, record.bytes, record.duration);
  log_(FormatAccessLine(record));
}

}  // namespace omnia::http

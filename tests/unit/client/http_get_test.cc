// HttpGet against an in-process HTTP server on the IPv4 and IPv6 loopback addresses: the CLI's
// `metrics` command and the tests reach /metrics and /healthz through it.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/client/probes.h"

namespace omnia::client {
namespace {

// A server answering GET /metrics with a body larger than one read, and 404 elsewhere.
class LoopbackServer {
 public:
  explicit LoopbackServer(const std::string& host) {
    server_.Get("/metrics", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard<std::mutex> lock(mutex_);
      host_header_ = request.get_header_value("Host");
      response.set_content(Body(), "text/plain");
    });
    port_ = server_.bind_to_any_port(host);
    if (port_ <= 0) return;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop runs would be lost and leave the thread serving forever.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LoopbackServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  static std::string Body() {
    std::string body;
    for (int i = 0; i < 5000; ++i) absl::StrAppend(&body, "omnia_test_total{n=\"", i, "\"} 1\n");
    return body;
  }

  int port() const { return port_; }
  std::string host_header() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return host_header_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  mutable std::mutex mutex_;
  std::string host_header_;
};

// GETs /metrics from `server` at `address` and checks the body and the Host header it sent.
void ExpectBodyFrom(const LoopbackServer& server, const std::string& address) {
  absl::StatusOr<std::string> body = HttpGet(address, "/metrics", absl::Seconds(5));
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, LoopbackServer::Body());
  EXPECT_EQ(server.host_header(), address);
}

TEST(HttpGetTest, ReadsTheBodyOverIpv4) {
  LoopbackServer server("127.0.0.1");
  ASSERT_GT(server.port(), 0);
  ExpectBodyFrom(server, absl::StrCat("127.0.0.1:", server.port()));
}

TEST(HttpGetTest, ReadsTheBodyOverAnIpv6Literal) {
  LoopbackServer server("::1");
  if (server.port() <= 0) GTEST_SKIP() << "this machine has no IPv6 loopback address";
  ExpectBodyFrom(server, absl::StrCat("[::1]:", server.port()));
}

TEST(HttpGetTest, AnythingButOkIsAnError) {
  LoopbackServer server("127.0.0.1");
  ASSERT_GT(server.port(), 0);
  absl::StatusOr<std::string> missing =
      HttpGet(absl::StrCat("127.0.0.1:", server.port()), "/absent", absl::Seconds(5));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(missing.status().message().find("404"), absl::string_view::npos) << missing.status();
}

TEST(HttpGetTest, NothingListeningIsUnavailable) {
  int port = 0;
  {
    LoopbackServer closed("127.0.0.1");
    port = closed.port();
  }
  EXPECT_EQ(HttpGet(absl::StrCat("127.0.0.1:", port), "/metrics", absl::Seconds(2)).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(SplitHostPortTest, TakesNamesIpv4AndBracketedIpv6) {
  EXPECT_EQ(SplitHostPort("localhost:9090")->host, "localhost");
  EXPECT_EQ(SplitHostPort("127.0.0.1:9090")->port, 9090);
  EXPECT_EQ(SplitHostPort("[::1]:9090")->host, "::1");
  EXPECT_EQ(SplitHostPort("[fe80::1%eth0]:80")->host, "fe80::1%eth0");
  for (const char* bad : {"9090", "::1:9090", "[::1]", "host:", ":9090", "host:0", "host:65536",
                          "host:http", "[]:80"}) {
    EXPECT_EQ(SplitHostPort(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace omnia::client

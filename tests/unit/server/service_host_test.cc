// The shared server skeleton, in process: health transitions, per-RPC metrics over real gRPC
// calls and the /metrics HTTP endpoint, a drain that ends in-flight streams, and a plaintext
// health listener that serves health checks only.
#include "libs/server/service_host.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <prometheus/text_serializer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/client/probes.h"
#include "libs/rpc/channel.h"
#include "libs/server/process_metrics.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "tests/support/child_process.h"

namespace omnia::server {
namespace {

// A TCP relay on loopback that holds each connection silent for `delay` before passing bytes both
// ways to `target_port`: a server that is slow to complete the HTTP/2 handshake, as one is under
// load, behind a mesh proxy or across a TLS handshake.
class SlowRelay {
 public:
  SlowRelay(int target_port, absl::Duration delay) : target_port_(target_port), delay_(delay) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = Loopback(0);
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(listener_, 16);
    socklen_t length = sizeof(address);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~SlowRelay() {
    stopping_ = true;
    shutdown(listener_, SHUT_RDWR);
    acceptor_.join();
    for (std::thread& pipe : pipes_) pipe.join();
    close(listener_);
  }
  int port() const { return port_; }

 private:
  static sockaddr_in Loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }

  void AcceptLoop() {
    while (!stopping_) {
      const int client = accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      pipes_.emplace_back([this, client] { Relay(client); });
    }
  }

  void Relay(int client) {
    absl::SleepFor(delay_);
    const int server = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = Loopback(target_port_);
    if (connect(server, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
      Pump(client, server);
    }
    close(server);
    close(client);
  }

  // Copies bytes both ways until either side closes or the relay stops.
  void Pump(int client, int server) {
    char buffer[16 << 10];
    pollfd ends[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    while (!stopping_) {
      if (poll(ends, 2, 100) < 0) return;
      for (int side = 0; side < 2; ++side) {
        if (ends[side].revents == 0) continue;
        const ssize_t read_bytes = read(ends[side].fd, buffer, sizeof(buffer));
        if (read_bytes <= 0) return;
        if (write(ends[1 - side].fd, buffer, read_bytes) != read_bytes) return;
      }
    }
  }

  const int target_port_;
  const absl::Duration delay_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::vector<std::thread> pipes_;
};

class ServiceHostTest : public ::testing::Test {
 protected:
  void StartHost(const std::string& metrics_address, const std::string& health_address = "",
                 const std::vector<HostedService>& services = {}) {
    ServerOptions options;
    options.name = "test";
    options.grpc_address = "127.0.0.1:0";
    options.metrics_address = metrics_address;
    options.health_address = health_address;
    options.drain_deadline = absl::Milliseconds(300);
    host_ = std::make_unique<ServiceHost>(options, registry_, clock_);
    ASSERT_TRUE(host_->Start(services).ok());
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", host_->grpc_port()),
                                   grpc::InsecureChannelCredentials());
  }

  std::string MetricsText() const {
    return prometheus::TextSerializer().Serialize(registry_->Collect());
  }

  SystemClock clock_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  std::unique_ptr<ServiceHost> host_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ServiceHostTest, HealthIsNotServingUntilReadyAndAfterDrain) {
  StartHost("");
  EXPECT_EQ(client::CheckHealth(channel_, "", absl::Seconds(5)).value(), "NOT_SERVING");
  host_->SetServing(true);
  EXPECT_EQ(client::CheckHealth(channel_, "", absl::Seconds(5)).value(), "SERVING");
  host_->Drain();
  EXPECT_FALSE(client::CheckHealth(channel_, "", absl::Seconds(1)).ok());
}

TEST_F(ServiceHostTest, CountsEveryRpcByMethodAndStatusCode) {
  StartHost("");
  host_->SetServing(true);
  ASSERT_TRUE(client::CheckHealth(channel_, "", absl::Seconds(5)).ok());
  ASSERT_TRUE(client::CheckHealth(channel_, "", absl::Seconds(5)).ok());
  // An unknown service name is a NOT_FOUND answer, which must be counted under its own code.
  EXPECT_EQ(client::CheckHealth(channel_, "no.such.Service", absl::Seconds(5)).status().code(),
            absl::StatusCode::kNotFound);

  const std::string text = MetricsText();
  EXPECT_NE(text.find("omnia_rpc_requests_total{grpc_code=\"OK\",grpc_method=\"Check\","
                      "grpc_service=\"grpc.health.v1.Health\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("omnia_rpc_requests_total{grpc_code=\"NOT_FOUND\",grpc_method=\"Check\","
                      "grpc_service=\"grpc.health.v1.Health\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("omnia_rpc_duration_seconds_count{grpc_code=\"OK\",grpc_method=\"Check\","
                      "grpc_service=\"grpc.health.v1.Health\"} 2"),
            std::string::npos)
      << text;
}

TEST_F(ServiceHostTest, ServesPrometheusTextOverHttp) {
  const std::string metrics_address =
      absl::StrCat("127.0.0.1:", omnia::testing::FreeLoopbackPort());
  StartHost(metrics_address);
  host_->SetServing(true);
  ASSERT_TRUE(client::CheckHealth(channel_, "", absl::Seconds(5)).ok());
  absl::StatusOr<std::string> body = client::HttpGet(metrics_address, "/metrics", absl::Seconds(5));
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_NE(body->find("# TYPE omnia_rpc_requests_total counter"), std::string::npos) << *body;
  EXPECT_NE(body->find("grpc_service=\"grpc.health.v1.Health\""), std::string::npos) << *body;
  // What every Prometheus client exports about its process, and the release serving.
  for (const char* family :
       {"# TYPE process_cpu_seconds_total counter", "# TYPE process_resident_memory_bytes gauge",
        "# TYPE process_open_fds gauge", "# TYPE process_start_time_seconds gauge"}) {
    EXPECT_NE(body->find(family), std::string::npos) << family << "\n" << *body;
  }
  EXPECT_NE(body->find(absl::StrCat("omnia_build_info{commit=\"", BuildCommit(), "\",version=\"",
                                    BuildVersion(), "\"} 1")),
            std::string::npos)
      << *body;
}

TEST_F(ServiceHostTest, ReflectionListsTheHealthService) {
  StartHost("");
  absl::StatusOr<std::vector<std::string>> services =
      client::ListServicesByReflection(channel_, absl::Seconds(5));
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_NE(std::find(services->begin(), services->end(), "grpc.health.v1.Health"),
            services->end());
}

// A public read of the API, to tell the listeners apart: it answers on the gRPC port only.
class StatsOnlyAggregation final : public v1::AggregationService::CallbackService {
  grpc::ServerUnaryReactor* GetCubeStats(grpc::CallbackServerContext* context,
                                         const v1::GetCubeStatsRequest*,
                                         v1::GetCubeStatsResponse*) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

grpc::StatusCode CallGetCubeStats(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  v1::GetCubeStatsResponse response;
  return v1::AggregationService::NewStub(channel)
      ->GetCubeStats(&context, v1::GetCubeStatsRequest(), &response)
      .error_code();
}

TEST_F(ServiceHostTest, ThePlaintextHealthListenerServesHealthChecksOnly) {
  StatsOnlyAggregation aggregation;
  const std::string health_address = absl::StrCat("127.0.0.1:", omnia::testing::FreeLoopbackPort());
  StartHost("", health_address, {{&aggregation, "omnia.v1.AggregationService"}});
  host_->SetServing(true);
  const std::shared_ptr<grpc::Channel> health_channel =
      grpc::CreateChannel(health_address, grpc::InsecureChannelCredentials());

  EXPECT_EQ(client::CheckHealth(health_channel, "", absl::Seconds(5)).value(), "SERVING");
  EXPECT_EQ(
      client::CheckHealth(health_channel, "omnia.v1.AggregationService", absl::Seconds(5)).value(),
      "SERVING");
  // Neither reflection nor any method of the API answers there: the port is for probes, and
  // reaching it must not reveal or expose what the TLS port serves.
  absl::StatusOr<std::vector<std::string>> listed =
      client::ListServicesByReflection(health_channel, absl::Seconds(5));
  EXPECT_EQ(listed.status().code(), absl::StatusCode::kUnimplemented) << listed.status();
  EXPECT_EQ(CallGetCubeStats(health_channel), grpc::StatusCode::UNIMPLEMENTED);

  // The gRPC port keeps both.
  EXPECT_TRUE(client::ListServicesByReflection(channel_, absl::Seconds(5)).ok());
  EXPECT_EQ(CallGetCubeStats(channel_), grpc::StatusCode::OK);
}

TEST_F(ServiceHostTest, DrainEndsInFlightStreamsWithinTheDeadline) {
  StartHost("");
  host_->SetServing(true);
  auto stub = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  grpc::health::v1::HealthCheckRequest request;
  auto watch = stub->Watch(&context, request);
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  const absl::Time started = absl::Now();
  std::thread drainer([this] { host_->Drain(); });
  // The watcher sees the drain: either a NOT_SERVING update or the end of the stream.
  while (watch->Read(&response)) {
    if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) break;
  }
  context.TryCancel();
  watch->Finish();
  drainer.join();
  EXPECT_LT(absl::Now() - started, absl::Seconds(10));
}

// A connection that takes a while to be established is waited for, not dropped: omnia's channels
// speed up reconnecting, but must not cut short the time a connection attempt is given (gRPC reads
// the minimum reconnect backoff as that time). A call without wait_for_ready fails at the first
// abandoned attempt.
TEST_F(ServiceHostTest, OmniaChannelsWaitForASlowConnection) {
  StartHost("");
  host_->SetServing(true);
  SlowRelay relay(host_->grpc_port(), absl::Milliseconds(700));
  const std::shared_ptr<grpc::Channel> channel =
      rpc::CreateInsecureChannel(absl::StrCat("127.0.0.1:", relay.port()));
  const absl::StatusOr<std::string> health = client::CheckHealth(channel, "", absl::Seconds(20));
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, "SERVING");
}

}  // namespace
}  // namespace omnia::server

// The shared server skeleton, in process: health transitions, per-RPC metrics over real gRPC
// calls and the /metrics HTTP endpoint, a drain that ends in-flight streams, and a plaintext
// health listener that serves health checks only.
#include "libs/server/service_host.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/client/probes.h"
#include "libs/server/process_metrics.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "tests/support/child_process.h"

namespace omnia::server {
namespace {

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

}  // namespace
}  // namespace omnia::server

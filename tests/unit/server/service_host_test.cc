// The shared server skeleton, in process: health transitions, per-RPC metrics over real gRPC
// calls and the /metrics HTTP endpoint, and a drain that ends in-flight streams.
#include "libs/server/service_host.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/client/probes.h"
#include "tests/support/child_process.h"

namespace omnia::server {
namespace {

class ServiceHostTest : public ::testing::Test {
 protected:
  void StartHost(const std::string& metrics_address) {
    ServerOptions options;
    options.name = "test";
    options.grpc_address = "127.0.0.1:0";
    options.metrics_address = metrics_address;
    options.drain_deadline = absl::Milliseconds(300);
    host_ = std::make_unique<ServiceHost>(options, registry_, clock_);
    ASSERT_TRUE(host_->Start({}).ok());
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
  EXPECT_NE(text.find("omnia_rpc_requests_total{code=\"OK\",method=\"/grpc.health.v1.Health/"
                      "Check\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("omnia_rpc_requests_total{code=\"NOT_FOUND\",method=\"/grpc.health.v1."
                      "Health/Check\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("omnia_rpc_duration_seconds_count{code=\"OK\",method=\"/grpc.health.v1."
                      "Health/Check\"} 2"),
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
  EXPECT_NE(body->find("/grpc.health.v1.Health/Check"), std::string::npos) << *body;
}

TEST_F(ServiceHostTest, ReflectionListsTheHealthService) {
  StartHost("");
  absl::StatusOr<std::vector<std::string>> services =
      client::ListServicesByReflection(channel_, absl::Seconds(5));
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_NE(std::find(services->begin(), services->end(), "grpc.health.v1.Health"),
            services->end());
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

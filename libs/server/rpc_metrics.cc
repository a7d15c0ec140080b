#include "libs/server/rpc_metrics.h"

#include <map>
#include <utility>
#include <vector>

#include "libs/rpc/status_mapping.h"

namespace omnia::server {
namespace {

// Buckets from 50 µs to 10 s: cube lookups answer in well under a millisecond while publishes and
// exports of large files take seconds, and both must be visible on one histogram.
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};
}

class RpcMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcMetricsInterceptor(std::string method, RpcMetrics* metrics)
      : method_(std::move(method)),
        metrics_(metrics),
        started_nanos_(metrics->clock().MonotonicNanos()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const double seconds =
          static_cast<double>(metrics_->clock().MonotonicNanos() - started_nanos_) / 1e9;
      metrics_->Record(method_, rpc::StatusCodeName(methods->GetSendStatus().error_code()), seconds);
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  RpcMetrics* metrics_;
  int64_t started_nanos_;
};

}  // namespace

RpcMetrics::RpcMetrics(prometheus::Registry& registry, const Clock& clock)
    : requests_(prometheus::BuildCounter()
                    .Name("omnia_rpc_requests_total")
                    .Help("Finished gRPC requests by service, method and status code.")
                    .Register(registry)),
      latency_(
          prometheus::BuildHistogram()
              .Name("omnia_rpc_duration_seconds")
              .Help("gRPC request latency from arrival to status, by service, method and code.")
              .Register(registry)),
      clock_(clock) {}

void RpcMetrics::Record(const std::string& method, const std::string& code, double seconds) {
  // "/omnia.v1.IngestionService/StreamEvents" -> service "omnia.v1.IngestionService", method
  // "StreamEvents", the labels go-grpc-prometheus and OpenTelemetry dashboards group by.
  const size_t slash = method.rfind('/');
  const size_t service_start = method.starts_with("/") ? 1 : 0;
  const std::string service = slash == std::string::npos || slash < service_start
                                  ? std::string()
                                  : method.substr(service_start, slash - service_start);
  const std::string name = slash == std::string::npos ? method : method.substr(slash + 1);
  const std::map<std::string, std::string> labels = {
      {"grpc_service", service}, {"grpc_method", name}, {"grpc_code", code}};
  requests_.Add(labels).Increment();
  latency_.Add(labels, LatencyBuckets()).Observe(seconds);
}

grpc::experimental::Interceptor* RpcMetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new RpcMetricsInterceptor(info->method(), metrics_);
}

}  // namespace omnia::server

// Per-RPC "RED" metrics (rate, errors, duration) recorded by a gRPC server interceptor, so no
// handler has to remember to count itself.
#pragma once

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

#include "libs/base/clock.h"

namespace omnia::server {

class RpcMetrics {
 public:
  RpcMetrics(prometheus::Registry& registry, const Clock& clock);

  // Records one finished RPC under the labels grpc_service ("omnia.v1.IngestionService"),
  // grpc_method ("GetIngestionStatus") and grpc_code ("OK"). `method` is the full gRPC method
  // path, e.g. "/omnia.v1.IngestionService/GetIngestionStatus"; `code` is the status code name.
  void Record(const std::string& method, const std::string& code, double seconds);

  const Clock& clock() const { return clock_; }

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  const Clock& clock_;
};

// Creates one metrics interceptor per RPC. Register it through
// ServerBuilder::experimental().SetInterceptorCreators.
class RpcMetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcMetricsInterceptorFactory(RpcMetrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  RpcMetrics* metrics_;
};

}  // namespace omnia::server

// The one server skeleton every omnia binary runs on: a gRPC server (callback API) with the
// standard health and reflection services, per-RPC metrics, a Prometheus /metrics endpoint, and a
// graceful drain. Services only add their own CallbackService implementations.
#pragma once

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/server/auth.h"
#include "libs/server/process_metrics.h"
#include "libs/server/rpc_metrics.h"

namespace omnia::server {

struct ServerOptions {
  // Human-readable name for logs, e.g. "ingestion".
  std::string name;
  // HOST:PORT for gRPC. Port 0 picks a free port (see ServiceHost::grpc_port()).
  std::string grpc_address = "127.0.0.1:0";
  // HOST:PORT for the Prometheus text endpoint; empty disables it.
  std::string metrics_address;
  // How long in-flight calls may run after a termination signal before they are cancelled.
  absl::Duration drain_deadline = absl::Seconds(10);
  // Largest request message accepted; larger ones fail with RESOURCE_EXHAUSTED before any
  // handler runs. The default suits the internal write paths: forwarded event batches are large
  // by design (fewer, bigger batches mean fewer synced writes and set unions per event). Public
  // services set it to their largest legitimate request plus a margin.
  int max_receive_message_bytes = 64 << 20;
  // Transport security of the gRPC port; null serves plaintext.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // Who may call write and admin methods; null refuses them all.
  std::shared_ptr<const CallAuthorizer> authorizer;
  // HOST:PORT of an extra plaintext listener serving only the health service, for probes that
  // cannot speak TLS (Kubernetes' native gRPC probes); empty for none.
  std::string health_address;
};

// A service implementation and its full protobuf name ("omnia.v1.IngestionService"), which is
// the name health checks use for it.
struct HostedService {
  grpc::Service* service;
  std::string full_name;
};

class ServiceHost {
 public:
  // `registry` receives the RPC metrics; the caller may register domain metrics in it too.
  ServiceHost(ServerOptions options, std::shared_ptr<prometheus::Registry> registry,
              const Clock& clock);
  ~ServiceHost();

  ServiceHost(const ServiceHost&) = delete;
  ServiceHost& operator=(const ServiceHost&) = delete;

  // Builds and starts the server with `services` registered (they must outlive the host).
  // Health reports NOT_SERVING until SetServing(true): a service first opens its store.
  absl::Status Start(const std::vector<HostedService>& services);

  // Adds metrics read at each scrape (see ScrapeCollector); the host keeps it alive. Call before
  // Start().
  void AddCollectable(std::shared_ptr<prometheus::Collectable> collectable) {
    collectables_.push_back(std::move(collectable));
  }

  // Marks the whole server and each registered service as SERVING or NOT_SERVING.
  void SetServing(bool serving);

  // Graceful stop: report NOT_SERVING, stop accepting, let in-flight calls finish within the
  // drain deadline, then cancel what is left. Idempotent.
  void Drain();

  int grpc_port() const { return grpc_port_; }
  const std::string& name() const { return options_.name; }

 private:
  ServerOptions options_;
  std::shared_ptr<prometheus::Registry> registry_;
  const Clock& clock_;
  RpcMetrics rpc_metrics_;
  std::vector<std::string> service_names_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
  // process_* and omnia_build_info, on every host's /metrics.
  std::shared_ptr<prometheus::Collectable> process_and_build_ = ProcessAndBuildCollector();
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::unique_ptr<grpc::Server> server_;
  // Answers UNIMPLEMENTED to every call on the health listener other than health checks.
  std::unique_ptr<grpc::CallbackGenericService> unimplemented_;
  std::unique_ptr<grpc::Server> health_server_;
  int grpc_port_ = 0;
  bool drained_ = false;
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts afterwards, so that
// WaitForTerminationSignal() can take them synchronously. Call first thing in main().
void BlockTerminationSignals();

// Waits for SIGTERM or SIGINT and returns its number.
int WaitForTerminationSignal();

// One log line on stderr with a UTC timestamp and the component name. Never pass personal data.
void LogInfo(absl::Time now, const std::string& component, const std::string& message);

}  // namespace omnia::server

#include "libs/server/service_host.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <signal.h>

#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace omnia::server {
namespace {

// Drops the process-wide builder plugins (InitProtoReflectionServerBuilderPlugin adds reflection
// to every server built afterwards) from one server: the plaintext health listener answers health
// checks and nothing else, so it must not describe the API to anyone who can reach its port.
class WithoutBuilderPlugins final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->clear();
  }
};

}  // namespace

ServiceHost::ServiceHost(ServerOptions options, std::shared_ptr<prometheus::Registry> registry,
                         const Clock& clock)
    : options_(std::move(options)),
      registry_(std::move(registry)),
      clock_(clock),
      rpc_metrics_(*registry_, clock_) {}

ServiceHost::~ServiceHost() { Drain(); }

absl::Status ServiceHost::Start(const std::vector<HostedService>& services) {
  // Both are process-wide switches of the gRPC library; they must be set before building.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  builder.AddListeningPort(
      options_.grpc_address,
      options_.credentials ? options_.credentials : grpc::InsecureServerCredentials(), &grpc_port_);
  builder.SetMaxReceiveMessageSize(options_.max_receive_message_bytes);
  service_names_.clear();
  for (const HostedService& service : services) {
    builder.RegisterService(service.service);
    service_names_.push_back(service.full_name);
  }

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  std::shared_ptr<const CallAuthorizer> authorizer =
      options_.authorizer
          ? options_.authorizer
          : std::make_shared<const CallAuthorizer>(CallAuthorizer::RefuseProtected());
  creators.push_back(std::make_unique<RpcMetricsInterceptorFactory>(&rpc_metrics_));
  creators.push_back(std::make_unique<AuthInterceptorFactory>(authorizer));
  builder.experimental().SetInterceptorCreators(std::move(creators));

  server_ = builder.BuildAndStart();
  if (server_ == nullptr || grpc_port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for gRPC on ", options_.grpc_address));
  }
  if (!options_.health_address.empty()) {
    // A server with no services of its own still carries gRPC's health service, which is not a
    // builder plugin and so survives WithoutBuilderPlugins. gRPC refuses to build a server with
    // nothing to poll for, though, so every other method goes to a generic service whose
    // default answer is UNIMPLEMENTED.
    grpc::ServerBuilder health_builder;
    health_builder.SetOption(std::make_unique<WithoutBuilderPlugins>());
    unimplemented_ = std::make_unique<grpc::CallbackGenericService>();
    health_builder.RegisterCallbackGenericService(unimplemented_.get());
    int health_port = 0;
    health_builder.AddListeningPort(options_.health_address, grpc::InsecureServerCredentials(),
                                    &health_port);
    health_server_ = health_builder.BuildAndStart();
    if (health_server_ == nullptr || health_port == 0) {
      server_->Shutdown();
      return absl::UnavailableError(
          absl::StrCat("cannot serve health checks on ", options_.health_address));
    }
  }
  SetServing(false);
  LogInfo(clock_.Now(), options_.name, absl::StrCat("authentication: ", authorizer->Describe()));

  if (!options_.metrics_address.empty()) {
    try {
      exposer_ = std::make_unique<prometheus::Exposer>(options_.metrics_address);
    } catch (const std::exception& e) {
      server_->Shutdown();
      return absl::UnavailableError(
          absl::StrCat("cannot serve /metrics on ", options_.metrics_address, ": ", e.what()));
    }
    exposer_->RegisterCollectable(registry_);
    exposer_->RegisterCollectable(process_and_build_);
    for (const auto& collectable : collectables_) exposer_->RegisterCollectable(collectable);
  }
  LogInfo(clock_.Now(), options_.name,
          absl::StrCat("gRPC listening on port ", grpc_port_,
                       options_.metrics_address.empty()
                           ? std::string()
                           : absl::StrCat(", metrics on ", options_.metrics_address)));
  return absl::OkStatus();
}

void ServiceHost::SetServing(bool serving) {
  for (grpc::Server* server : {server_.get(), health_server_.get()}) {
    if (server == nullptr) continue;
    grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
    if (health == nullptr) continue;
    health->SetServingStatus(serving);
    for (const std::string& name : service_names_) health->SetServingStatus(name, serving);
  }
}

void ServiceHost::Drain() {
  if (server_ == nullptr || drained_) return;
  drained_ = true;
  SetServing(false);
  LogInfo(clock_.Now(), options_.name, "draining in-flight calls");
  server_->Shutdown(absl::ToChronoTime(absl::Now() + options_.drain_deadline));
  server_->Wait();
  if (health_server_ != nullptr) health_server_->Shutdown();
  LogInfo(clock_.Now(), options_.name, "stopped");
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int signal_number = 0;
  while (sigwait(&set, &signal_number) != 0) {
  }
  return signal_number;
}

void LogInfo(absl::Time now, const std::string& component, const std::string& message) {
  const std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone()), " ",
                   component, ": ", message, "\n");
  std::fputs(line.c_str(), stderr);
}

}  // namespace omnia::server

#include "libs/server/server_main.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/rpc/channel.h"
#include "libs/server/tls.h"

ABSL_FLAG(std::string, grpc_address, "127.0.0.1:0",
          "HOST:PORT to serve gRPC on; port 0 picks a free port");
ABSL_FLAG(std::string, metrics_address, "",
          "HOST:PORT to serve Prometheus metrics on (GET /metrics); empty disables it");
ABSL_FLAG(std::string, health_address, "",
          "HOST:PORT of an extra plaintext listener with only the health service (for probes "
          "that cannot speak TLS); empty for none");
ABSL_FLAG(std::string, token_file, "",
          "file holding the bearer token this service sends on its write calls to other services");
ABSL_FLAG(absl::Duration, drain_deadline, absl::Seconds(10),
          "how long in-flight calls may finish after SIGTERM before they are cancelled");

namespace omnia::server {

absl::StatusOr<ServerOptions> ServerOptionsFromFlags(std::string name) {
  ServerOptions options;
  options.name = std::move(name);
  options.grpc_address = absl::GetFlag(FLAGS_grpc_address);
  options.metrics_address = absl::GetFlag(FLAGS_metrics_address);
  options.health_address = absl::GetFlag(FLAGS_health_address);
  options.drain_deadline = absl::GetFlag(FLAGS_drain_deadline);
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      ServerCredentialsFromFlags();
  if (!credentials.ok()) return credentials.status();
  absl::StatusOr<std::shared_ptr<const CallAuthorizer>> authorizer = CallAuthorizerFromFlags();
  if (!authorizer.ok()) return authorizer.status();
  options.credentials = *std::move(credentials);
  options.authorizer = *std::move(authorizer);
  return options;
}

absl::StatusOr<int> WriteNiceFromFlag(int value) {
  if (value < 0 || value > 19) {
    return absl::InvalidArgumentError(absl::StrCat("--write_nice=", value,
                                                   ": a nice value from 0 to 19 is expected (lower "
                                                   "priority only; 0 keeps the process's)"));
  }
  return value;
}

absl::StatusOr<int> ApplyThreadsFromFlag(int value, unsigned processors) {
  constexpr int kMaxApplyThreads = 64;
  if (value < 0 || value > kMaxApplyThreads) {
    return absl::InvalidArgumentError(absl::StrCat("--apply_threads=", value,
                                                   ": 0 (one per processor) to ", kMaxApplyThreads,
                                                   " threads are expected"));
  }
  if (value > 0) return value;
  return static_cast<int>(std::clamp(processors, 1u, static_cast<unsigned>(kMaxApplyThreads)));
}

absl::StatusOr<int> RequestsInFlightFromFlag(int value) {
  constexpr int kMaxRequestsInFlight = 4;
  if (value < 1 || value > kMaxRequestsInFlight) {
    return absl::InvalidArgumentError(absl::StrCat("--forward_requests_in_flight=", value,
                                                   ": 1 to ", kMaxRequestsInFlight,
                                                   " requests are expected"));
  }
  return value;
}

int ExitWithError(const std::string& name, const absl::Status& status) {
  LogInfo(absl::Now(), name, absl::StrCat("cannot start: ", status.ToString()));
  return 1;
}

absl::StatusOr<std::string> OutgoingTokenFromFlags() {
  const std::string path = absl::GetFlag(FLAGS_token_file);
  if (path.empty()) return std::string();
  return ReadBearerTokenFile(path);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> PeerChannelFromFlags(const std::string& address) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ChannelCredentialsFromFlags();
  if (!credentials.ok()) return credentials.status();
  return omnia::rpc::CreateChannel(address, *credentials);
}

int ServeUntilTerminated(ServiceHost& host, const std::vector<HostedService>& services,
                         const std::function<absl::Status()>& become_ready) {
  if (absl::Status started = host.Start(services); !started.ok()) {
    LogInfo(absl::Now(), host.name(), absl::StrCat("cannot start: ", started.ToString()));
    return 1;
  }
  if (absl::Status ready = become_ready(); !ready.ok()) {
    LogInfo(absl::Now(), host.name(), absl::StrCat("cannot become ready: ", ready.ToString()));
    host.Drain();
    return 1;
  }
  host.SetServing(true);
  LogInfo(absl::Now(), host.name(), "serving");
  const int signal_number = WaitForTerminationSignal();
  LogInfo(absl::Now(), host.name(), absl::StrCat("received signal ", signal_number));
  host.Drain();
  return 0;
}

absl::Status EnsureWritableDirectory(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("--data_dir is required");
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", path, ": ", error.message()));
  }
  const std::filesystem::path probe = std::filesystem::path(path) / ".write-probe";
  {
    std::ofstream out(probe);
    out << "ok";
    if (!out) {
      return absl::FailedPreconditionError(
          absl::StrCat("data directory ", path, " is not writable"));
    }
  }
  std::filesystem::remove(probe, error);
  return absl::OkStatus();
}

}  // namespace omnia::server

// The omnia command-line client. Subcommands talk to the services over gRPC as any client would.
//
//   omnia health --address=HOST:PORT [--service=NAME] [--wait=DURATION]
//       Prints the health status; with --wait, waits until SERVING. Exit 0 when SERVING.
//   omnia services --address=HOST:PORT
//       Lists the services the server exposes (through gRPC reflection).
//   omnia metrics --address=HOST:PORT
//       Prints the Prometheus text a service serves on its metrics address.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "libs/client/probes.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50051", "HOST:PORT of the omnia service to call");
ABSL_FLAG(std::string, service, "", "health: the service name to check; empty for the server");
ABSL_FLAG(absl::Duration, wait, absl::ZeroDuration(),
          "health: wait up to this long for SERVING instead of checking once");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "deadline of each call");

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

std::shared_ptr<grpc::Channel> Connect() {
  return omnia::client::CreateInsecureChannel(absl::GetFlag(FLAGS_address));
}

int PrintError(const absl::Status& status) {
  std::cerr << "omnia: " << absl::GetFlag(FLAGS_address) << ": " << status.message() << " ("
            << absl::StatusCodeToString(status.code()) << ")\n";
  return kExitFailure;
}

int Health() {
  auto channel = Connect();
  const std::string service = absl::GetFlag(FLAGS_service);
  if (absl::GetFlag(FLAGS_wait) > absl::ZeroDuration()) {
    absl::Status serving =
        omnia::client::WaitUntilServing(channel, service, absl::GetFlag(FLAGS_wait));
    if (!serving.ok()) return PrintError(serving);
  }
  absl::StatusOr<std::string> status =
      omnia::client::CheckHealth(channel, service, absl::GetFlag(FLAGS_timeout));
  if (!status.ok()) return PrintError(status.status());
  std::cout << *status << "\n";
  return *status == "SERVING" ? kExitOk : kExitFailure;
}

int Services() {
  absl::StatusOr<std::vector<std::string>> names =
      omnia::client::ListServicesByReflection(Connect(), absl::GetFlag(FLAGS_timeout));
  if (!names.ok()) return PrintError(names.status());
  for (const std::string& name : *names) std::cout << name << "\n";
  return kExitOk;
}

int Metrics() {
  absl::StatusOr<std::string> text = omnia::client::HttpGet(
      absl::GetFlag(FLAGS_address), "/metrics", absl::GetFlag(FLAGS_timeout));
  if (!text.ok()) return PrintError(text.status());
  std::cout << *text;
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "omnia <command> [flags]\n"
      "commands:\n"
      "  health    print a server's health (grpc.health.v1); --wait to wait for SERVING\n"
      "  services  list the services a server exposes (gRPC reflection)\n"
      "  metrics   print a server's Prometheus metrics (--address is the metrics HOST:PORT)\n");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << absl::ProgramUsageMessage();
    return kExitUsage;
  }
  const std::string command = positional[1];
  if (command == "health") return Health();
  if (command == "services") return Services();
  if (command == "metrics") return Metrics();
  std::cerr << "omnia: unknown command '" << command << "'\n" << absl::ProgramUsageMessage();
  return kExitUsage;
}

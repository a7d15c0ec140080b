// What every service's main() shares: the common flags and the serve-until-terminated loop.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/server/service_host.h"

namespace omnia::server {

// Server options from the common flags --grpc_address, --metrics_address, --health_address,
// --drain_deadline, the TLS flags (tls.h) and the authentication flags (auth.h); parse the
// command line first. Errors name the flag.
absl::StatusOr<ServerOptions> ServerOptionsFromFlags(std::string name);

// Logs why `name` cannot start and returns the process exit code for it (1).
int ExitWithError(const std::string& name, const absl::Status& status);

// The --write_nice flag's value checked: a nice value from 0 (the process's priority) to 19
// (the lowest), for the threads doing a service's bulk writes (libs/base/thread_priority.h).
absl::StatusOr<int> WriteNiceFromFlag(int value);

// The --apply_threads flag's value checked and resolved: the threads that share one batch's
// apply, the applying thread included; 0 means one per processor (`processors`, at least 1).
// From 0 to 64.
absl::StatusOr<int> ApplyThreadsFromFlag(int value, unsigned processors);

// The --forward_requests_in_flight flag's value checked: Apply requests ingestion keeps in
// flight to aggregation, 1 to 4.
absl::StatusOr<int> RequestsInFlightFromFlag(int value);

// The bearer token this service presents on its own write calls to other services
// (--token_file), empty when none is configured.
absl::StatusOr<std::string> OutgoingTokenFromFlags();

// A channel to another service with the client TLS flags (tls.h) applied.
absl::StatusOr<std::shared_ptr<grpc::Channel>> PeerChannelFromFlags(const std::string& address);

// Starts `host` with `services`, runs `become_ready` (open stores, check peers) and only then
// reports SERVING; waits for SIGTERM/SIGINT, drains and returns the process exit code: 0 after a
// clean drain, 1 when the server could not start or `become_ready` failed.
int ServeUntilTerminated(ServiceHost& host, const std::vector<HostedService>& services,
                         const std::function<absl::Status()>& become_ready);

// Creates `path` (and parents) if needed and checks that this process can write there; a service
// with state calls it before it reports SERVING.
absl::Status EnsureWritableDirectory(const std::string& path);

}  // namespace omnia::server

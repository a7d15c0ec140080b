// What every service's main() shares: the common flags and the serve-until-terminated loop.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/server/service_host.h"

namespace omnia::server {

// Server options from the common flags --grpc_address, --metrics_address and
// --drain_deadline (parse the command line first).
ServerOptions ServerOptionsFromFlags(std::string name);

// Starts `host` with `services`, runs `become_ready` (open stores, check peers) and only then
// reports SERVING; waits for SIGTERM/SIGINT, drains and returns the process exit code: 0 after a
// clean drain, 1 when the server could not start or `become_ready` failed.
int ServeUntilTerminated(ServiceHost& host, const std::vector<HostedService>& services,
                         const std::function<absl::Status()>& become_ready);

// Creates `path` (and parents) if needed and checks that this process can write there; a service
// with state calls it before it reports SERVING.
absl::Status EnsureWritableDirectory(const std::string& path);

}  // namespace omnia::server

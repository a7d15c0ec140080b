// Client-side probes an operator, a test or the CLI uses to look at a running omnia server the
// way any outside client would: the standard gRPC health and reflection protocols, and a plain
// HTTP GET for the Prometheus endpoint.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/rpc/channel.h"

namespace omnia::client {

// grpc.health.v1 Check: the status name ("SERVING", "NOT_SERVING", ...) of `service` (empty for
// the whole server).
absl::StatusOr<std::string> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                        const std::string& service, absl::Duration timeout);

// Polls CheckHealth until it answers SERVING or `timeout` passes.
absl::Status WaitUntilServing(const std::shared_ptr<grpc::Channel>& channel,
                              const std::string& service, absl::Duration timeout);

// grpc.reflection.v1alpha list_services: the full names of every service the server exposes.
absl::StatusOr<std::vector<std::string>> ListServicesByReflection(
    const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout);

// An HTTP/1.1 GET of `path` from HOST:PORT (a name, an IPv4 address or a bracketed IPv6 literal,
// "[::1]:9090"); returns the body when the status is 200. `timeout` bounds connecting and each
// read and write. INVALID_ARGUMENT for a malformed address, UNAVAILABLE for anything else.
absl::StatusOr<std::string> HttpGet(const std::string& host_port, const std::string& path,
                                    absl::Duration timeout);

struct HostPort {
  std::string host;  // without the brackets of an IPv6 literal
  int port = 0;
};

// Splits "HOST:PORT" or "[IPV6]:PORT".
absl::StatusOr<HostPort> SplitHostPort(std::string_view host_port);

}  // namespace omnia::client

// Channels to omnia services, for clients and for servers calling each other. Kept apart from the
// client probes (libs/client) so that servers, which carry gRPC's own reflection service, never
// link the client-side copy of the reflection protocol (the two would register the same protobuf
// symbols).
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace omnia::rpc {

// A plaintext channel that retries a refused connection within a fraction of a second instead of
// gRPC's default backoff (1 s growing to 2 min), so a client that starts together with a server
// sees it as soon as it listens. A connection attempt itself still gets gRPC's full 20 s to finish,
// so a slow or loaded server is waited for rather than abandoned.
std::shared_ptr<grpc::Channel> CreateInsecureChannel(const std::string& address);
// The same with the given transport credentials (TLS, see libs/server/tls.h).
std::shared_ptr<grpc::Channel> CreateChannel(const std::string& address,
                                             std::shared_ptr<grpc::ChannelCredentials> credentials);

}  // namespace omnia::rpc

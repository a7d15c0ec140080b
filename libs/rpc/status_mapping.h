// The one place where absl::Status (used by every library) meets grpc::Status (what clients see).
#pragma once

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"

namespace omnia::rpc {

// Maps a library status to the status sent on the wire, keeping the code and the message.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Maps a status received from another service back into the library vocabulary, so callers
// can treat local and remote failures alike.
absl::Status FromGrpcStatus(const grpc::Status& status);

// The codes alone; a code outside the canonical space (0 to 16) becomes UNKNOWN, never OK.
grpc::StatusCode ToGrpcCode(absl::StatusCode code);
absl::StatusCode FromGrpcCode(grpc::StatusCode code);

// Name of a gRPC status code as Prometheus labels and logs show it ("OK", "INVALID_ARGUMENT"):
// absl's name of the same code, "UNKNOWN" outside the canonical space.
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace omnia::rpc

// The one place where absl::Status (used by every library) meets grpc::Status (what clients see).
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace omnia::rpc {

// Maps a library status to the status sent on the wire, keeping the code and the message.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Maps a status received from another service back into the library vocabulary, so callers
// can treat local and remote failures alike.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace omnia::rpc

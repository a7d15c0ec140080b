// absl::Time as a google.protobuf.Timestamp, the form every omnia.v1 time field takes.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include "absl/time/time.h"

namespace omnia::rpc {

// Seconds since the epoch rounded down and the nanoseconds after them (0..999,999,999), as the
// Timestamp contract requires also before 1970.
google::protobuf::Timestamp ToProtoTimestamp(absl::Time time);

}  // namespace omnia::rpc

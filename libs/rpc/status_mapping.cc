#include "libs/rpc/status_mapping.h"

#include <string>

namespace omnia::rpc {
namespace {

// absl::StatusCode and grpc::StatusCode both number the canonical codes of google.rpc.Code (0 to
// 16), so a code crosses the boundary by its number. The ends and a few in between are pinned
// here; the mapping test checks every code.
static_assert(static_cast<int>(absl::StatusCode::kOk) == grpc::StatusCode::OK);
static_assert(static_cast<int>(absl::StatusCode::kDeadlineExceeded) ==
              grpc::StatusCode::DEADLINE_EXCEEDED);
static_assert(static_cast<int>(absl::StatusCode::kFailedPrecondition) ==
              grpc::StatusCode::FAILED_PRECONDITION);
static_assert(static_cast<int>(absl::StatusCode::kUnauthenticated) ==
              grpc::StatusCode::UNAUTHENTICATED);

constexpr int kLastCanonicalCode = grpc::StatusCode::UNAUTHENTICATED;

bool IsCanonical(int code) { return code >= 0 && code <= kLastCanonicalCode; }

}  // namespace

grpc::StatusCode ToGrpcCode(absl::StatusCode code) {
  const int number = static_cast<int>(code);
  // A code outside the canonical space is a bug somewhere; never leak it as OK.
  return IsCanonical(number) ? static_cast<grpc::StatusCode>(number) : grpc::StatusCode::UNKNOWN;
}

absl::StatusCode FromGrpcCode(grpc::StatusCode code) {
  const int number = static_cast<int>(code);
  return IsCanonical(number) ? static_cast<absl::StatusCode>(number) : absl::StatusCode::kUnknown;
}

std::string StatusCodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(FromGrpcCode(code));
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(ToGrpcCode(status.code()), std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(FromGrpcCode(status.error_code()), status.error_message());
}

}  // namespace omnia::rpc

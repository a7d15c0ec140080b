#include "libs/rpc/status_mapping.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace omnia::rpc {
namespace {

const std::vector<std::pair<absl::StatusCode, grpc::StatusCode>>& AllCodes() {
  static const auto* codes = new std::vector<std::pair<absl::StatusCode, grpc::StatusCode>>{
      {absl::StatusCode::kCancelled, grpc::StatusCode::CANCELLED},
      {absl::StatusCode::kUnknown, grpc::StatusCode::UNKNOWN},
      {absl::StatusCode::kInvalidArgument, grpc::StatusCode::INVALID_ARGUMENT},
      {absl::StatusCode::kDeadlineExceeded, grpc::StatusCode::DEADLINE_EXCEEDED},
      {absl::StatusCode::kNotFound, grpc::StatusCode::NOT_FOUND},
      {absl::StatusCode::kAlreadyExists, grpc::StatusCode::ALREADY_EXISTS},
      {absl::StatusCode::kPermissionDenied, grpc::StatusCode::PERMISSION_DENIED},
      {absl::StatusCode::kResourceExhausted, grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::StatusCode::kFailedPrecondition, grpc::StatusCode::FAILED_PRECONDITION},
      {absl::StatusCode::kAborted, grpc::StatusCode::ABORTED},
      {absl::StatusCode::kOutOfRange, grpc::StatusCode::OUT_OF_RANGE},
      {absl::StatusCode::kUnimplemented, grpc::StatusCode::UNIMPLEMENTED},
      {absl::StatusCode::kInternal, grpc::StatusCode::INTERNAL},
      {absl::StatusCode::kUnavailable, grpc::StatusCode::UNAVAILABLE},
      {absl::StatusCode::kDataLoss, grpc::StatusCode::DATA_LOSS},
      {absl::StatusCode::kUnauthenticated, grpc::StatusCode::UNAUTHENTICATED},
  };
  return *codes;
}

TEST(StatusMappingTest, OkMapsToOkBothWays) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(StatusMappingTest, EveryCanonicalCodeKeepsItsCodeAndMessage) {
  for (const auto& [absl_code, grpc_code] : AllCodes()) {
    const grpc::Status wire = ToGrpcStatus(absl::Status(absl_code, "line 3, column Regione"));
    EXPECT_EQ(wire.error_code(), grpc_code) << absl::StatusCodeToString(absl_code);
    EXPECT_EQ(wire.error_message(), "line 3, column Regione");

    const absl::Status back = FromGrpcStatus(grpc::Status(grpc_code, "from a peer"));
    EXPECT_EQ(back.code(), absl_code) << absl::StatusCodeToString(absl_code);
    EXPECT_EQ(back.message(), "from a peer");
  }
}

TEST(StatusMappingTest, NonCanonicalCodeNeverBecomesOk) {
  const grpc::Status wire = ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(99), "odd"));
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(wire.error_message(), "odd");
  const absl::Status back = FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(99), "x"));
  EXPECT_EQ(back.code(), absl::StatusCode::kUnknown);
}

TEST(StatusMappingTest, CodeNamesAreTheCanonicalOnes) {
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::DEADLINE_EXCEEDED), "DEADLINE_EXCEEDED");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::FAILED_PRECONDITION), "FAILED_PRECONDITION");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::UNAUTHENTICATED), "UNAUTHENTICATED");
  // Dashboards group by these labels: an odd code from a peer must not invent a new one.
  EXPECT_EQ(StatusCodeName(static_cast<grpc::StatusCode>(17)), "UNKNOWN");
  EXPECT_EQ(StatusCodeName(static_cast<grpc::StatusCode>(-1)), "UNKNOWN");
  for (const auto& [absl_code, grpc_code] : AllCodes()) {
    EXPECT_EQ(StatusCodeName(grpc_code), absl::StatusCodeToString(absl_code));
  }
}

}  // namespace
}  // namespace omnia::rpc

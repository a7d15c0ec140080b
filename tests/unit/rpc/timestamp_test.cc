// Times as clients read them: a Timestamp's nanos are never negative, before 1970 too.
#include "libs/rpc/timestamp.h"

#include <gtest/gtest.h>

namespace omnia::rpc {
namespace {

TEST(TimestampTest, SecondsRoundDownAndNanosStayInRange) {
  const google::protobuf::Timestamp after =
      ToProtoTimestamp(absl::FromUnixSeconds(1767225600) + absl::Milliseconds(250));
  EXPECT_EQ(after.seconds(), 1767225600);
  EXPECT_EQ(after.nanos(), 250000000);

  const google::protobuf::Timestamp before =
      ToProtoTimestamp(absl::FromUnixSeconds(-10) + absl::Milliseconds(250));
  EXPECT_EQ(before.seconds(), -10);
  EXPECT_EQ(before.nanos(), 250000000);

  const google::protobuf::Timestamp just_before = ToProtoTimestamp(absl::FromUnixNanos(-1));
  EXPECT_EQ(just_before.seconds(), -1);
  EXPECT_EQ(just_before.nanos(), 999999999);
}

}  // namespace
}  // namespace omnia::rpc

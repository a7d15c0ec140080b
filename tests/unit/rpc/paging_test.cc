// Paging as common.proto states it for every RPC: page_size 0 is the RPC's default, a value
// above its maximum is lowered to the maximum, a negative one is INVALID_ARGUMENT; tokens are
// opaque and a malformed one is INVALID_ARGUMENT naming page_token.
#include "libs/rpc/paging.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace omnia::rpc {
namespace {

TEST(PagingTest, PageSizeIsTheDefaultTheValueOrTheMaximum) {
  EXPECT_EQ(PageSize(0, 100, 1000).value(), 100);
  EXPECT_EQ(PageSize(1, 100, 1000).value(), 1);
  EXPECT_EQ(PageSize(1000, 100, 1000).value(), 1000);
  EXPECT_EQ(PageSize(1001, 100, 1000).value(), 1000);
  EXPECT_EQ(PageSize(2147483647, 100, 1000).value(), 1000);
}

TEST(PagingTest, ANegativePageSizeIsRefused) {
  const absl::StatusOr<int> size = PageSize(-1, 100, 1000);
  EXPECT_EQ(size.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(size.status().message()), ::testing::HasSubstr("page_size"));
}

TEST(PagingTest, TokensRoundTripAndAMalformedOneIsRefused) {
  EXPECT_EQ(DecodePageToken("").value(), 0u);
  EXPECT_EQ(DecodePageToken(EncodePageToken(12345)).value(), 12345u);
  for (const char* token : {"junk", "o", "o-1", "12"}) {
    const absl::StatusOr<uint64_t> offset = DecodePageToken(token);
    EXPECT_EQ(offset.status().code(), absl::StatusCode::kInvalidArgument) << token;
    EXPECT_THAT(std::string(offset.status().message()), ::testing::HasSubstr("page_token"));
  }
}

}  // namespace
}  // namespace omnia::rpc

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
  const uint64_t digest = RequestDigest("query A");
  EXPECT_EQ(DecodePageToken("", digest).value().offset, 0u);
  const absl::StatusOr<PagePosition> position =
      DecodePageToken(EncodePageToken({12345, 24289}, digest), digest);
  ASSERT_TRUE(position.ok()) << position.status();
  EXPECT_EQ(position->offset, 12345u);
  EXPECT_EQ(position->pinned, 24289u);
  for (const char* token : {"junk", "o", "o-1", "12", "o12345", "dDE6eDox"}) {
    const absl::StatusOr<PagePosition> refused = DecodePageToken(token, digest);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << token;
    EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("page_token"));
  }
}

// common.proto: a token used with different request fields fails with INVALID_ARGUMENT naming
// page_token, instead of starting the other request's result at a foreign position.
TEST(PagingTest, ATokenOfAnotherRequestIsRefused) {
  const std::string token = EncodePageToken({10}, RequestDigest("query A"));
  EXPECT_TRUE(DecodePageToken(token, RequestDigest("query A")).ok());
  const absl::StatusOr<PagePosition> other = DecodePageToken(token, RequestDigest("query B"));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(other.status().message()), ::testing::HasSubstr("page_token"));
}

}  // namespace
}  // namespace omnia::rpc

// Keys built from big-endian integers scan in numeric order, every value survives a round trip at
// each width, and PrefixEnd bounds exactly the keys of a prefix.
#include "libs/storage/key_codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace omnia::storage {
namespace {

TEST(KeyCodecTest, EveryWidthRoundTrips) {
  for (int bytes = 1; bytes <= 8; ++bytes) {
    const uint64_t max = bytes == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * bytes)) - 1;
    for (uint64_t value :
         {uint64_t{0}, uint64_t{1}, uint64_t{0x7f}, uint64_t{0x80}, max / 3, max}) {
      const std::string encoded = BigEndian(value, bytes);
      ASSERT_EQ(encoded.size(), static_cast<size_t>(bytes));
      EXPECT_EQ(ReadBigEndian(encoded), value) << bytes << " bytes";
      EXPECT_EQ(ReadBigEndian(encoded.data(), bytes), value) << bytes << " bytes";
    }
  }
}

TEST(KeyCodecTest, MostSignificantByteFirst) {
  EXPECT_EQ(BigEndian(0x0102030405060708, 8), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(BigEndian(0x0102, 4), std::string("\x00\x00\x01\x02", 4));
  // Only the low bytes are kept.
  EXPECT_EQ(BigEndian(0xabcd, 1), "\xcd");
}

TEST(KeyCodecTest, AppendAndWriteAgreeWithBigEndian) {
  std::string appended = "k/";
  AppendBigEndian(appended, 0xfeedbeef, 4);
  EXPECT_EQ(appended, "k/" + BigEndian(0xfeedbeef, 4));

  std::string written(6, '-');
  WriteBigEndian(written.data() + 1, 0x010203, 3);
  EXPECT_EQ(written, std::string("-\x01\x02\x03--", 6));
}

TEST(KeyCodecTest, ByteOrderIsNumericOrder) {
  const std::vector<uint64_t> ascending = {0,     1,          255,        256,       65535,
                                           65536, 0xffffffff, 1ull << 40, ~0ull - 1, ~0ull};
  for (size_t i = 1; i < ascending.size(); ++i) {
    EXPECT_LT(BigEndian(ascending[i - 1], 8), BigEndian(ascending[i], 8)) << ascending[i];
  }
}

TEST(KeyCodecTest, ReadsNothingAsZero) { EXPECT_EQ(ReadBigEndian(std::string_view()), 0u); }

TEST(KeyCodecTest, AStoredIntegerOfTheWrongLengthIsDataLossNamingIt) {
  absl::StatusOr<uint64_t> good = ReadStoredInteger(BigEndian(70000, 4), 4, "next_worker_id");
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(*good, 70000u);
  for (const std::string& damaged : {std::string(), std::string(3, 'x'), std::string(9, 'x')}) {
    absl::StatusOr<uint64_t> read = ReadStoredInteger(damaged, 4, "next_worker_id");
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(read.status().message().find("next_worker_id"), std::string::npos);
  }
}

TEST(KeyCodecTest, PrefixEndBoundsExactlyThePrefixsKeys) {
  EXPECT_EQ(PrefixEnd("seq/"), "seq0");
  const std::string end = PrefixEnd("seq/");
  for (const std::string& inside :
       {std::string("seq/"), std::string("seq/a"), std::string("seq/\xff\xff", 6)}) {
    EXPECT_LT(inside, end) << inside;
  }
  for (const char* outside : {"seq0", "seq0a", "sf"}) EXPECT_GE(outside, end) << outside;
}

TEST(KeyCodecTest, PrefixEndCarriesOverTrailingFfBytes) {
  EXPECT_EQ(PrefixEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixEnd(std::string("a\xfe\xff\xff", 4)), "a\xff");
  EXPECT_LT(std::string("a\xff\xff\x01", 4), PrefixEnd(std::string("a\xff", 2)));
}

TEST(KeyCodecTest, PrefixEndIsEmptyWhenNoKeyFollows) {
  // Empty is the end of a scan to the last key.
  EXPECT_EQ(PrefixEnd(std::string("\xff\xff", 2)), "");
  EXPECT_EQ(PrefixEnd(""), "");
}

}  // namespace
}  // namespace omnia::storage

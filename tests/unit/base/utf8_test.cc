// The shared UTF-8 decoder at the edges of RFC 3629: every length, the smallest and largest
// value of each, and the sequences a decoder must refuse (overlong, surrogate, beyond U+10FFFF,
// truncated, stray continuation bytes).
#include "libs/base/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace omnia {
namespace {

// The length DecodeUtf8 reports for `bytes`, and the code point when it accepts them.
struct Decoded {
  size_t length;
  char32_t code_point;
};

Decoded Decode(std::string_view bytes) {
  char32_t code_point = 0xFFFFFFFF;
  const size_t length = DecodeUtf8(bytes, &code_point);
  return {length, code_point};
}

TEST(Utf8Test, DecodesEveryLengthAtItsBounds) {
  const struct {
    std::string bytes;
    char32_t code_point;
  } valid[] = {
      {std::string(1, '\0'), 0x0},
      {"A", 0x41},
      {"\x7F", 0x7F},
      {"\xC2\x80", 0x80},
      {"\xC3\xA0", 0xE0},  // à
      {"\xDF\xBF", 0x7FF},
      {"\xE0\xA0\x80", 0x800},
      {"\xE2\x82\xAC", 0x20AC},  // €
      {"\xED\x9F\xBF", 0xD7FF},  // just below the surrogates
      {"\xEE\x80\x80", 0xE000},  // just above them
      {"\xEF\xBF\xBF", 0xFFFF},
      {"\xF0\x90\x80\x80", 0x10000},
      {"\xF0\x9F\x98\x80", 0x1F600},  // 😀
      {"\xF4\x8F\xBF\xBF", 0x10FFFF},
  };
  for (const auto& [bytes, code_point] : valid) {
    const Decoded decoded = Decode(bytes + "tail");
    EXPECT_EQ(decoded.length, bytes.size()) << bytes;
    EXPECT_EQ(decoded.code_point, code_point) << bytes;
    EXPECT_TRUE(IsValidUtf8(bytes));
  }
}

TEST(Utf8Test, RefusesOverlongForms) {
  for (const std::string bytes : {"\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF",
                                  "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF"}) {
    EXPECT_EQ(Decode(bytes).length, 0u) << bytes;
    EXPECT_FALSE(IsValidUtf8(bytes));
  }
}

TEST(Utf8Test, RefusesSurrogatesAndValuesBeyondUnicode) {
  for (const std::string bytes : {"\xED\xA0\x80", "\xED\xBF\xBF", "\xED\xB0\x80",
                                  "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xFE"}) {
    EXPECT_EQ(Decode(bytes).length, 0u) << bytes;
    EXPECT_FALSE(IsValidUtf8(bytes));
  }
}

TEST(Utf8Test, RefusesTruncatedSequencesAndStrayContinuationBytes) {
  for (const std::string bytes : {"\xC3", "\xE2\x82", "\xF0\x9F\x98", "\xE2\x82x", "\xF0\x9F\x98x",
                                  "\x80", "\xBF", "\xC3\xC3\xA0"}) {
    EXPECT_EQ(Decode(bytes).length, 0u) << bytes;
    EXPECT_FALSE(IsValidUtf8(bytes));
  }
  EXPECT_EQ(Decode("").length, 0u);
  EXPECT_TRUE(IsValidUtf8(""));
}

TEST(Utf8Test, ValidityIsOfTheWholeText) {
  EXPECT_TRUE(IsValidUtf8("Mensilità € 😀"));
  EXPECT_FALSE(IsValidUtf8("Mensilità \xC3"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80 Mensilità"));
}

}  // namespace
}  // namespace omnia

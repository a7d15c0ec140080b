// The one UTF-8 decoder: the export writers repair text with it, the catalogue folds and checks
// text with it. Well-formed means RFC 3629 (Unicode's Table 3-7): no overlong forms, no UTF-16
// surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace omnia {

// Decodes the well-formed sequence at the start of `text`: stores its code point and returns its
// length in bytes (1 to 4), or returns 0 when `text` is empty or does not start with one.
inline size_t DecodeUtf8(std::string_view text, char32_t* code_point) {
  if (text.empty()) return 0;
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(0);
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  }
  // The lead byte gives the length and its payload bits; the range allowed for the second byte
  // is what excludes overlong forms (E0, F0), surrogates (ED) and values past U+10FFFF (F4).
  size_t length = 0;
  char32_t value = 0;
  uint8_t low = 0x80;
  uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    value = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    value = lead & 0x07;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;  // a continuation byte, C0/C1 (always overlong) or F5..FF
  }
  if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 1; i < length; ++i) {
    if (i > 1 && (byte(i) < 0x80 || byte(i) > 0xBF)) return 0;
    value = (value << 6) | (byte(i) & 0x3F);
  }
  *code_point = value;
  return length;
}

// True when all of `text` is well-formed UTF-8 (protobuf string fields must be).
inline bool IsValidUtf8(std::string_view text) {
  while (!text.empty()) {
    char32_t code_point = 0;
    const size_t length = DecodeUtf8(text, &code_point);
    if (length == 0) return false;
    text.remove_prefix(length);
  }
  return true;
}

}  // namespace omnia

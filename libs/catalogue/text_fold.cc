#include "libs/catalogue/text_fold.h"

#include <cstdint>

namespace omnia::catalogue {
namespace {

// Decodes one well-formed UTF-8 sequence at text[pos]; returns its length, or 0 when the bytes
// there are not well-formed (overlong forms, surrogates and values above U+10FFFF included).
size_t DecodeUtf8(std::string_view text, size_t pos, uint32_t* code_point) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[pos + i]); };
  const uint8_t b0 = byte(0);
  if (b0 < 0x80) {
    *code_point = b0;
    return 1;
  }
  size_t length = 0;
  uint32_t value = 0;
  uint32_t minimum = 0;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2;
    value = b0 & 0x1F;
    minimum = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3;
    value = b0 & 0x0F;
    minimum = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4;
    value = b0 & 0x07;
    minimum = 0x10000;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte(i) & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  *code_point = value;
  return length;
}

// Folding of U+00C0..U+00FF, indexed from U+00C0. A single space marks the two symbols of the
// block (× and ÷), which separate words like punctuation.
constexpr const char* kLatin1Letters[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // C0-CF
    "d", "n", "o", "o", "o", "o", "o",  " ", "o", "u", "u", "u", "u", "y", "th", "ss",  // D0-DF
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // E0-EF
    "d", "n", "o", "o", "o", "o", "o",  " ", "o", "u", "u", "u", "u", "y", "th", "y",   // F0-FF
};

// What one code point folds to: nullptr when it is kept unchanged, " " for a separator.
const char* FoldCodePoint(uint32_t cp) {
  if (cp < 0x80) {
    // ASCII letters and digits are handled by the caller; everything else separates words.
    return " ";
  }
  if (cp >= 0xC0 && cp <= 0xFF) return kLatin1Letters[cp - 0xC0];
  // Latin-1 punctuation and symbols (no-break space, « », °, ...), general punctuation (’ “ ”
  // – — …, the typographic spaces) and the ideographic space.
  if ((cp >= 0x80 && cp <= 0xBF) || (cp >= 0x2000 && cp <= 0x206F) || cp == 0x3000) return " ";
  return nullptr;
}

}  // namespace

std::string FoldText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  // A separator is written only before the next word, so runs collapse and ends are trimmed.
  bool pending_space = false;
  const auto append = [&](std::string_view piece) {
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.append(piece);
  };
  size_t pos = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      append(std::string_view(&c, 1));
      ++pos;
      continue;
    }
    if (c >= 'A' && c <= 'Z') {
      const char lower = static_cast<char>(c - 'A' + 'a');
      append(std::string_view(&lower, 1));
      ++pos;
      continue;
    }
    uint32_t cp = 0;
    const size_t length = DecodeUtf8(text, pos, &cp);
    if (length == 0) {
      // Not UTF-8: keep the byte, so that different inputs never fold to the same text by
      // accident of decoding.
      append(text.substr(pos, 1));
      ++pos;
      continue;
    }
    const char* folded = FoldCodePoint(cp);
    if (folded == nullptr) {
      append(text.substr(pos, length));
    } else if (folded[0] == ' ') {
      pending_space = true;
    } else {
      append(folded);
    }
    pos += length;
  }
  return out;
}

std::vector<std::string> FoldedWords(std::string_view text) {
  std::vector<std::string> words;
  const std::string folded = FoldText(text);
  size_t start = 0;
  while (start < folded.size()) {
    size_t end = folded.find(' ', start);
    if (end == std::string::npos) end = folded.size();
    words.push_back(folded.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

bool IsValidUtf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    uint32_t cp = 0;
    const size_t length = DecodeUtf8(text, pos, &cp);
    if (length == 0) return false;
    pos += length;
  }
  return true;
}

size_t CodePointCount(std::string_view text) {
  size_t count = 0;
  for (const char c : text) {
    // Every code point has exactly one byte that is not a continuation byte.
    if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

}  // namespace omnia::catalogue

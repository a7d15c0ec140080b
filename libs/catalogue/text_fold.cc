#include "libs/catalogue/text_fold.h"

#include <cstdint>

#include "libs/base/utf8.h"

namespace omnia::catalogue {
namespace {

// Folding of U+00C0..U+00FF, indexed from U+00C0. A single space marks the two symbols of the
// block (× and ÷), which separate words like punctuation.
constexpr const char* kLatin1Letters[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // C0-CF
    "d", "n", "o", "o", "o", "o", "o",  " ", "o", "u", "u", "u", "u", "y", "th", "ss",  // D0-DF
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // E0-EF
    "d", "n", "o", "o", "o", "o", "o",  " ", "o", "u", "u", "u", "u", "y", "th", "y",   // F0-FF
};

// What one code point folds to: nullptr when it is kept unchanged, " " for a separator, "" when
// it is dropped.
const char* FoldCodePoint(char32_t cp) {
  // Combining diacritical marks: "a" followed by U+0300 is "à" written decomposed (NFD), as text
  // pasted from some systems is; dropping the mark folds it like the precomposed letter.
  if (cp >= 0x300 && cp <= 0x36F) return "";
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
    char32_t cp = 0;
    const size_t length = DecodeUtf8(text.substr(pos), &cp);
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
    } else if (folded[0] == '\0') {
      // Dropped.
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

size_t CodePointCount(std::string_view text) {
  size_t count = 0;
  for (const char c : text) {
    // Every code point has exactly one byte that is not a continuation byte.
    if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

}  // namespace omnia::catalogue

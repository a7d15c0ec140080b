#include "libs/export/internal/text.h"

#include <cstdint>

namespace omnia::exporter::internal {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// Length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF), or 0 when it is not well formed. `text` is not empty.
size_t Utf8SequenceLength(std::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint8_t low = 0x80;
  uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

// Calls on_ascii(char) for each ASCII byte and on_other(std::string_view) for each well-formed
// multi-byte sequence; malformed bytes become one U+FFFD each, passed to on_other.
template <typename OnAscii, typename OnOther>
void ForEachCharacter(std::string_view text, OnAscii&& on_ascii, OnOther&& on_other) {
  while (!text.empty()) {
    const size_t length = Utf8SequenceLength(text);
    if (length == 0) {
      on_other(kReplacement);
      text.remove_prefix(1);
      continue;
    }
    if (length == 1) {
      on_ascii(text[0]);
    } else {
      on_other(text.substr(0, length));
    }
    text.remove_prefix(length);
  }
}

// U+FFFE and U+FFFF are not XML characters.
bool IsXmlNonCharacter(std::string_view sequence) {
  return sequence == "\xEF\xBF\xBE" || sequence == "\xEF\xBF\xBF";
}

bool IsXmlForbiddenControl(char c) {
  const auto byte = static_cast<uint8_t>(c);
  return byte < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

}  // namespace

std::string JsonString(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  ForEachCharacter(
      text,
      [&](char c) {
        switch (c) {
          case '"':
            out += "\\\"";
            return;
          case '\\':
            out += "\\\\";
            return;
          case '\n':
            out += "\\n";
            return;
          case '\r':
            out += "\\r";
            return;
          case '\t':
            out += "\\t";
            return;
          case '\b':
            out += "\\b";
            return;
          case '\f':
            out += "\\f";
            return;
          default:
            break;
        }
        if (static_cast<uint8_t>(c) < 0x20) {
          constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[(c >> 4) & 0xf]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(c);
        }
      },
      [&](std::string_view sequence) { out.append(sequence); });
  out.push_back('"');
  return out;
}

std::string XmlEscaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  ForEachCharacter(
      text,
      [&](char c) {
        switch (c) {
          case '&':
            out += "&amp;";
            return;
          case '<':
            out += "&lt;";
            return;
          case '>':
            out += "&gt;";
            return;
          case '"':
            out += "&quot;";
            return;
          case '\t':
            out += "&#9;";
            return;
          case '\n':
            out += "&#10;";
            return;
          case '\r':
            out += "&#13;";
            return;
          default:
            break;
        }
        if (IsXmlForbiddenControl(c)) {
          out.append(kReplacement);
        } else {
          out.push_back(c);
        }
      },
      [&](std::string_view sequence) {
        out.append(IsXmlNonCharacter(sequence) ? kReplacement : sequence);
      });
  return out;
}

std::string XmlSafeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  ForEachCharacter(
      text,
      [&](char c) {
        if (IsXmlForbiddenControl(c)) {
          out.append(kReplacement);
        } else {
          out.push_back(c);
        }
      },
      [&](std::string_view sequence) {
        out.append(IsXmlNonCharacter(sequence) ? kReplacement : sequence);
      });
  return out;
}

std::string CsvField(std::string_view text, char separator) {
  if (text.find_first_of(std::string{separator, '"', '\r', '\n'}) == std::string_view::npos) {
    return std::string(text);
  }
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace omnia::exporter::internal

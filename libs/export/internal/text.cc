#include "libs/export/internal/text.h"

#include <cstdint>

#include "libs/base/utf8.h"

namespace omnia::exporter::internal {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// Calls on_ascii(char) for each ASCII byte and on_other(std::string_view) for each well-formed
// multi-byte sequence; malformed bytes become one U+FFFD each, passed to on_other.
template <typename OnAscii, typename OnOther>
void ForEachCharacter(std::string_view text, OnAscii&& on_ascii, OnOther&& on_other) {
  while (!text.empty()) {
    char32_t code_point = 0;
    const size_t length = DecodeUtf8(text, &code_point);
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

// The character references XML needs for markup and for whitespace an attribute value must keep;
// null for every other character.
const char* XmlMarkupReference(char c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\t':
      return "&#9;";
    case '\n':
      return "&#10;";
    case '\r':
      return "&#13;";
    default:
      return nullptr;
  }
}

std::string XmlSafeText(std::string_view text, XmlMarkup markup) {
  std::string out;
  out.reserve(text.size());
  ForEachCharacter(
      text,
      [&](char c) {
        const char* reference = markup == XmlMarkup::kEscape ? XmlMarkupReference(c) : nullptr;
        if (reference != nullptr) {
          out += reference;
        } else if (IsXmlForbiddenControl(c)) {
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

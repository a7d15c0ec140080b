// Escaping for the text formats. Every function returns a new string: the writers escape each
// codelist member and metadata field once per file, never per row. Not part of the public API.
#pragma once

#include <string>
#include <string_view>

namespace omnia::exporter::internal {

// A JSON string literal, quotes included. Control characters are escaped; invalid UTF-8 is
// replaced by U+FFFD so that the document is always valid UTF-8.
std::string JsonString(std::string_view text);

// Whether XmlSafeText escapes markup.
enum class XmlMarkup {
  // & < > " escaped; tab, LF and CR written as character references (so attribute values keep
  // them and CR survives end-of-line normalisation): for XML character data or a double-quoted
  // attribute value written directly.
  kEscape,
  // Nothing escaped: for strings handed to libxlsxwriter, which escapes markup itself.
  kKeep,
};

// `text` made safe for XML 1.0: invalid UTF-8, the control characters XML 1.0 forbids, U+FFFE
// and U+FFFF replaced by U+FFFD; markup escaped or kept as `markup` says.
std::string XmlSafeText(std::string_view text, XmlMarkup markup);

// A CSV field: quoted, with inner quotes doubled, when it holds the separator, a double quote,
// CR or LF; otherwise unchanged.
std::string CsvField(std::string_view text, char separator);

}  // namespace omnia::exporter::internal

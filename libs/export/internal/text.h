// Escaping for the text formats. Every function returns a new string: the writers escape each
// codelist member and metadata field once per file, never per row. Not part of the public API.
#pragma once

#include <string>
#include <string_view>

namespace omnia::exporter::internal {

// A JSON string literal, quotes included. Control characters are escaped; invalid UTF-8 is
// replaced by U+FFFD so that the document is always valid UTF-8.
std::string JsonString(std::string_view text);

// Text for XML character data or a double-quoted attribute value: & < > " escaped; tab, LF and
// CR written as character references (so attribute values keep them and CR survives
// end-of-line normalisation); invalid UTF-8, control characters XML 1.0 forbids, U+FFFE and
// U+FFFF replaced by U+FFFD.
std::string XmlEscaped(std::string_view text);

// `text` with invalid UTF-8 and the characters XML 1.0 forbids replaced by U+FFFD, nothing
// escaped: for strings handed to libxlsxwriter, which escapes markup itself.
std::string XmlSafeUtf8(std::string_view text);

// A CSV field: quoted, with inner quotes doubled, when it holds the separator, a double quote,
// CR or LF; otherwise unchanged.
std::string CsvField(std::string_view text, char separator);

}  // namespace omnia::exporter::internal

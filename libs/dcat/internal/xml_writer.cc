#include "libs/dcat/internal/xml_writer.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace omnia::dcat::internal {
namespace {

// libxml2 takes NUL-terminated strings.
const xmlChar* Chars(const std::string& text) {
  return reinterpret_cast<const xmlChar*>(text.c_str());
}

// Length of the valid UTF-8 sequence starting at text[i] that XML 1.0 can carry, or 0.
size_t XmlCharLength(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) {
    return (lead >= 0x20 || lead == '\t' || lead == '\n' || lead == '\r') ? 1 : 0;
  }
  size_t length = 0;
  uint32_t code = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  const bool overlong = code < kMinimum[length];
  const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
  const bool non_character = code == 0xFFFE || code == 0xFFFF || code > 0x10FFFF;
  return (overlong || surrogate || non_character) ? 0 : length;
}

}  // namespace

std::string ToXmlText(absl::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t length = XmlCharLength(text, i);
    if (length == 0) {
      clean += "\xEF\xBF\xBD";
      ++i;
    } else {
      clean.append(text.data() + i, length);
      i += length;
    }
  }
  return clean;
}

XmlWriter::XmlWriter()
    : buffer_(xmlBufferCreate(), xmlBufferFree), writer_(nullptr, xmlFreeTextWriter) {
  if (buffer_ == nullptr) {
    error_ = "out of memory";
    return;
  }
  writer_.reset(xmlNewTextWriterMemory(buffer_.get(), 0));
  if (writer_ == nullptr) {
    error_ = "out of memory";
    return;
  }
  Check(xmlTextWriterSetIndent(writer_.get(), 1), "indent");
  Check(xmlTextWriterSetIndentString(writer_.get(), Chars("  ")), "indent");
  Check(xmlTextWriterStartDocument(writer_.get(), nullptr, "UTF-8", nullptr), "declaration");
}

void XmlWriter::Check(int result, absl::string_view what) {
  if (result < 0 && error_.empty()) error_ = absl::StrCat("libxml2 failed writing ", what);
}

void XmlWriter::StartElement(absl::string_view name) {
  if (!error_.empty()) return;
  Check(xmlTextWriterStartElement(writer_.get(), Chars(std::string(name))), name);
}

void XmlWriter::Attribute(absl::string_view name, absl::string_view value) {
  if (!error_.empty()) return;
  Check(
      xmlTextWriterWriteAttribute(writer_.get(), Chars(std::string(name)), Chars(ToXmlText(value))),
      name);
}

void XmlWriter::Text(absl::string_view text) {
  if (!error_.empty()) return;
  Check(xmlTextWriterWriteString(writer_.get(), Chars(ToXmlText(text))), "text");
}

void XmlWriter::EndElement() {
  if (!error_.empty()) return;
  Check(xmlTextWriterEndElement(writer_.get()), "element end");
}

void XmlWriter::Element(absl::string_view name, absl::string_view text) {
  StartElement(name);
  Text(text);
  EndElement();
}

absl::StatusOr<std::string> XmlWriter::Finish() {
  if (error_.empty()) Check(xmlTextWriterEndDocument(writer_.get()), "document end");
  // Freeing the writer flushes what it holds into the buffer.
  writer_.reset();
  if (!error_.empty()) return absl::InternalError(absl::StrCat("XML: ", error_));
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer_.get())),
                     xmlBufferLength(buffer_.get()));
}

}  // namespace omnia::dcat::internal

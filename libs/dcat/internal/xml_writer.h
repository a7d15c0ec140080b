// A streaming XML writer over libxml2's xmlTextWriter: escaping and well-formedness are
// libxml2's; errors are collected and reported once by Finish.
#ifndef OMNIA_LIBS_DCAT_INTERNAL_XML_WRITER_H_
#define OMNIA_LIBS_DCAT_INTERNAL_XML_WRITER_H_

#include <libxml/xmlwriter.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace omnia::dcat::internal {

// The text with every byte that is not part of a character XML 1.0 allows (invalid UTF-8, C0
// controls other than tab, line feed and carriage return, U+FFFE, U+FFFF) replaced by U+FFFD.
std::string ToXmlText(absl::string_view text);

// Text and attribute values are passed through ToXmlText.
class XmlWriter {
 public:
  // Starts a UTF-8 document indented by two spaces.
  XmlWriter();
  XmlWriter(const XmlWriter&) = delete;
  XmlWriter& operator=(const XmlWriter&) = delete;

  void StartElement(absl::string_view name);
  void Attribute(absl::string_view name, absl::string_view value);
  // Character data, escaped.
  void Text(absl::string_view text);
  void EndElement();
  // <name>text</name>
  void Element(absl::string_view name, absl::string_view text);

  // Closes every open element and returns the document. Errors: INTERNAL when any call failed.
  absl::StatusOr<std::string> Finish();

 private:
  void Check(int result, absl::string_view what);

  std::unique_ptr<xmlBuffer, void (*)(xmlBufferPtr)> buffer_;
  std::unique_ptr<xmlTextWriter, void (*)(xmlTextWriterPtr)> writer_;
  std::string error_;
};

}  // namespace omnia::dcat::internal

#endif  // OMNIA_LIBS_DCAT_INTERNAL_XML_WRITER_H_

// Reading rendered pages as a browser's DOM would: libxml2's HTML parser and XPath, so tests
// assert on elements and their text rather than on strings of markup.
#ifndef OMNIA_TESTS_UNIT_PORTAL_HTML_DOM_H_
#define OMNIA_TESTS_UNIT_PORTAL_HTML_DOM_H_

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include <memory>
#include <string>
#include <vector>

namespace omnia::portal {

class HtmlDom {
 public:
  explicit HtmlDom(const std::string& html)
      : doc_(htmlReadMemory(html.data(), static_cast<int>(html.size()), "page.html", "utf-8",
                            HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET),
             xmlFreeDoc) {}

  bool ok() const { return doc_ != nullptr; }

  // The text content of every node matching `xpath` (elements or attributes).
  std::vector<std::string> Texts(const std::string& xpath) const {
    std::vector<std::string> out;
    if (!doc_) return out;
    std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)> context(
        xmlXPathNewContext(doc_.get()), xmlXPathFreeContext);
    std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> result(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), context.get()),
        xmlXPathFreeObject);
    if (!result || result->nodesetval == nullptr) return out;
    for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
      xmlChar* text = xmlNodeGetContent(result->nodesetval->nodeTab[i]);
      out.emplace_back(text == nullptr ? "" : reinterpret_cast<const char*>(text));
      xmlFree(text);
    }
    return out;
  }

  size_t Count(const std::string& xpath) const { return Texts(xpath).size(); }

  // The single match's text, or "<none>"/"<several>".
  std::string Text(const std::string& xpath) const {
    const std::vector<std::string> texts = Texts(xpath);
    if (texts.empty()) return "<none>";
    if (texts.size() > 1) return "<several>";
    return texts.front();
  }

 private:
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc_;
};

}  // namespace omnia::portal

#endif  // OMNIA_TESTS_UNIT_PORTAL_HTML_DOM_H_

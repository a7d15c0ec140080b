// Small HTML building blocks shared by the pages: tables of numbers and links with query
// strings. Every piece of text given here is escaped by these functions.
#ifndef OMNIA_LIBS_PORTAL_HTML_H_
#define OMNIA_LIBS_PORTAL_HTML_H_

#include <string>
#include <utility>
#include <vector>

namespace omnia::portal {

// A table whose first column names the row (a <th scope="row">) and whose other columns are
// numbers (right-aligned). Text cells are plain text, escaped when rendered.
struct Table {
  std::string caption;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // True when the columns after the first hold text rather than numbers.
  bool text_columns = false;
};

// The table inside a horizontally scrollable, focusable region so it stays usable at 390 px.
std::string RenderTable(const Table& table);

// "path?name=value&..." with every name and value percent-encoded; parameters with an empty
// value are left out. The result is not HTML-escaped (see Href).
std::string UrlWithQuery(const std::string& path,
                         const std::vector<std::pair<std::string, std::string>>& params);

// An <a> element: href and text are escaped.
std::string Link(const std::string& href, const std::string& text);

}  // namespace omnia::portal

#endif  // OMNIA_LIBS_PORTAL_HTML_H_

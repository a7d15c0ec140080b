#include "libs/portal/html.h"

#include "absl/strings/str_cat.h"
#include "libs/portal/format.h"

namespace omnia::portal {

std::string RenderTable(const Table& table) {
  std::string out = absl::StrCat("<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" ",
                                 "aria-label=\"", HtmlEscape(table.caption), "\"><table><caption>",
                                 HtmlEscape(table.caption), "</caption><thead><tr>");
  for (const std::string& heading : table.header) {
    absl::StrAppend(&out, "<th scope=\"col\">", HtmlEscape(heading), "</th>");
  }
  absl::StrAppend(&out, "</tr></thead><tbody>");
  const char* cell_open = table.text_columns ? "<td>" : "<td class=\"num\">";
  for (const std::vector<std::string>& row : table.rows) {
    absl::StrAppend(&out, "<tr>");
    for (size_t i = 0; i < row.size(); ++i) {
      if (i == 0) {
        absl::StrAppend(&out, "<th scope=\"row\">", HtmlEscape(row[i]), "</th>");
      } else {
        absl::StrAppend(&out, cell_open, HtmlEscape(row[i]), "</td>");
      }
    }
    absl::StrAppend(&out, "</tr>");
  }
  return out + "</tbody></table></div>";
}

std::string UrlWithQuery(const std::string& path,
                         const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out = path;
  char separator = '?';
  for (const auto& [name, value] : params) {
    if (value.empty()) continue;
    absl::StrAppend(&out, std::string(1, separator), UrlEncode(name), "=", UrlEncode(value));
    separator = '&';
  }
  return out;
}

std::string Link(const std::string& href, const std::string& text) {
  return absl::StrCat("<a href=\"", HtmlEscape(href), "\">", HtmlEscape(text), "</a>");
}

}  // namespace omnia::portal

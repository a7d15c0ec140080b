#include "libs/portal/releases_page.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/portal/format.h"

namespace omnia::portal {
namespace {

std::string ReleaseItem(const v1::Release& release) {
  std::string out = absl::StrCat(
      "<li><h2 id=\"rilascio-", HtmlEscape(release.release_id()), "\">Rilascio ",
      HtmlEscape(release.release_id()), "</h2><p class=\"meta\">Pubblicato il <time datetime=\"",
      IsoDate(release.publication_date()), "\">", FormatDate(release.publication_date()),
      "</time> · ", FormatInteger(release.dataset_count()),
      " dataset nel catalogo · <a href=\"/releases/", UrlEncode(release.release_id()),
      "/SHA256SUMS\">impronte SHA-256 dei file</a></p>");
  if (!release.description().empty()) {
    absl::StrAppend(&out, "<p>", HtmlEscape(release.description()), "</p>");
  }
  if (release.changes_size() == 0) {
    return out + "<p>Nessun dataset cambiato.</p></li>";
  }
  absl::StrAppend(&out, "<ul>");
  for (const v1::DatasetChange& change : release.changes()) {
    absl::StrAppend(
        &out, "<li>",
        change.kind() == v1::CHANGE_KIND_ADDED ? "Nuovo: " : "Aggiornato: ", "<a href=\"/dataset/",
        UrlEncode(change.dataset_id()), "\">", HtmlEscape(change.title()), "</a></li>");
  }
  return out + "</ul></li>";
}

}  // namespace

std::string RenderReleasesPage(const PortalSite& site, const std::vector<v1::Release>& releases) {
  std::string main =
      "<p class=\"lead\">Ogni rilascio congela i dati e ne pubblica i file; i rilasci precedenti "
      "restano scaricabili. Segui i rilasci anche con il <a href=\"/releases.atom\">feed "
      "Atom</a>.</p>";
  if (releases.empty()) {
    absl::StrAppend(&main, "<p>Non è stato ancora pubblicato alcun rilascio.</p>");
  } else {
    absl::StrAppend(&main, "<ol class=\"results\" reversed>");
    for (const v1::Release& release : releases) absl::StrAppend(&main, ReleaseItem(release));
    absl::StrAppend(&main, "</ol>");
  }
  Page page;
  page.heading = "Rilasci";
  page.section = "/rilasci";
  page.trail = {{"Rilasci", ""}};
  page.main_html = std::move(main);
  return RenderPage(site, page);
}

}  // namespace omnia::portal

#include "libs/portal/layout.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/portal/format.h"

namespace omnia::portal {
namespace {

// Contrast: text #1a1a1a and links #0b5cad on white exceed 4.5:1; white on #003d7a (header)
// exceeds 10:1. Focus is a thick amber outline with a dark inner ring, visible on any colour.
constexpr absl::string_view kStyle = R"css(
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
font-size:100%;line-height:1.5;color:#1a1a1a;background:#fff}
body{margin:0}
a{color:#0b5cad}
a:hover{color:#003d7a}
:focus-visible,:focus{outline:3px solid #f5a300;outline-offset:2px;box-shadow:0 0 0 5px #1a1a1a}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:9}
.skip:focus{left:1rem}
.wrap{max-width:1200px;margin:0 auto;padding:0 1rem}
header.site{background:#003d7a;color:#fff}
header.site a{color:#fff}
header.site .brand{display:block;font-size:1.25rem;font-weight:700;padding:1rem 0 .25rem;
text-decoration:none}
header.site .owner{margin:0;padding-bottom:.5rem;font-size:.9rem}
nav.main-nav{background:#00264d}
nav.main-nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1.5rem}
nav.main-nav a{display:inline-block;padding:.6rem 0;color:#fff;font-weight:600}
nav.main-nav a[aria-current]{text-decoration-thickness:3px;text-underline-offset:6px}
nav.breadcrumb ol{list-style:none;display:flex;flex-wrap:wrap;margin:1rem 0 0;padding:0;
font-size:.9rem}
nav.breadcrumb li+li::before{content:"\203A";padding:0 .5rem;color:#555}
main{padding:1rem 0 2rem}
h1{font-size:1.9rem;line-height:1.2;margin:.5rem 0 1rem}
h2{font-size:1.4rem;margin:2rem 0 .75rem}
h3{font-size:1.1rem;margin:1.25rem 0 .5rem}
.lead{font-size:1.1rem;max-width:60rem}
.layout{display:grid;grid-template-columns:1fr;gap:1.5rem}
@media(min-width:768px){.layout{grid-template-columns:18rem 1fr}}
fieldset{border:1px solid #949494;border-radius:4px;margin:0 0 1rem;padding:.5rem .75rem}
legend{font-weight:700;padding:0 .25rem}
label{display:block;margin:.25rem 0}
input[type=search],input[type=text],select{font:inherit;padding:.4rem;border:1px solid #5c5c5c;
border-radius:4px;max-width:100%}
button,.button{font:inherit;background:#0b5cad;color:#fff;border:0;border-radius:4px;
padding:.5rem 1rem;cursor:pointer;text-decoration:none;display:inline-block}
.results{list-style:none;margin:0;padding:0}
.results li{border-bottom:1px solid #d6d6d6;padding:.75rem 0}
.results h3{margin:0 0 .25rem}
.meta{color:#4d4d4d;font-size:.95rem;margin:0}
.formats{display:inline-flex;flex-wrap:wrap;gap:.25rem;list-style:none;margin:.25rem 0 0;padding:0}
.formats li{border:1px solid #0b5cad;color:#0b5cad;border-radius:3px;padding:0 .4rem;
font-size:.85rem;font-weight:600}
.pager{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0}
.pager a,.pager span{display:inline-block;padding:.3rem .7rem;border:1px solid #0b5cad;
border-radius:4px}
.pager span[aria-current]{background:#0b5cad;color:#fff}
dl.fields{display:grid;grid-template-columns:1fr;gap:.25rem 1rem;margin:0}
@media(min-width:768px){dl.fields{grid-template-columns:14rem 1fr}}
dl.fields dt{font-weight:700}
dl.fields dd{margin:0 0 .5rem}
.notice{border-left:6px solid #c25400;background:#fff4e5;padding:.75rem 1rem;margin:1rem 0}
.note{border-left:6px solid #0b5cad;background:#eef4fb;padding:.75rem 1rem;margin:1rem 0}
.table-wrap{overflow-x:auto;margin:1rem 0}
table{border-collapse:collapse;min-width:50%}
caption{text-align:left;font-weight:700;padding:.25rem 0}
th,td{border-bottom:1px solid #d6d6d6;padding:.35rem .6rem;text-align:left;vertical-align:top}
thead th{border-bottom:2px solid #1a1a1a}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code,.hash{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;
font-size:.85rem;overflow-wrap:anywhere}
figure{margin:1rem 0;overflow-x:auto}
svg.chart{width:100%;height:auto;min-width:540px;font-size:14px;font-family:inherit}
svg.chart .grid{stroke:#d6d6d6}
svg.chart .baseline{stroke:#1a1a1a}
svg.chart text:not([fill]){fill:#1a1a1a}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:1rem;
list-style:none;padding:0}
.figures li{border:1px solid #d6d6d6;border-top:6px solid #0b5cad;padding:.75rem 1rem}
.figures .value{font-size:1.8rem;font-weight:700;display:block}
.downloads{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;list-style:none;padding:0}
.controls{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:.5rem 1rem;
align-items:end}
details{margin:1rem 0}
summary{cursor:pointer;font-weight:600}
footer.site{background:#00264d;color:#fff;padding:1.5rem 0;margin-top:2rem;font-size:.95rem}
footer.site a{color:#fff}
)css";

constexpr std::pair<absl::string_view, absl::string_view> kSections[] = {
    {"/", "Open Data"}, {"/cruscotto", "Cruscotto"}, {"/rilasci", "Rilasci"}};

std::string Header(const PortalSite& site, const Page& page) {
  std::string out = absl::StrCat(
      "<a class=\"skip\" href=\"#contenuto\">Vai al contenuto principale</a>",
      "<header class=\"site\"><div class=\"wrap\"><a class=\"brand\" href=\"/\">",
      HtmlEscape(site.site_name), "</a><p class=\"owner\">", HtmlEscape(site.owner),
      "</p></div><nav class=\"main-nav\" aria-label=\"Menu principale\"><div class=\"wrap\"><ul>");
  for (const auto& [path, name] : kSections) {
    absl::StrAppend(&out, "<li><a href=\"", path, "\"",
                    path == page.section ? " aria-current=\"page\"" : "", ">", name, "</a></li>");
  }
  return out + "</ul></div></nav></header>";
}

std::string Breadcrumb(const Page& page) {
  std::vector<Crumb> steps = {{"Home", "/"}, {"Dati e Bilanci", "/"}, {"Open Data", "/"}};
  steps.insert(steps.end(), page.trail.begin(), page.trail.end());
  // The current page is the last step and is not a link.
  steps.back().href.clear();
  std::string out = "<nav class=\"breadcrumb\" aria-label=\"Percorso di navigazione\"><ol>";
  for (const Crumb& step : steps) {
    if (step.href.empty()) {
      absl::StrAppend(&out, "<li><span aria-current=\"page\">", HtmlEscape(step.text),
                      "</span></li>");
    } else {
      absl::StrAppend(&out, "<li><a href=\"", HtmlEscape(step.href), "\">", HtmlEscape(step.text),
                      "</a></li>");
    }
  }
  return out + "</ol></nav>";
}

std::string Footer(const PortalSite& site) {
  return absl::StrCat(
      "<footer class=\"site\"><div class=\"wrap\"><p>Proprietario del dato: ",
      HtmlEscape(site.owner), "</p><p>Licenza: <a href=\"", HtmlEscape(site.license_url),
      "\" rel=\"license\">", HtmlEscape(site.license_name),
      "</a></p><p>Per le macchine: <a href=\"/api/3/action/package_list\">API CKAN</a> · "
      "<a href=\"/catalog.ttl\">catalogo DCAT-AP_IT</a> · "
      "<a href=\"/releases.atom\">feed dei rilasci</a></p></div></footer>");
}

}  // namespace

std::string RenderPage(const PortalSite& site, const Page& page) {
  return absl::StrCat(
      "<!DOCTYPE html><html lang=\"it\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>",
      HtmlEscape(page.heading), " - ", HtmlEscape(site.site_name), "</title><style>", kStyle,
      "</style></head><body>", Header(site, page), "<div class=\"wrap\">", Breadcrumb(page),
      "<main id=\"contenuto\" tabindex=\"-1\"><h1>", HtmlEscape(page.heading), "</h1>",
      page.main_html, "</main></div>", Footer(site), "</body></html>");
}

std::string RenderErrorPage(const PortalSite& site, int status, const std::string& message) {
  Page page;
  page.heading = status == 404   ? "Pagina non trovata"
                 : status >= 500 ? "Servizio non disponibile"
                                 : "Richiesta non valida";
  page.trail = {{page.heading, ""}};
  page.main_html = absl::StrCat("<p class=\"notice\" role=\"alert\">", HtmlEscape(message),
                                "</p><p><a href=\"/\">Torna al catalogo degli Open Data</a></p>");
  return RenderPage(site, page);
}

}  // namespace omnia::portal

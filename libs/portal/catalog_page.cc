#include "libs/portal/catalog_page.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/portal/format.h"
#include "libs/portal/html.h"

namespace omnia::portal {
namespace {

constexpr size_t kMaxTextBytes = 200;
constexpr size_t kMaxFilterBytes = 100;
constexpr size_t kMaxFilterValues = 10;
constexpr int kMaxPage = 1000;

using Params = std::vector<std::pair<std::string, std::string>>;

// The view's parameters in URL order, defaults left out.
Params UrlParams(const CatalogQuery& query) {
  Params params;
  params.emplace_back("q", query.text);
  for (const std::string& topic : query.topics) params.emplace_back("argomento", topic);
  for (const std::string& source : query.sources) params.emplace_back("fonte", source);
  params.emplace_back("periodo", query.year == 0 ? "" : absl::StrCat(query.year));
  params.emplace_back("ordine", query.order == CatalogOrder::kUpdated ? "aggiornato" : "");
  params.emplace_back("pagina", query.page == 1 ? "" : absl::StrCat(query.page));
  return params;
}

bool Contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// Facet values with their counts; selected values missing from the facets (no match) are shown
// with 0 so they can be unticked.
std::vector<std::pair<std::string, uint64_t>> FacetOptions(
    const google::protobuf::RepeatedPtrField<v1::FacetCount>& facets,
    const std::vector<std::string>& selected) {
  std::vector<std::pair<std::string, uint64_t>> options;
  for (const v1::FacetCount& facet : facets) options.emplace_back(facet.value(), facet.count());
  for (const std::string& value : selected) {
    const bool listed = std::any_of(options.begin(), options.end(),
                                    [&](const auto& option) { return option.first == value; });
    if (!listed) options.emplace_back(value, 0);
  }
  return options;
}

std::string CheckboxFieldset(const std::string& legend, const std::string& name,
                             const std::vector<std::pair<std::string, uint64_t>>& options,
                             const std::vector<std::string>& selected) {
  std::string out = absl::StrCat("<fieldset><legend>", HtmlEscape(legend), "</legend>");
  int index = 0;
  for (const auto& [value, count] : options) {
    const std::string id = absl::StrCat(name, "-", index++);
    absl::StrAppend(&out, "<label for=\"", id, "\"><input type=\"checkbox\" id=\"", id,
                    "\" name=\"", name, "\" value=\"", HtmlEscape(value), "\"",
                    Contains(selected, value) ? " checked" : "", "> ", HtmlEscape(value), " (",
                    FormatInteger(count), ")</label>");
  }
  if (options.empty()) absl::StrAppend(&out, "<p>Nessun valore.</p>");
  return out + "</fieldset>";
}

std::string YearFieldset(const v1::ListDatasetsResponse& matches, int selected_year) {
  std::string out =
      absl::StrCat("<fieldset><legend>Periodo</legend><label for=\"periodo-tutti\">",
                   "<input type=\"radio\" id=\"periodo-tutti\" name=\"periodo\" value=\"\"",
                   selected_year == 0 ? " checked" : "", "> Tutti gli anni</label>");
  std::vector<std::pair<std::string, uint64_t>> years;
  for (const v1::FacetCount& facet : matches.year_facets()) {
    years.emplace_back(facet.value(), facet.count());
  }
  const std::string selected = absl::StrCat(selected_year);
  if (selected_year != 0 && std::none_of(years.begin(), years.end(),
                                         [&](const auto& y) { return y.first == selected; })) {
    years.emplace_back(selected, 0);
  }
  for (const auto& [year, count] : years) {
    const std::string id = absl::StrCat("periodo-", HtmlEscape(year));
    absl::StrAppend(&out, "<label for=\"", id, "\"><input type=\"radio\" id=\"", id,
                    "\" name=\"periodo\" value=\"", HtmlEscape(year), "\"",
                    year == selected ? " checked" : "", "> ", HtmlEscape(year), " (",
                    FormatInteger(count), ")</label>");
  }
  return out + "</fieldset>";
}

std::string FilterForm(const CatalogQuery& query, const v1::ListDatasetsResponse& matches) {
  return absl::StrCat(
      "<form method=\"get\" action=\"/\" role=\"search\" aria-label=\"Cerca e filtra i dati\">",
      "<p><label for=\"q\">Cerca nei dati</label><input type=\"search\" id=\"q\" name=\"q\" ",
      "maxlength=\"200\" value=\"", HtmlEscape(query.text), "\"></p>",
      CheckboxFieldset("Argomento", "argomento", FacetOptions(matches.topic_facets(), query.topics),
                       query.topics),
      CheckboxFieldset("Fonte", "fonte", FacetOptions(matches.source_facets(), query.sources),
                       query.sources),
      YearFieldset(matches, query.year),
      "<p><label for=\"ordine\">Ordina per</label><select id=\"ordine\" name=\"ordine\">",
      "<option value=\"titolo\"", query.order == CatalogOrder::kTitle ? " selected" : "",
      ">Titolo (A-Z)</option><option value=\"aggiornato\"",
      query.order == CatalogOrder::kUpdated ? " selected" : "",
      ">Aggiornato (più recenti)</option></select></p>",
      "<p><button type=\"submit\">Applica</button> <a href=\"/\">Azzera i filtri</a></p></form>");
}

std::string ResultItem(const v1::Dataset& dataset) {
  std::string formats;
  for (const v1::Attachment& attachment : dataset.attachments()) {
    absl::StrAppend(&formats, "<li>", FormatName(attachment.format()), "</li>");
  }
  return absl::StrCat(
      "<li><h3><a href=\"/dataset/", UrlEncode(dataset.dataset_id()), "\">",
      HtmlEscape(dataset.title()), "</a></h3><p class=\"meta\">Aggiornato: <time datetime=\"",
      IsoDate(dataset.updated_on()), "\">", FormatDate(dataset.updated_on()), "</time></p>",
      formats.empty()
          ? ""
          : absl::StrCat("<ul class=\"formats\" aria-label=\"Formati\">", formats, "</ul>"),
      "</li>");
}

std::string Pager(const CatalogQuery& query, int page_count) {
  if (page_count <= 1) return "";
  std::string out = "<nav aria-label=\"Pagine dei risultati\"><ul class=\"pager\">";
  const auto page_link = [&](int page, const std::string& text, const std::string& rel) {
    CatalogQuery target = query;
    target.page = page;
    absl::StrAppend(&out, "<li><a href=\"", HtmlEscape(CatalogUrl(target)), "\"",
                    rel.empty() ? "" : absl::StrCat(" rel=\"", rel, "\""), ">", text, "</a></li>");
  };
  if (query.page > 1) page_link(query.page - 1, "Precedente", "prev");
  for (int page = 1; page <= page_count; ++page) {
    if (page == query.page) {
      absl::StrAppend(&out, "<li><span aria-current=\"page\">", page, "</span></li>");
    } else {
      page_link(page, absl::StrCat("<span class=\"visually-hidden\">Pagina </span>", page), "");
    }
  }
  if (query.page < page_count) page_link(query.page + 1, "Successiva", "next");
  return out + "</ul></nav>";
}

}  // namespace

std::string FormatName(v1::Format format) {
  // The names INPS's portal shows next to each file.
  static constexpr std::pair<v1::Format, absl::string_view> kNames[] = {
      {v1::FORMAT_CSV, "CSV"}, {v1::FORMAT_JSON, "JSON"}, {v1::FORMAT_JSON_STAT, "JSON-stat"},
      {v1::FORMAT_XML, "XML"}, {v1::FORMAT_XLSX, "XLSX"},
  };
  for (const auto& [known, name] : kNames) {
    if (known == format) return std::string(name);
  }
  return "altro";
}

absl::StatusOr<CatalogQuery> ParseCatalogQuery(const QueryParams& params) {
  CatalogQuery query;
  absl::StatusOr<std::optional<std::string>> text = SingleParam(params, "q", kMaxTextBytes);
  if (!text.ok()) return text.status();
  if (*text) query.text = **text;
  absl::StatusOr<std::vector<std::string>> topics =
      RepeatedParam(params, "argomento", kMaxFilterValues, kMaxFilterBytes);
  if (!topics.ok()) return topics.status();
  query.topics = *std::move(topics);
  absl::StatusOr<std::vector<std::string>> sources =
      RepeatedParam(params, "fonte", kMaxFilterValues, kMaxFilterBytes);
  if (!sources.ok()) return sources.status();
  query.sources = *std::move(sources);

  absl::StatusOr<std::optional<std::string>> year = SingleParam(params, "periodo", 16);
  if (!year.ok()) return year.status();
  if (*year) {
    const std::optional<int> value = ParseBoundedInt(**year, 2020, 2100);
    if (!value) return ParamError("periodo", "deve essere un anno dal 2020 al 2100");
    query.year = *value;
  }
  absl::StatusOr<std::optional<std::string>> order = SingleParam(params, "ordine", 16);
  if (!order.ok()) return order.status();
  if (*order) {
    if (**order == "aggiornato") {
      query.order = CatalogOrder::kUpdated;
    } else if (**order != "titolo") {
      return ParamError("ordine", "deve essere «titolo» o «aggiornato»");
    }
  }
  absl::StatusOr<std::optional<std::string>> page = SingleParam(params, "pagina", 16);
  if (!page.ok()) return page.status();
  if (*page) {
    const std::optional<int> value = ParseBoundedInt(**page, 1, kMaxPage);
    if (!value) return ParamError("pagina", "deve essere un numero intero da 1 a 1000");
    query.page = *value;
  }
  return query;
}

v1::ListDatasetsRequest ToListDatasetsRequest(const CatalogQuery& query) {
  v1::ListDatasetsRequest request;
  for (const std::string& topic : query.topics) request.add_topics(topic);
  for (const std::string& source : query.sources) request.add_sources(source);
  if (query.year != 0) request.mutable_years()->set_first(query.year);
  request.set_query(query.text);
  request.set_order(query.order == CatalogOrder::kUpdated ? v1::DATASET_ORDER_UPDATED
                                                          : v1::DATASET_ORDER_TITLE);
  request.set_page_size(100);
  return request;
}

std::string CatalogUrl(const CatalogQuery& query) { return UrlWithQuery("/", UrlParams(query)); }

std::string RenderCatalogPage(const PortalSite& site, const CatalogQuery& query,
                              const v1::ListDatasetsResponse& matches) {
  const int total = matches.datasets_size();
  const int page_count = std::max(1, (total + kCatalogPageSize - 1) / kCatalogPageSize);
  const int first = (query.page - 1) * kCatalogPageSize;
  std::string results;
  for (int i = first; i < std::min(total, first + kCatalogPageSize); ++i) {
    absl::StrAppend(&results, ResultItem(matches.datasets(i)));
  }
  std::string summary;
  if (total == 0) {
    summary = "Nessun dataset corrisponde alla ricerca. Prova a togliere qualche filtro.";
  } else if (first >= total) {
    summary = absl::StrCat("Questa pagina non esiste: i risultati sono ", FormatInteger(total),
                           " su ", page_count, total == 1 ? " pagina." : " pagine.");
  } else {
    summary = absl::StrCat(
        total == 1 ? "1 dataset trovato" : absl::StrCat(FormatInteger(total), " dataset trovati"),
        ", pagina ", query.page, " di ", page_count, ".");
  }
  Page page;
  page.heading = "Open Data: integrazioni salariali";
  page.section = "/";
  page.main_html = absl::StrCat(
      "<p class=\"lead\">I dati aperti INPS sulle integrazioni salariali (CIGO, CIGS, CIG in "
      "deroga, FIS, fondi di solidarietà): cerca un dataset, filtralo per argomento, fonte e "
      "periodo, aprilo per leggerne i dati e scaricarli in CSV, JSON, XML o foglio di calcolo.</p>",
      "<div class=\"layout\"><section aria-labelledby=\"filtri\"><h2 id=\"filtri\">Filtri</h2>",
      FilterForm(query, matches), "</section><section aria-labelledby=\"risultati\">",
      "<h2 id=\"risultati\">Risultati</h2><p role=\"status\">", summary, "</p>",
      results.empty() ? "" : absl::StrCat("<ul class=\"results\">", results, "</ul>"),
      Pager(query, page_count), "</section></div>");
  return RenderPage(site, page);
}

}  // namespace omnia::portal

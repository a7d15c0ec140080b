// Rendering of the Cruscotto's model (see cruscotto.h).
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/portal/cruscotto.h"
#include "libs/portal/format.h"

namespace omnia::portal {
namespace {

std::string Option(const std::string& value, const std::string& text, const std::string& chosen) {
  return absl::StrCat("<option value=\"", HtmlEscape(value), "\"",
                      value == chosen ? " selected" : "", ">", HtmlEscape(text), "</option>");
}

std::string Controls(const CruscottoContext& context, const CruscottoParams& params) {
  const v1::ListCodelistsResponse& lists = context.codelists;
  std::string measures;
  for (const v1::Measure& measure : lists.measures()) {
    absl::StrAppend(&measures, Option(measure.code(), measure.name(), params.measure));
  }
  std::string types = Option("", "Tutti gli interventi (per famiglia)", params.type);
  for (const v1::InterventionFamily& family : lists.families()) {
    absl::StrAppend(&types,
                    Option(family.code(), absl::StrCat("Famiglia: ", family.name()), params.type));
  }
  for (const v1::InterventionType& type : lists.intervention_types()) {
    absl::StrAppend(
        &types,
        Option(type.code(), absl::StrCat(type.code(), " - ", type.description()), params.type));
  }
  std::string regions = Option("", "Italia", params.region);
  for (const v1::MacroArea& area : lists.macro_areas()) {
    absl::StrAppend(&regions, Option(area.code(), area.name(), params.region));
  }
  for (const v1::Region& region : lists.regions()) {
    absl::StrAppend(&regions, Option(region.code(), region.name(), params.region));
  }
  const std::string month_hint = absl::StrCat("formato AAAA-MM, dal ", context.first_year,
                                              "-01 al ", context.last_year, "-12, stesso anno");
  return absl::StrCat(
      "<form method=\"get\" action=\"/cruscotto\" class=\"controls\" "
      "aria-label=\"Scegli cosa mostrare\">",
      "<p><label for=\"misura\">Misura</label><select id=\"misura\" name=\"misura\">", measures,
      "</select></p><p><label for=\"tipo\">Tipo di intervento</label><select id=\"tipo\" "
      "name=\"tipo\">",
      types,
      "</select></p><p><label for=\"regione\">Territorio</label><select id=\"regione\" "
      "name=\"regione\">",
      regions,
      "</select></p><p><label for=\"da\">Vista regionale: da (mese)</label><input type=\"text\" "
      "id=\"da\" name=\"da\" inputmode=\"numeric\" pattern=\"[0-9]{4}-[0-9]{2}\" size=\"8\" "
      "aria-describedby=\"mesi-aiuto\" value=\"",
      IsoMonth(params.from),
      "\"></p><p><label for=\"a\">Vista regionale: a (mese)</label><input type=\"text\" id=\"a\" "
      "name=\"a\" inputmode=\"numeric\" pattern=\"[0-9]{4}-[0-9]{2}\" size=\"8\" "
      "aria-describedby=\"mesi-aiuto\" value=\"",
      IsoMonth(params.to), "\"></p><p><button type=\"submit\">Aggiorna</button></p>",
      "<p id=\"mesi-aiuto\" class=\"meta\">Mesi nel ", HtmlEscape(month_hint), ".</p></form>");
}

std::string Downloads(const std::vector<Download>& downloads) {
  if (downloads.empty()) return "";
  std::string out = "<h3>Scarica i numeri mostrati</h3><ul class=\"downloads\">";
  for (const Download& download : downloads) {
    absl::StrAppend(&out, "<li>", HtmlEscape(download.label), ": <a href=\"",
                    HtmlEscape(download.csv_url), "\">CSV</a> · <a href=\"",
                    HtmlEscape(download.xlsx_url), "\">XLSX</a></li>");
  }
  return out + "</ul>";
}

// After a refusal: where the exact numbers are.
std::string ExactViewLink(const CruscottoModel& model) {
  if (model.exact_view_url.empty()) return "";
  return absl::StrCat("<p>Serie esatta per una regione e un tipo di intervento: <a href=\"",
                      HtmlEscape(model.exact_view_url), "\">", HtmlEscape(model.exact_view_name),
                      "</a>.</p>");
}

std::string KeyFiguresSection(const CruscottoModel& model) {
  std::string out = absl::StrCat(
      "<section aria-labelledby=\"ultimo-mese\"><h2 id=\"ultimo-mese\">Ultimo mese",
      model.latest_month ? absl::StrCat(": ", FormatMonth(*model.latest_month)) : "", "</h2>");
  const KeyFigures& key = model.key;
  if (!key.available) {
    return absl::StrCat(out, "<p class=\"notice\">", HtmlEscape(key.unavailable_reason), "</p>",
                        ExactViewLink(model), "</section>");
  }
  absl::StrAppend(&out, "<ul class=\"figures\"><li><span class=\"value\">",
                  FormatInteger(key.value), "</span>", HtmlEscape(model.measure.name()), ", ",
                  HtmlEscape(model.territory), ", ", HtmlEscape(model.type_label), ", ",
                  FormatMonth(key.month), "</li>");
  if (key.year_earlier) {
    v1::YearMonth earlier = key.month;
    earlier.set_year(earlier.year() - 1);
    absl::StrAppend(&out, "<li><span class=\"value\">",
                    key.change_percent ? FormatChangePercent(*key.change_percent) : "n.d.",
                    "</span>Variazione rispetto a ", FormatMonth(earlier), " (",
                    FormatInteger(*key.year_earlier), ")</li>");
  } else {
    absl::StrAppend(&out, "<li><span class=\"value\">n.d.</span>", HtmlEscape(key.comparison_note),
                    "</li>");
  }
  return absl::StrCat(out, "</ul>", Downloads(model.key_downloads), "</section>");
}

std::string TrendSection(const CruscottoModel& model) {
  std::string out =
      "<section aria-labelledby=\"andamento-h\"><h2 id=\"andamento-h\">Andamento mensile</h2>";
  for (const std::string& notice : model.trend_notices) {
    absl::StrAppend(&out, "<p class=\"notice\">", HtmlEscape(notice), "</p>");
  }
  if (!model.trend_notices.empty()) absl::StrAppend(&out, ExactViewLink(model));
  absl::StrAppend(&out, "<figure>", RenderLineChartSvg(model.trend), "</figure>",
                  "<details><summary>Tabella dei dati del grafico</summary>",
                  RenderLineChartTable(model.trend), "</details>",
                  Downloads(model.trend_downloads));
  return out + "</section>";
}

std::string RegionalSection(const CruscottoModel& model) {
  std::string out =
      absl::StrCat("<section aria-labelledby=\"regioni-h\"><h2 id=\"regioni-h\">Vista regionale: ",
                   HtmlEscape(model.regional_period), "</h2>");
  if (!model.regional_available) {
    absl::StrAppend(&out, "<p class=\"notice\">", HtmlEscape(model.regional_notice), "</p>",
                    RenderTable(model.exact_regional), Downloads(model.regional_downloads));
    return out + "</section>";
  }
  absl::StrAppend(
      &out, "<figure>", RenderTileMapSvg(model.map), "</figure>",
      "<details><summary>Tabella dei dati della mappa</summary>", RenderTileMapTable(model.map),
      "</details><h3>Regioni in ordine di valore</h3>", "<figure>", RenderBarChartSvg(model.bars),
      "</figure>", "<details><summary>Tabella dei dati del grafico a barre</summary>",
      RenderBarChartTable(model.bars), "</details>", Downloads(model.regional_downloads));
  return out + "</section>";
}

}  // namespace

std::string RenderCruscottoPage(const PortalSite& site, const CruscottoContext& context,
                                const CruscottoModel& model) {
  std::string main = absl::StrCat(
      "<p class=\"lead\">L'andamento delle integrazioni salariali dal ", context.first_year,
      " all'ultimo mese disponibile: valori esatti letti dai cubi",
      context.release_id.empty() ? ""
                                 : absl::StrCat(" del rilascio ", HtmlEscape(context.release_id)),
      ".</p>", Controls(context, model.params));
  if (!model.measure.additive()) {
    const std::string note =
        model.measure.additivity_note().empty()
            ? "Attenzione: i valori non sono sommabili. Un lavoratore pagato in più mesi, "
              "regioni o tipi di intervento è una sola persona, quindi i valori non vanno sommati."
            : model.measure.additivity_note();
    absl::StrAppend(&main, "<p class=\"note\">", HtmlEscape(note), "</p>");
  }
  absl::StrAppend(&main, KeyFiguresSection(model), TrendSection(model), RegionalSection(model));
  Page page;
  page.heading = "Cruscotto di monitoraggio delle integrazioni salariali";
  page.section = "/cruscotto";
  page.trail = {{"Cruscotto", ""}};
  page.main_html = std::move(main);
  return RenderPage(site, page);
}

}  // namespace omnia::portal

#include "libs/portal/dataset_page.h"

#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/portal/catalog_page.h"
#include "libs/portal/format.h"
#include "libs/portal/html.h"

namespace omnia::portal {
namespace {

// Splits `text` into at most max_records records of fields.
std::vector<std::vector<std::string>> CsvRecords(absl::string_view text, size_t max_records) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size() && records.size() < max_records; ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      if (!field.empty() && field.back() == '\r') field.pop_back();
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
    } else {
      field.push_back(c);
    }
  }
  // Whatever follows the last newline may be a cut record: dropped.
  return records;
}

std::string Field(absl::string_view name, const std::string& value_html) {
  return absl::StrCat("<dt>", name, "</dt><dd>", value_html, "</dd>");
}

std::string DateHtml(const v1::Date& date) {
  if (date.year() == 0) return FormatDate(date);
  return absl::StrCat("<time datetime=\"", IsoDate(date), "\">", FormatDate(date), "</time>");
}

std::string CoverageText(const v1::PeriodRange& coverage) {
  if (!coverage.has_first()) return "non indicato";
  return absl::StrCat("da ", FormatMonth(coverage.first()), " a ", FormatMonth(coverage.last()));
}

std::string SeedFields(const v1::Dataset& dataset) {
  std::string formats;
  for (const v1::Attachment& attachment : dataset.attachments()) {
    absl::StrAppend(&formats, formats.empty() ? "" : ", ", FormatName(attachment.format()));
  }
  const std::string attachments =
      dataset.attachments_size() == 0
          ? "nessun file pubblicato"
          : absl::StrCat("<a href=\"#allegati\">", dataset.attachments_size(), " file</a> (",
                         formats, ")");
  const v1::License& license = dataset.license();
  return absl::StrCat(
      "<dl class=\"fields\">", Field("Titolo", HtmlEscape(dataset.title())),
      Field("Pubblicazione", DateHtml(dataset.published_on())),
      Field("Aggiornato", DateHtml(dataset.updated_on())),
      Field("Proprietario del dato", HtmlEscape(dataset.owner())),
      Field("Licenza", license.url().empty() ? HtmlEscape(license.name())
                                             : absl::StrCat("<a href=\"", HtmlEscape(license.url()),
                                                            "\" rel=\"license\">",
                                                            HtmlEscape(license.name()), "</a>")),
      Field("Allegati", attachments), Field("Argomento", HtmlEscape(dataset.topic())),
      Field("Fonte", HtmlEscape(dataset.source())),
      Field("Periodo", HtmlEscape(CoverageText(dataset.coverage()))), "</dl>");
}

std::string Description(const std::string& text) {
  std::string out;
  for (absl::string_view paragraph : absl::StrSplit(text, "\n\n", absl::SkipWhitespace())) {
    absl::StrAppend(&out, "<p>", HtmlEscape(paragraph), "</p>");
  }
  return out;
}

std::string MeasureSection(const v1::Measure& measure) {
  std::string out = absl::StrCat(
      "<section aria-labelledby=\"misura\"><h2 id=\"misura\">La misura</h2><dl class=\"fields\">",
      Field("Misura", HtmlEscape(measure.name())),
      Field("Definizione", HtmlEscape(measure.definition())),
      Field("Periodo di riferimento", HtmlEscape(measure.period_basis())), "</dl>");
  if (!measure.additive()) {
    const std::string note =
        measure.additivity_note().empty()
            ? "Attenzione: i valori non sono sommabili. Un lavoratore pagato a marzo e ad aprile "
              "è un solo lavoratore nell'anno, quindi i valori mensili o regionali non vanno "
              "sommati."
            : measure.additivity_note();
    absl::StrAppend(&out, "<p class=\"notice\">", HtmlEscape(note), "</p>");
  }
  return out + "</section>";
}

std::string AttachmentsSection(const v1::Dataset& dataset) {
  std::string out = "<section aria-labelledby=\"allegati\"><h2 id=\"allegati\">Allegati</h2>";
  if (dataset.attachments_size() == 0) {
    return out + "<p>Il dataset non è ancora stato pubblicato.</p></section>";
  }
  absl::StrAppend(
      &out,
      "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Allegati\">"
      "<table><caption>File del rilascio ",
      HtmlEscape(dataset.release_id()),
      "</caption><thead><tr><th scope=\"col\">Formato</th><th scope=\"col\">"
      "Dimensione</th><th scope=\"col\">Righe</th><th scope=\"col\">SHA-256</th>"
      "<th scope=\"col\">Scarica</th></tr></thead><tbody>");
  for (const v1::Attachment& attachment : dataset.attachments()) {
    absl::StrAppend(&out, "<tr><th scope=\"row\">", FormatName(attachment.format()),
                    "</th><td class=\"num\"><span title=\"", FormatInteger(attachment.size_bytes()),
                    " byte\">", FormatSize(attachment.size_bytes()),
                    "</span></td><td class=\"num\">", FormatInteger(attachment.rows()),
                    "</td><td><code class=\"hash\">", HtmlEscape(attachment.sha256()),
                    "</code></td><td><a href=\"", HtmlEscape(AttachmentUrl(dataset, attachment)),
                    "\" download>", HtmlEscape(attachment.file_name()), "</a></td></tr>");
  }
  return out + "</tbody></table></div></section>";
}

std::string PreviewSection(const CsvPreview& preview) {
  if (preview.header.empty()) return "";
  Table table;
  table.caption = absl::StrCat("Prime ", preview.rows.size(), " righe del file CSV");
  table.header = preview.header;
  table.rows = preview.rows;
  table.text_columns = true;
  return absl::StrCat(
      "<section aria-labelledby=\"anteprima\"><h2 id=\"anteprima\">Anteprima dei dati</h2>",
      RenderTable(table), "</section>");
}

std::string HistorySection(const v1::Dataset& dataset, const std::vector<v1::Release>& releases) {
  Table table;
  table.caption = "Rilasci che hanno pubblicato o aggiornato il dataset, dal più recente";
  table.header = {"Data", "Rilascio", "Modifica", "Note"};
  table.text_columns = true;
  for (const v1::Release& release : releases) {
    for (const v1::DatasetChange& change : release.changes()) {
      if (change.dataset_id() != dataset.dataset_id()) continue;
      table.rows.push_back(
          {FormatDate(release.publication_date()), release.release_id(),
           change.kind() == v1::CHANGE_KIND_ADDED ? "Prima pubblicazione" : "Dati aggiornati",
           release.description()});
    }
  }
  std::string out = "<section aria-labelledby=\"storia\"><h2 id=\"storia\">Storia dei rilasci</h2>";
  if (table.rows.empty()) return out + "<p>Nessun rilascio registrato.</p></section>";
  return absl::StrCat(out, RenderTable(table),
                      "<p><a href=\"/rilasci\">Tutti i rilasci</a></p></section>");
}

std::string MachineLinks(const v1::Dataset& dataset) {
  const std::string id = UrlEncode(dataset.dataset_id());
  return absl::StrCat(
      "<section aria-labelledby=\"formati-macchina\"><h2 id=\"formati-macchina\">Per le "
      "macchine</h2><ul><li><a href=\"/api/3/action/package_show?id=",
      id, "\">Scheda CKAN (package_show)</a></li><li><a href=\"/dataset/", id,
      ".ttl\">DCAT-AP_IT (Turtle)</a>, <a href=\"/dataset/", id,
      ".rdf\">RDF/XML</a>, <a href=\"/dataset/", id,
      ".jsonld\">JSON-LD</a></li><li><a href=\"/dataset/", id,
      "/datapackage.json\">Frictionless Data Package (datapackage.json)</a></li></ul></section>");
}

}  // namespace

CsvPreview ParseCsvPreview(absl::string_view head, size_t max_rows) {
  CsvPreview preview;
  std::vector<std::vector<std::string>> records = CsvRecords(head, max_rows + 1);
  if (records.empty()) return preview;
  preview.header = std::move(records.front());
  preview.rows.assign(std::make_move_iterator(records.begin() + 1),
                      std::make_move_iterator(records.end()));
  return preview;
}

std::string AttachmentUrl(const v1::Dataset& dataset, const v1::Attachment& attachment) {
  const std::string& release = attachment.download().release_id().empty()
                                   ? dataset.release_id()
                                   : attachment.download().release_id();
  return absl::StrCat("/releases/", UrlEncode(release), "/", UrlEncode(dataset.dataset_id()), "/",
                      UrlEncode(attachment.file_name()));
}

std::string RenderDatasetPage(const PortalSite& site, const DatasetPageData& data) {
  const v1::Dataset& dataset = data.dataset;
  Page page;
  page.heading = dataset.title();
  page.section = "/";
  page.trail = {{dataset.title(), ""}};
  page.main_html = absl::StrCat(
      SeedFields(dataset),
      "<section aria-labelledby=\"descrizione\"><h2 id=\"descrizione\">Descrizione</h2>",
      Description(dataset.description()), "</section>", MeasureSection(dataset.measure()),
      AttachmentsSection(dataset), PreviewSection(data.preview),
      HistorySection(dataset, data.releases), MachineLinks(dataset));
  return RenderPage(site, page);
}

}  // namespace omnia::portal

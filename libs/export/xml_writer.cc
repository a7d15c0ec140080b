// XML valid against libs/export/omnia-export.xsd (see writers.h).
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/base/string_view.h"
#include "libs/export/internal/chunk_writer.h"
#include "libs/export/internal/table.h"
#include "libs/export/internal/text.h"
#include "libs/export/writers.h"

namespace omnia::exporter {
namespace {

using internal::ChunkWriter;

std::string XmlEscaped(std::string_view text) {
  return internal::XmlSafeText(text, internal::XmlMarkup::kEscape);
}

void PutElement(ChunkWriter& out, std::string_view name, std::string_view text) {
  out.Put("    <");
  out.Put(name);
  out.PutChar('>');
  out.Put(XmlEscaped(text));
  out.Put("</");
  out.Put(name);
  out.Put(">\n");
}

// ` <key>="<code>" <key>Label="<label>"` for every member of a level, built once per file.
std::vector<std::string> MemberPieces(const std::vector<internal::MemberText>& members,
                                      std::string_view key) {
  std::vector<std::string> pieces;
  pieces.reserve(members.size());
  for (const internal::MemberText& member : members) {
    pieces.push_back(absl::StrCat(" ", AsAbsl(key), "=\"", XmlEscaped(member.code), "\" ",
                                  AsAbsl(key), "Label=\"", XmlEscaped(member.label), "\""));
  }
  return pieces;
}

// An ad-hoc query's filters, as asked (writers.h: QueryFilters).
void PutQuery(ChunkWriter& out, const QueryFilters& query) {
  out.Put("    <query dense=\"");
  out.Put(query.dense ? "true" : "false");
  out.Put("\">\n");
  if (query.first_month.has_value() && query.last_month.has_value()) {
    out.Put("      <periodRange first=\"");
    out.Put(domain::FormatIsoYearMonth(*query.first_month));
    out.Put("\" last=\"");
    out.Put(domain::FormatIsoYearMonth(*query.last_month));
    out.Put("\"/>\n");
  }
  for (const std::string& code : query.regions) {
    out.Put("      <region code=\"");
    out.Put(XmlEscaped(code));
    out.Put("\"/>\n");
  }
  for (const std::string& code : query.intervention_types) {
    out.Put("      <interventionType code=\"");
    out.Put(XmlEscaped(code));
    out.Put("\"/>\n");
  }
  out.Put("    </query>\n");
}

}  // namespace

absl::StatusOr<WriteStats> WriteXml(const ExportInput& input, ChunkSink& sink) {
  absl::StatusOr<internal::StructuredInput> prepared = internal::PrepareStructured(input);
  if (!prepared.ok()) return prepared.status();
  const internal::Members& members = prepared->members;
  const internal::Table& table = prepared->table;
  const DatasetInfo& info = input.info;

  ChunkWriter out(sink);
  out.Put(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<export xmlns=\"urn:omnia:export:v1\" formatVersion=\"1\">\n"
      "  <metadata>\n");
  PutElement(out, "datasetId", info.dataset_id);
  PutElement(out, "title", info.title);
  PutElement(out, "description", info.description);
  PutElement(out, "owner", info.owner);
  out.Put("    <license name=\"");
  out.Put(XmlEscaped(info.license_name));
  out.Put("\" url=\"");
  out.Put(XmlEscaped(info.license_url));
  out.Put("\"/>\n");
  PutElement(out, "topic", info.topic);
  PutElement(out, "source", info.source);
  PutElement(out, "releaseId", info.release_id);
  if (!info.published_on.empty()) PutElement(out, "publishedOn", info.published_on);
  if (!info.updated_on.empty()) PutElement(out, "updatedOn", info.updated_on);
  if (info.first_year != 0) PutElement(out, "firstYear", absl::StrCat(info.first_year));
  if (info.last_year != 0) PutElement(out, "lastYear", absl::StrCat(info.last_year));
  PutElement(out, "codelistsVersion", input.codelists->version());
  out.Put("    <levels period=\"");
  out.Put(domain::PeriodLevelCode(table.levels.period));
  out.Put("\" region=\"");
  out.Put(cube::RegionLevelCode(table.levels.region));
  out.Put("\" interventionType=\"");
  out.Put(cube::TypeLevelCode(table.levels.type));
  out.Put("\"/>\n    <measures>\n");
  for (domain::Measure measure : table.measures) {
    out.Put("      <measure code=\"");
    out.Put(XmlEscaped(domain::MeasureCode(measure)));
    out.Put("\" name=\"");
    out.Put(XmlEscaped(domain::MeasureItalianName(measure)));
    out.Put("\" csvColumn=\"");
    out.Put(XmlEscaped(domain::InpsColumnName(measure)));
    out.Put("\" additive=\"");
    out.Put(domain::IsAdditive(measure) ? "true" : "false");
    out.Put("\"><definition>");
    out.Put(XmlEscaped(domain::MeasureDefinition(measure)));
    out.Put("</definition></measure>\n");
  }
  out.Put("    </measures>\n");
  if (info.query.has_value()) PutQuery(out, *info.query);
  out.Put("  </metadata>\n  <rows count=\"");
  out.PutUint(table.cell_count);
  out.Put("\">\n");

  const std::vector<std::string> regions =
      MemberPieces(members.regions(table.levels.region), "region");
  const std::vector<std::string> types =
      MemberPieces(members.types(table.levels.type), "interventionType");
  std::vector<std::string> measure_openings;
  for (domain::Measure measure : table.measures) {
    measure_openings.push_back(absl::StrCat(
        "    <row measure=\"", XmlEscaped(domain::MeasureCode(measure)), "\" period=\""));
  }
  const std::string_view index_attribute =
      table.levels.period == domain::PeriodLevel::kMonth     ? "\" month=\""
      : table.levels.period == domain::PeriodLevel::kQuarter ? "\" quarter=\""
                                                             : "";
  const size_t width = table.measures.size();
  for (size_t row = 0; row < table.keys.size(); ++row) {
    const internal::RowKey& key = table.keys[row];
    for (size_t m = 0; m < width; ++m) {
      const internal::Slot& slot = table.at(row, m);
      if (!slot.present) continue;
      out.Put(measure_openings[m]);
      internal::PutPeriodCode(out, key.period);
      out.Put("\" year=\"");
      out.PutInt(key.period.year);
      if (!index_attribute.empty()) {
        out.Put(index_attribute);
        out.PutInt(key.period.index);
      }
      out.PutChar('"');
      out.Put(regions[key.region]);
      out.Put(types[key.type]);
      out.Put(" value=\"");
      out.PutUint(slot.value);
      out.Put("\" provenance=\"");
      out.Put(internal::ProvenanceCode(slot.provenance));
      out.Put("\"/>\n");
    }
  }
  out.Put("  </rows>\n</export>\n");
  if (absl::Status status = out.Finish(); !status.ok()) return status;
  return WriteStats{table.cell_count, out.bytes()};
}

}  // namespace omnia::exporter

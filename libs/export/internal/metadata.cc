#include "libs/export/internal/metadata.h"

#include <string>
#include <string_view>
#include <vector>

#include "libs/cube/lattice.h"
#include "libs/domain/measure.h"
#include "libs/domain/period.h"
#include "libs/export/internal/text.h"

namespace omnia::exporter::internal {
namespace {

void PutKey(ChunkWriter& out, std::string_view key) {
  out.PutChar('"');
  out.Put(key);  // keys are fixed ASCII names
  out.Put("\":");
}

void PutText(ChunkWriter& out, std::string_view key, std::string_view value) {
  PutKey(out, key);
  out.Put(JsonString(value));
}

void PutDateOrNull(ChunkWriter& out, std::string_view key, std::string_view value) {
  PutKey(out, key);
  if (value.empty()) {
    out.Put("null");
  } else {
    out.Put(JsonString(value));
  }
}

void PutYearOrNull(ChunkWriter& out, std::string_view key, int year) {
  PutKey(out, key);
  if (year == 0) {
    out.Put("null");
  } else {
    out.PutInt(year);
  }
}

void PutTextArray(ChunkWriter& out, std::string_view key, const std::vector<std::string>& values) {
  PutKey(out, key);
  out.PutChar('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.PutChar(',');
    out.Put(JsonString(values[i]));
  }
  out.PutChar(']');
}

// An ad-hoc query's filters, as asked (writers.h: QueryFilters).
void PutQuery(ChunkWriter& out, const QueryFilters& query) {
  PutKey(out, "query");
  out.PutChar('{');
  PutKey(out, "period_range");
  if (query.first_month.has_value() && query.last_month.has_value()) {
    out.PutChar('{');
    PutText(out, "first", domain::FormatIsoYearMonth(*query.first_month));
    out.PutChar(',');
    PutText(out, "last", domain::FormatIsoYearMonth(*query.last_month));
    out.PutChar('}');
  } else {
    out.Put("null");
  }
  out.PutChar(',');
  PutTextArray(out, "regions", query.regions);
  out.PutChar(',');
  PutTextArray(out, "intervention_types", query.intervention_types);
  out.PutChar(',');
  PutKey(out, "dense");
  out.Put(query.dense ? "true" : "false");
  out.PutChar('}');
}

}  // namespace

void PutJsonMetadata(ChunkWriter& out, const ExportInput& input, const Table& table,
                     uint64_t row_count) {
  const DatasetInfo& info = input.info;
  out.PutChar('{');
  PutText(out, "dataset_id", info.dataset_id);
  out.PutChar(',');
  PutText(out, "title", info.title);
  out.PutChar(',');
  PutText(out, "description", info.description);
  out.PutChar(',');
  PutText(out, "owner", info.owner);
  out.PutChar(',');
  PutKey(out, "license");
  out.PutChar('{');
  PutText(out, "name", info.license_name);
  out.PutChar(',');
  PutText(out, "url", info.license_url);
  out.Put("},");
  PutText(out, "topic", info.topic);
  out.PutChar(',');
  PutText(out, "source", info.source);
  out.PutChar(',');
  PutText(out, "release_id", info.release_id);
  out.PutChar(',');
  PutDateOrNull(out, "published_on", info.published_on);
  out.PutChar(',');
  PutDateOrNull(out, "updated_on", info.updated_on);
  out.PutChar(',');
  PutYearOrNull(out, "first_year", info.first_year);
  out.PutChar(',');
  PutYearOrNull(out, "last_year", info.last_year);
  out.PutChar(',');
  PutText(out, "codelists_version", input.codelists->version());
  out.PutChar(',');
  PutKey(out, "levels");
  out.PutChar('{');
  PutText(out, "period", domain::PeriodLevelCode(table.levels.period));
  out.PutChar(',');
  PutText(out, "region", cube::RegionLevelCode(table.levels.region));
  out.PutChar(',');
  PutText(out, "intervention_type", cube::TypeLevelCode(table.levels.type));
  out.Put("},");
  PutKey(out, "measures");
  out.PutChar('[');
  for (size_t m = 0; m < table.measures.size(); ++m) {
    const domain::Measure measure = table.measures[m];
    if (m > 0) out.PutChar(',');
    out.PutChar('{');
    PutText(out, "code", domain::MeasureCode(measure));
    out.PutChar(',');
    PutText(out, "name", domain::MeasureItalianName(measure));
    out.PutChar(',');
    PutText(out, "csv_column", domain::InpsColumnName(measure));
    out.PutChar(',');
    PutKey(out, "additive");
    out.Put(domain::IsAdditive(measure) ? "true" : "false");
    out.PutChar(',');
    PutText(out, "definition", domain::MeasureDefinition(measure));
    out.PutChar('}');
  }
  out.Put("],");
  if (info.query.has_value()) {
    PutQuery(out, *info.query);
    out.PutChar(',');
  }
  PutKey(out, "row_count");
  out.PutUint(row_count);
  out.PutChar('}');
}

}  // namespace omnia::exporter::internal

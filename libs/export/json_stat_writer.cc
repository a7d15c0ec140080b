// JSON-stat 2.0 dataset (see writers.h).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/base/string_view.h"
#include "libs/export/internal/chunk_writer.h"
#include "libs/export/internal/metadata.h"
#include "libs/export/internal/table.h"
#include "libs/export/internal/text.h"
#include "libs/export/writers.h"

namespace omnia::exporter {
namespace {

using internal::ChunkWriter;
using internal::JsonString;

std::string_view UnitLabel(domain::Measure measure) {
  switch (measure) {
    case domain::Measure::kApplications:
      return "domande";
    case domain::Measure::kWorkers:
      return "lavoratori";
    case domain::Measure::kBenefitMonths:
      return "mensilità";
  }
  return "";
}

std::string PeriodLabel(const domain::PeriodKey& period,
                        const std::vector<std::string>& month_names) {
  switch (period.level) {
    case domain::PeriodLevel::kMonth:
      return absl::StrCat(month_names[period.index - 1], " ", period.year);
    case domain::PeriodLevel::kQuarter:
      return absl::StrCat(period.index, "° trimestre ", period.year);
    case domain::PeriodLevel::kYear:
      break;
  }
  return absl::StrCat(period.year);
}

// "<name>":{"label":"<label>","category":{"index":[codes...],"label":{code:label,...}
// (the category object is left open so that the measure dimension can add its units).
void PutDimensionStart(ChunkWriter& out, std::string_view name, std::string_view label,
                       const std::vector<std::string>& codes,
                       const std::vector<std::string>& labels) {
  out.PutChar('"');
  out.Put(name);
  out.Put("\":{\"label\":");
  out.Put(JsonString(label));
  out.Put(",\"category\":{\"index\":[");
  for (size_t i = 0; i < codes.size(); ++i) {
    if (i > 0) out.PutChar(',');
    out.Put(JsonString(codes[i]));
  }
  out.Put("],\"label\":{");
  for (size_t i = 0; i < codes.size(); ++i) {
    if (i > 0) out.PutChar(',');
    out.Put(JsonString(codes[i]));
    out.PutChar(':');
    out.Put(JsonString(labels[i]));
  }
  out.PutChar('}');
}

}  // namespace

absl::StatusOr<WriteStats> WriteJsonStat(const ExportInput& input, ChunkSink& sink) {
  absl::StatusOr<internal::StructuredInput> prepared = internal::PrepareStructured(input);
  if (!prepared.ok()) return prepared.status();
  const internal::Members& members = prepared->members;
  const internal::Table& table = prepared->table;
  const auto& region_members = members.regions(table.levels.region);
  const auto& type_members = members.types(table.levels.type);

  // Categories: the members that occur. Calendar order already sorts keys by period.
  std::vector<std::string> period_codes;
  std::vector<std::string> period_labels;
  std::vector<int> period_position(table.keys.size());
  std::vector<int> region_position(region_members.size(), -1);
  std::vector<int> type_position(type_members.size(), -1);
  for (size_t row = 0; row < table.keys.size(); ++row) {
    const internal::RowKey& key = table.keys[row];
    if (row == 0 || key.period != table.keys[row - 1].period) {
      period_codes.push_back(domain::FormatPeriodKey(key.period));
      period_labels.push_back(PeriodLabel(key.period, members.month_names()));
    }
    period_position[row] = static_cast<int>(period_codes.size()) - 1;
    region_position[key.region] = 0;
    type_position[key.type] = 0;
  }
  std::vector<std::string> region_codes, region_labels, type_codes, type_labels;
  for (size_t i = 0; i < region_members.size(); ++i) {
    if (region_position[i] < 0) continue;
    region_position[i] = static_cast<int>(region_codes.size());
    region_codes.push_back(region_members[i].code);
    region_labels.push_back(region_members[i].label);
  }
  for (size_t i = 0; i < type_members.size(); ++i) {
    if (type_position[i] < 0) continue;
    type_position[i] = static_cast<int>(type_codes.size());
    type_codes.push_back(type_members[i].code);
    type_labels.push_back(type_members[i].label);
  }
  std::vector<std::string> measure_codes, measure_labels;
  for (domain::Measure measure : table.measures) {
    measure_codes.emplace_back(domain::MeasureCode(measure));
    measure_labels.emplace_back(domain::MeasureItalianName(measure));
  }

  // The dense value array: slot index per position, -1 where there is no cell.
  const size_t sizes[4] = {period_codes.size(), region_codes.size(), type_codes.size(),
                           measure_codes.size()};
  const size_t total = sizes[0] * sizes[1] * sizes[2] * sizes[3];
  std::vector<int64_t> slot_at(total, -1);
  bool mixed_provenance = false;
  const internal::Slot* first_slot = nullptr;
  const size_t width = table.measures.size();
  for (size_t row = 0; row < table.keys.size(); ++row) {
    const internal::RowKey& key = table.keys[row];
    const size_t base =
        ((static_cast<size_t>(period_position[row]) * sizes[1] + region_position[key.region]) *
             sizes[2] +
         type_position[key.type]) *
        sizes[3];
    for (size_t m = 0; m < width; ++m) {
      const internal::Slot& slot = table.at(row, m);
      if (!slot.present) continue;
      slot_at[base + m] = static_cast<int64_t>(row * width + m);
      if (first_slot == nullptr) {
        first_slot = &slot;
      } else if (slot.provenance != first_slot->provenance) {
        mixed_provenance = true;
      }
    }
  }

  ChunkWriter out(sink);
  out.Put("{\"version\":\"2.0\",\"class\":\"dataset\"");
  if (!input.info.title.empty()) {
    out.Put(",\"label\":");
    out.Put(JsonString(input.info.title));
  }
  if (!input.info.source.empty()) {
    out.Put(",\"source\":");
    out.Put(JsonString(input.info.source));
  }
  if (!input.info.updated_on.empty()) {
    out.Put(",\"updated\":");
    out.Put(JsonString(input.info.updated_on));
  }
  out.Put(",\n\"id\":[\"period\",\"region\",\"intervention_type\",\"measure\"],\"size\":[");
  for (int d = 0; d < 4; ++d) {
    if (d > 0) out.PutChar(',');
    out.PutUint(sizes[d]);
  }
  out.Put(
      "],\n\"role\":{\"time\":[\"period\"],\"geo\":[\"region\"],\"metric\":[\"measure\"]},"
      "\n\"dimension\":{\n");
  PutDimensionStart(out, "period", "Periodo", period_codes, period_labels);
  out.Put("}},\n");
  PutDimensionStart(out, "region", "Territorio", region_codes, region_labels);
  out.Put("}},\n");
  PutDimensionStart(out, "intervention_type", "Tipo di intervento", type_codes, type_labels);
  out.Put("}},\n");
  PutDimensionStart(out, "measure", "Misura", measure_codes, measure_labels);
  out.Put(",\"unit\":{");
  for (size_t m = 0; m < table.measures.size(); ++m) {
    if (m > 0) out.PutChar(',');
    out.Put(JsonString(measure_codes[m]));
    out.Put(":{\"decimals\":0,\"label\":");
    out.Put(JsonString(UnitLabel(table.measures[m])));
    out.PutChar('}');
  }
  out.Put("}}}\n},\n\"value\":[");
  for (size_t i = 0; i < total; ++i) {
    if (i > 0) out.PutChar(',');
    if (slot_at[i] < 0) {
      out.Put("null");
    } else {
      out.PutUint(table.slots[slot_at[i]].value);
    }
  }
  out.Put("],\n\"extension\":{\"metadata\":");
  internal::PutJsonMetadata(out, input, table, table.cell_count);
  out.Put(",\n\"provenance\":");
  if (first_slot == nullptr) {
    out.Put("null");
  } else if (!mixed_provenance) {
    out.PutChar('"');
    out.Put(internal::ProvenanceCode(first_slot->provenance));
    out.PutChar('"');
  } else {
    out.PutChar('[');
    for (size_t i = 0; i < total; ++i) {
      if (i > 0) out.PutChar(',');
      if (slot_at[i] < 0) {
        out.Put("null");
      } else {
        out.PutChar('"');
        out.Put(internal::ProvenanceCode(table.slots[slot_at[i]].provenance));
        out.PutChar('"');
      }
    }
    out.PutChar(']');
  }
  out.Put("}}\n");
  if (absl::Status status = out.Finish(); !status.ok()) return status;
  return WriteStats{table.cell_count, out.bytes()};
}

}  // namespace omnia::exporter

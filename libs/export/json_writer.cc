// The self-describing JSON document (see writers.h).
#include <string>
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

using internal::JsonString;

// `,"<key>":"<code>","<key>_label":"<label>"` for every member of a level, built once per file.
std::vector<std::string> MemberPieces(const std::vector<internal::MemberText>& members,
                                      std::string_view key) {
  std::vector<std::string> pieces;
  pieces.reserve(members.size());
  for (const internal::MemberText& member : members) {
    pieces.push_back(absl::StrCat(",\"", AsAbsl(key), "\":", JsonString(member.code), ",\"",
                                  AsAbsl(key), "_label\":", JsonString(member.label)));
  }
  return pieces;
}

}  // namespace

absl::StatusOr<WriteStats> WriteJson(const ExportInput& input, ChunkSink& sink) {
  absl::StatusOr<internal::StructuredInput> prepared = internal::PrepareStructured(input);
  if (!prepared.ok()) return prepared.status();
  const internal::Members& members = prepared->members;
  const internal::Table& table = prepared->table;

  const std::vector<std::string> regions =
      MemberPieces(members.regions(table.levels.region), "region");
  const std::vector<std::string> types =
      MemberPieces(members.types(table.levels.type), "intervention_type");
  std::vector<std::string> measure_openings;
  for (domain::Measure measure : table.measures) {
    measure_openings.push_back(
        absl::StrCat("{\"measure\":", JsonString(domain::MeasureCode(measure)), ",\"period\":\""));
  }
  const std::string_view index_key =
      table.levels.period == domain::PeriodLevel::kMonth     ? ",\"month\":"
      : table.levels.period == domain::PeriodLevel::kQuarter ? ",\"quarter\":"
                                                             : "";

  internal::ChunkWriter out(sink);
  out.Put("{\"format\":\"omnia-export\",\"format_version\":1,\n\"metadata\":");
  internal::PutJsonMetadata(out, input, table, table.cell_count);
  out.Put(",\n\"rows\":[");
  bool first = true;
  const size_t width = table.measures.size();
  for (size_t row = 0; row < table.keys.size(); ++row) {
    const internal::RowKey& key = table.keys[row];
    for (size_t m = 0; m < width; ++m) {
      const internal::Slot& slot = table.at(row, m);
      if (!slot.present) continue;
      out.Put(first ? "\n" : ",\n");
      first = false;
      out.Put(measure_openings[m]);
      internal::PutPeriodCode(out, key.period);
      out.Put("\",\"year\":");
      out.PutInt(key.period.year);
      if (!index_key.empty()) {
        out.Put(index_key);
        out.PutInt(key.period.index);
      }
      out.Put(regions[key.region]);
      out.Put(types[key.type]);
      out.Put(",\"value\":");
      out.PutUint(slot.value);
      out.Put(",\"provenance\":\"");
      out.Put(internal::ProvenanceCode(slot.provenance));
      out.Put("\"}");
    }
  }
  out.Put("\n]}\n");
  if (absl::Status status = out.Finish(); !status.ok()) return status;
  return WriteStats{table.cell_count, out.bytes()};
}

}  // namespace omnia::exporter

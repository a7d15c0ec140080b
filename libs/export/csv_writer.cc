// CSV in INPS's published layout and its documented extensions (see writers.h).
#include <string>
#include <string_view>
#include <vector>

#include "libs/export/internal/chunk_writer.h"
#include "libs/export/internal/table.h"
#include "libs/export/internal/text.h"
#include "libs/export/writers.h"

namespace omnia::exporter {
namespace {

using internal::CsvField;

// The fields of one member, escaped for the file's separator once rather than per row.
struct MemberFields {
  std::string code;
  std::string label;
  std::string istat;
  std::string nuts;
};

std::vector<MemberFields> EscapeMembers(const std::vector<internal::MemberText>& members,
                                        char separator) {
  std::vector<MemberFields> fields;
  fields.reserve(members.size());
  for (const internal::MemberText& member : members) {
    fields.push_back(
        MemberFields{CsvField(member.code, separator), CsvField(member.label, separator),
                     CsvField(member.istat, separator), CsvField(member.nuts, separator)});
  }
  return fields;
}

}  // namespace

absl::StatusOr<WriteStats> WriteCsv(const ExportInput& input, const CsvOptions& options,
                                    ChunkSink& sink) {
  if (input.codelists == nullptr) return absl::InvalidArgumentError("codelists: not set");
  const internal::Members members(*input.codelists);
  absl::StatusOr<internal::Table> table = internal::BuildTable(
      input, members,
      options.calendar_order ? internal::RowOrder::kCalendar : internal::RowOrder::kInps);
  if (!table.ok()) return table.status();

  const char separator = options.excel_it ? ';' : ',';
  const std::string_view value_suffix = options.excel_it ? ",0" : ".0";
  const std::vector<MemberFields> regions =
      EscapeMembers(members.regions(table->levels.region), separator);
  const std::vector<MemberFields> types =
      EscapeMembers(members.types(table->levels.type), separator);
  std::vector<std::string> months;
  for (const std::string& name : members.month_names()) months.push_back(CsvField(name, separator));
  const domain::PeriodLevel period_level = table->levels.period;

  internal::ChunkWriter out(sink);
  if (options.excel_it) out.Put("\xEF\xBB\xBF");  // UTF-8 byte-order mark

  // Header.
  out.Put("Anno");
  if (period_level == domain::PeriodLevel::kMonth) {
    out.PutChar(separator);
    out.Put("Mese");
  } else if (period_level == domain::PeriodLevel::kQuarter) {
    out.PutChar(separator);
    out.Put("Trimestre");
  }
  out.PutChar(separator);
  out.Put("Tipo_intervento");
  out.PutChar(separator);
  out.Put("Regione");
  for (domain::Measure measure : table->measures) {
    out.PutChar(separator);
    out.Put(domain::InpsColumnName(measure));
  }
  if (options.label_columns) {
    out.PutChar(separator);
    out.Put("Descrizione_intervento");
    out.PutChar(separator);
    out.Put("Nome_regione");
  }
  if (options.istat_column) {
    out.PutChar(separator);
    out.Put("Codice_ISTAT");
  }
  if (options.nuts_column) {
    out.PutChar(separator);
    out.Put("Codice_NUTS");
  }
  out.Put("\r\n");

  // Rows.
  const size_t width = table->measures.size();
  for (size_t row = 0; row < table->keys.size(); ++row) {
    const internal::RowKey& key = table->keys[row];
    const MemberFields& type = types[key.type];
    const MemberFields& region = regions[key.region];
    out.PutInt(key.period.year);
    if (period_level == domain::PeriodLevel::kMonth) {
      out.PutChar(separator);
      out.Put(months[key.period.index - 1]);
    } else if (period_level == domain::PeriodLevel::kQuarter) {
      out.PutChar(separator);
      out.PutInt(key.period.index);
    }
    out.PutChar(separator);
    out.Put(type.code);
    out.PutChar(separator);
    out.Put(region.code);
    for (size_t m = 0; m < width; ++m) {
      out.PutChar(separator);
      const internal::Slot& slot = table->at(row, m);
      if (slot.present) {
        out.PutUint(slot.value);
        out.Put(value_suffix);
      }
    }
    if (options.label_columns) {
      out.PutChar(separator);
      out.Put(type.label);
      out.PutChar(separator);
      out.Put(region.label);
    }
    if (options.istat_column) {
      out.PutChar(separator);
      out.Put(region.istat);
    }
    if (options.nuts_column) {
      out.PutChar(separator);
      out.Put(region.nuts);
    }
    out.Put("\r\n");
  }
  if (absl::Status status = out.Finish(); !status.ok()) return status;
  return WriteStats{table->keys.size(), out.bytes()};
}

}  // namespace omnia::exporter

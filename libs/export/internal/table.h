// The validated, ordered view of an ExportInput that every writer renders: one row per key
// (period, region member, type member) with one slot per measure, plus the codes and labels of
// the members. Not part of the public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/cube/lattice.h"
#include "libs/cube/query.h"
#include "libs/domain/codelists.h"
#include "libs/domain/measure.h"
#include "libs/domain/period.h"
#include "libs/export/internal/chunk_writer.h"
#include "libs/export/writers.h"

namespace omnia::exporter::internal {

// A member of the region or type dimension at some level, as the files show it.
struct MemberText {
  std::string code;   // "VALLE_D'AOSTA", "NORD_OVEST", "ITALY"; "CIGO", "CIG", "ALL"
  std::string label;  // display name, description or name
  std::string istat;  // regions only: "02", ISTAT ripartizione "1".."5", "" for ITALY
  std::string nuts;   // regions only: "ITH1+ITH2", "ITC", "IT"
};

// Codes and labels of every member at every level, resolved once per file.
class Members {
 public:
  explicit Members(const domain::Codelists& codelists);

  // Members of a level, by dense index.
  const std::vector<MemberText>& regions(cube::RegionLevel level) const {
    return regions_[static_cast<int>(level)];
  }
  const std::vector<MemberText>& types(cube::TypeLevel level) const {
    return types_[static_cast<int>(level)];
  }
  // Italian month names, index 0 = January.
  const std::vector<std::string>& month_names() const { return month_names_; }

 private:
  std::vector<MemberText> regions_[cube::kLevelsPerDimension];
  std::vector<MemberText> types_[cube::kLevelsPerDimension];
  std::vector<std::string> month_names_;
};

enum class RowOrder { kInps, kCalendar };

struct RowKey {
  domain::PeriodKey period;
  int region = 0;  // dense index at the table's region level
  int type = 0;    // dense index at the table's type level
};

struct Slot {
  uint64_t value = 0;
  cube::Provenance provenance = cube::Provenance::kMicroData;
  bool present = false;
};

struct Table {
  std::vector<domain::Measure> measures;
  Levels levels;
  std::vector<RowKey> keys;  // in the requested order
  std::vector<Slot> slots;   // keys.size() x measures.size(), row-major
  size_t cell_count = 0;     // present slots

  const Slot& at(size_t row, size_t measure) const {
    return slots[row * measures.size() + measure];
  }
};

// Validates the input (see writers.h) and orders its cells. INVALID_ARGUMENT names the first
// offending cell by its position in input.cells.
absl::StatusOr<Table> BuildTable(const ExportInput& input, const Members& members, RowOrder order);

// Checks what the structured formats rely on: ISO dates (XML xs:date, JSON-stat "updated").
absl::Status ValidateInfo(const DatasetInfo& info);

// What the structured formats (JSON, JSON-stat, XML, XLSX) render: the members and the table in
// calendar order.
struct StructuredInput {
  Members members;
  Table table;
};

// The prologue every structured writer shares: checks the codelists and the metadata
// (ValidateInfo), resolves the members and builds the table in calendar order. INVALID_ARGUMENT
// before anything is written, as writers.h promises.
absl::StatusOr<StructuredInput> PrepareStructured(const ExportInput& input);

// "MICRO_DATA" or "PUBLISHED", as in omnia.v1.Provenance.
std::string_view ProvenanceCode(cube::Provenance provenance);

// Writes the period of a key in the omnia notation, as domain::FormatPeriodKey does, without
// allocating: "2023-04", "2023-Q2", "2023".
void PutPeriodCode(ChunkWriter& out, const domain::PeriodKey& period);

}  // namespace omnia::exporter::internal

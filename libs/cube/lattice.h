// The cube lattice: every cell of every published level, addressed by a compact key.
//
// A cell is (measure, period at month/quarter/year, region at region/macro-area/Italy, type at
// type/family/all). Every combination of levels is precomputed, so any published rollup is a
// lookup. Keys encode big-endian with the levels first, so the cells of one level combination
// sort by year, period, region, type and a period range is one contiguous range.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/domain/codelists.h"
#include "libs/domain/measure.h"
#include "libs/domain/period.h"

namespace omnia::cube {

enum class RegionLevel : uint8_t { kRegion = 0, kMacroArea = 1, kItaly = 2 };
enum class TypeLevel : uint8_t { kType = 0, kFamily = 1, kAll = 2 };

inline constexpr int kLevelsPerDimension = 3;

// "REGION", "MACRO_AREA", "ITALY" / "TYPE", "FAMILY", "ALL".
std::string_view RegionLevelCode(RegionLevel level);
std::string_view TypeLevelCode(TypeLevel level);

// The address of one cell. `region` and `type` are dense indexes at their level: a region index,
// a macro-area index, or 0 for Italy; a type index, a family index, or 0 for all types.
struct CellKey {
  domain::Measure measure = domain::Measure::kApplications;
  domain::PeriodKey period;
  RegionLevel region_level = RegionLevel::kRegion;
  int region = 0;
  TypeLevel type_level = TypeLevel::kType;
  int type = 0;

  friend bool operator==(const CellKey&, const CellKey&) = default;
};

// Packs a key into the low 48 bits of an integer that sorts like the storage key; used as the
// in-memory map key.
uint64_t PackCellKey(const CellKey& key);
CellKey UnpackCellKey(uint64_t packed);

// The 6-byte big-endian storage key of a packed cell key, and back.
std::string EncodeStorageKey(uint64_t packed);
absl::StatusOr<uint64_t> DecodeStorageKey(std::string_view bytes);

// The base cell of a measure: month × region × type.
CellKey BaseCell(domain::Measure measure, const domain::YearMonth& ym, int region_index,
                 int type_index);

// Calls `visit` with every cell of the lattice that contains the base cell (27 cells, the base
// cell included), using `codelists` for the region and type parents.
template <typename Visit>
void ForEachRollupOf(const domain::Codelists& codelists, const CellKey& base, Visit&& visit);

// ---- implementation ------------------------------------------------------------------------

template <typename Visit>
void ForEachRollupOf(const domain::Codelists& codelists, const CellKey& base, Visit&& visit) {
  const domain::YearMonth ym{base.period.year, base.period.index};
  const domain::Region& region = codelists.regions()[base.region];
  const domain::InterventionType& type = codelists.intervention_types()[base.type];
  const int region_at[kLevelsPerDimension] = {base.region, codelists.MacroAreaOf(region).index, 0};
  const int type_at[kLevelsPerDimension] = {base.type, codelists.FamilyOf(type).index, 0};
  for (int p = 0; p < kLevelsPerDimension; ++p) {
    const domain::PeriodKey period = domain::PeriodKeyOf(ym, static_cast<domain::PeriodLevel>(p));
    for (int r = 0; r < kLevelsPerDimension; ++r) {
      for (int t = 0; t < kLevelsPerDimension; ++t) {
        visit(CellKey{base.measure, period, static_cast<RegionLevel>(r), region_at[r],
                      static_cast<TypeLevel>(t), type_at[t]});
      }
    }
  }
}

}  // namespace omnia::cube

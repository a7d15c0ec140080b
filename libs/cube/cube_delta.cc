#include "libs/cube/cube_delta.h"

#include <vector>

namespace omnia::cube {

void CubeDelta::AddApplication(const domain::YearMonth& ym, int region_index, int type_index) {
  base_[PackCellKey(BaseCell(domain::Measure::kApplications, ym, region_index, type_index))]
      .AddCount(1);
}

void CubeDelta::AddPayment(const domain::YearMonth& ym, int region_index, int type_index,
                           uint32_t worker_dense_id, uint64_t months_covered) {
  base_[PackCellKey(BaseCell(domain::Measure::kWorkers, ym, region_index, type_index))].AddWorker(
      worker_dense_id);
  // A zero-month payment creates no BENEFIT_MONTHS cell: empty cells stay absent.
  if (months_covered > 0) {
    base_[PackCellKey(BaseCell(domain::Measure::kBenefitMonths, ym, region_index, type_index))]
        .AddCount(months_covered);
  }
}

CellMap ExpandToLattice(const CellMap& base, const domain::Codelists& codelists) {
  // Every lattice cell is the merge of the base cells below it, done in one step per cell.
  absl::flat_hash_map<uint64_t, std::vector<const CellValue*>> parts;
  parts.reserve(base.size() * 8);
  for (const auto& [packed, value] : base) {
    ForEachRollupOf(codelists, UnpackCellKey(packed),
                    [&](const CellKey& key) { parts[PackCellKey(key)].push_back(&value); });
  }
  CellMap lattice;
  lattice.reserve(parts.size());
  for (const auto& [packed, below] : parts) lattice.emplace(packed, CellValue::MergeOf(below));
  return lattice;
}

}  // namespace omnia::cube

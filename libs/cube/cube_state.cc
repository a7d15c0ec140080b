#include "libs/cube/cube_state.h"

namespace omnia::cube {

namespace {

void NoteMonth(uint64_t packed, std::optional<domain::YearMonth>& latest) {
  const CellKey key = UnpackCellKey(packed);
  if (key.period.level != domain::PeriodLevel::kMonth) return;
  const domain::YearMonth ym{key.period.year, key.period.index};
  if (!latest.has_value() || *latest < ym) latest = ym;
}

}  // namespace

void CubeState::ApplyMicroBaseDelta(const CellMap& base_delta, const domain::Codelists& codelists) {
  for (const auto& [packed, delta] : base_delta) {
    ForEachRollupOf(codelists, UnpackCellKey(packed),
                    [&](const CellKey& key) { micro[PackCellKey(key)].MergeFrom(delta); });
    NoteMonth(packed, latest_month);
  }
}

void CubeState::RecomputeLatestMonth() {
  latest_month.reset();
  for (const auto& [packed, unused] : micro) NoteMonth(packed, latest_month);
  for (const auto& [packed, unused] : published) NoteMonth(packed, latest_month);
}

}  // namespace omnia::cube

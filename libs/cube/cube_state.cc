#include "libs/cube/cube_state.h"

namespace omnia::cube {

namespace {

// Notes a base cell's month in its measure's latest month, when the cell is served: micro-data
// of a (measure, year) answered from published cells is not.
void NoteMonth(const CubeState& state, uint64_t packed, Provenance layer,
               std::array<std::optional<domain::YearMonth>, domain::kAllMeasures.size()>& latest) {
  const CellKey key = UnpackCellKey(packed);
  if (key.period.level != domain::PeriodLevel::kMonth) return;
  std::optional<domain::YearMonth>& measure_latest = latest[static_cast<size_t>(key.measure)];
  const domain::YearMonth ym{key.period.year, key.period.index};
  if (measure_latest.has_value() && !(*measure_latest < ym)) return;
  // Looked up only for a month that would move the mark: this runs for every base key of a
  // batch while readers wait.
  if (layer == Provenance::kMicroData && state.IsPublished(key.measure, key.period.year)) return;
  measure_latest = ym;
}

// An absl::flat_hash_map holds, per slot of its capacity, the slot and one control byte, plus one
// group of trailing control bytes.
constexpr size_t kHashControlGroupBytes = 16;
// A std::set node: three pointers and a colour beside the value, plus allocator bookkeeping.
constexpr size_t kTreeNodeOverheadBytes = 4 * sizeof(void*) + 16;

size_t LayerBytes(const CellMap& layer) {
  size_t bytes = layer.capacity() * (sizeof(CellMap::value_type) + 1) + kHashControlGroupBytes;
  for (const auto& [unused, value] : layer) bytes += value.HeapBytes();
  return bytes;
}

}  // namespace

size_t CubeState::MemoryBytes() const {
  using PublishedYear = std::pair<domain::Measure, int>;
  return sizeof(CubeState) + LayerBytes(micro) + LayerBytes(published) +
         published_years.size() * (sizeof(PublishedYear) + kTreeNodeOverheadBytes);
}

CubeState::PreparedFold CubeState::PrepareMicroFold(ExpandedDelta delta,
                                                    base::ForkJoinPool* pool) const {
  PreparedFold fold;
  fold.cells.reserve(delta.lattice.size());
  for (auto& [packed, part] : delta.lattice) fold.cells.emplace_back(packed, std::move(part));
  // Each cell's new value reads only that cell: the unions are independent of one another.
  std::vector<uint8_t> is_new(fold.cells.size(), 0);
  constexpr size_t kCellsPerPart = 8;
  base::ForEachInBlocks(pool, fold.cells.size(), kCellsPerPart, [&](size_t i) {
    auto& [packed, value] = fold.cells[i];
    const auto it = micro.find(packed);
    is_new[i] = it == micro.end();
    if (it == micro.end() || (!it->second.is_worker_set() && it->second.value() == 0)) return;
    value = CellValue::Union(it->second, value);
  });
  for (const uint8_t cell_is_new : is_new) fold.new_cells += cell_is_new;
  fold.base_keys = std::move(delta.base_keys);
  return fold;
}

void CubeState::CommitMicroFold(PreparedFold& fold) {
  micro.reserve(micro.size() + fold.new_cells);
  for (auto& [packed, value] : fold.cells) std::swap(micro[packed], value);
  for (uint64_t packed : fold.base_keys) {
    NoteMonth(*this, packed, Provenance::kMicroData, latest_months);
  }
}

void CubeState::RecomputeLatestMonth() {
  latest_months = {};
  for (const auto& [packed, unused] : micro) {
    NoteMonth(*this, packed, Provenance::kMicroData, latest_months);
  }
  for (const auto& [packed, unused] : published) {
    NoteMonth(*this, packed, Provenance::kPublished, latest_months);
  }
}

std::optional<domain::YearMonth> CubeState::LatestMonth(
    const std::vector<domain::Measure>& measures) const {
  std::optional<domain::YearMonth> latest;
  for (const domain::Measure measure : measures) {
    const std::optional<domain::YearMonth>& month = latest_months[static_cast<size_t>(measure)];
    if (month.has_value() && (!latest.has_value() || *latest < *month)) latest = month;
  }
  return latest;
}

}  // namespace omnia::cube

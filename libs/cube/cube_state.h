// The cube as held in memory: the micro-data layer (every lattice cell built from events, with
// exact worker sets) and the published layer (cells imported from INPS's published files). A
// (measure, year) that has an imported file is answered from the published layer: the import is
// INPS's authoritative figure for that year and replaces what events would give.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "libs/cube/cube_delta.h"
#include "libs/domain/measure.h"

namespace omnia::cube {

enum class Provenance { kMicroData, kPublished };

struct CubeState {
  CellMap micro;
  CellMap published;
  // (measure, year) pairs answered from the published layer.
  std::set<std::pair<domain::Measure, int>> published_years;

  bool IsPublished(domain::Measure measure, int year) const {
    return published_years.count({measure, year}) > 0;
  }
  // The layer a (measure, year) is answered from.
  const CellMap& LayerFor(domain::Measure measure, int year) const {
    return IsPublished(measure, year) ? published : micro;
  }
  // Per measure (indexed by its enum value), the latest month holding a base cell of the layer
  // the measure is answered from: the default end of a query's period range (common.proto).
  std::array<std::optional<domain::YearMonth>, domain::kAllMeasures.size()> latest_months;
  // The latest of `measures`' latest months; nullopt when none holds a cell.
  std::optional<domain::YearMonth> LatestMonth(const std::vector<domain::Measure>& measures) const;

  // A batch's effect on the micro layer in two steps, so that readers are shut out only for the
  // second: PrepareMicroFold computes the new value of every cell the batch touches (a union of
  // the cell and the batch's part) and only reads the state, so queries may run beside it;
  // CommitMicroFold then moves those values in, one swap per cell, and leaves the replaced ones
  // in `fold` to be freed after readers are let back in. Nothing may change the state between
  // the two calls (the caller holds the writers' lock).
  struct PreparedFold {
    std::vector<std::pair<uint64_t, CellValue>> cells;
    std::vector<uint64_t> base_keys;
    size_t new_cells = 0;  // cells the micro layer does not hold yet
  };
  // With a `pool`, the cells' unions are shared among its threads.
  PreparedFold PrepareMicroFold(ExpandedDelta delta, base::ForkJoinPool* pool = nullptr) const;
  void CommitMicroFold(PreparedFold& fold);
  // Recomputes latest_months from every cell (after loading or removing cells, or changing the
  // published years).
  void RecomputeLatestMonth();

  // An estimate of the memory the state holds: both layers' hash tables at their capacity, every
  // worker set's containers, and the published years. For bounding caches of states.
  size_t MemoryBytes() const;
};

}  // namespace omnia::cube

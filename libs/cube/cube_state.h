// The cube as held in memory: the micro-data layer (every lattice cell built from events, with
// exact worker sets) and the published layer (cells imported from INPS's published files). A
// (measure, year) that has an imported file is answered from the published layer: the import is
// INPS's authoritative figure for that year and replaces what events would give.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <utility>

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
  // The latest month holding any base cell, the default end of a query's period range.
  std::optional<domain::YearMonth> latest_month;

  // Merges a batch's lattice delta (CubeDelta::Expand) into the micro layer: one merge per
  // lattice cell. The expansion is the caller's, so that it can run before readers are shut out.
  void FoldMicroLatticeDelta(ExpandedDelta delta);
  // Recomputes latest_month from every cell (after loading or removing cells).
  void RecomputeLatestMonth();

  // An estimate of the memory the state holds: both layers' hash tables at their capacity, every
  // worker set's containers, and the published years. For bounding caches of states.
  size_t MemoryBytes() const;
};

}  // namespace omnia::cube

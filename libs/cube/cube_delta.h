// The effect of a batch of events on the cube. Events are collected on base cells (one update per
// event); Expand then computes every lattice cell the batch touches, and
// CubeState::FoldMicroLatticeDelta merges those into the cubes.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "libs/base/fork_join.h"
#include "libs/cube/cell_value.h"
#include "libs/cube/lattice.h"
#include "libs/domain/codelists.h"
#include "libs/domain/period.h"

namespace omnia::cube {

using CellMap = absl::flat_hash_map<uint64_t, CellValue>;

// Every lattice cell above (and including) the base cells of `base`, with the merged values. For
// whole cubes (loading a store, published layers); a batch expands through CubeDelta::Expand.
CellMap ExpandToLattice(const CellMap& base, const domain::Codelists& codelists);

// What a batch adds to the cube: every lattice cell it touches with the batch's part of the cell
// (a count, or the set of the batch's distinct workers in the cell), and which of those are base
// cells (the ones stored).
struct ExpandedDelta {
  CellMap lattice;
  std::vector<uint64_t> base_keys;
};

class CubeDelta {
 public:
  // One authorised application in the month of authorisation.
  void AddApplication(const domain::YearMonth& ym, int region_index, int type_index);
  // One direct payment in the month of payment: the worker joins the WORKERS set of the cell and
  // the months covered add to BENEFIT_MONTHS (a payment covering 0 months still counts its
  // worker).
  void AddPayment(const domain::YearMonth& ym, int region_index, int type_index,
                  uint32_t worker_dense_id, uint64_t months_covered);

  bool empty() const { return counts_.empty() && worker_ids_.empty(); }

  // The batch's lattice cells. Worker sets are rolled up one dimension at a time on sorted id
  // lists (type, then region, then period), so each step merges a few short lists of distinct
  // ids: the cost follows the batch's ids, not the id space the cube covers. With a `pool`, the
  // cells of each step, and the sets built from the lists, are shared among its threads.
  ExpandedDelta Expand(const domain::Codelists& codelists, base::ForkJoinPool* pool = nullptr) &&;

 private:
  // Additive base cells (APPLICATIONS, BENEFIT_MONTHS).
  CellMap counts_;
  // WORKERS base cells: the dense ids of their payments, in arrival order, repeats included.
  absl::flat_hash_map<uint64_t, std::vector<uint32_t>> worker_ids_;
};

}  // namespace omnia::cube

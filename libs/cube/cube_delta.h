// The effect of a batch of events on the cube, accumulated on base cells (one update per event);
// ExpandToLattice then folds each touched base cell into every rollup above it, and
// CubeState::FoldMicroLatticeDelta merges the result into the cubes.
#pragma once

#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "libs/cube/cell_value.h"
#include "libs/cube/lattice.h"
#include "libs/domain/codelists.h"
#include "libs/domain/period.h"

namespace omnia::cube {

using CellMap = absl::flat_hash_map<uint64_t, CellValue>;

// Every lattice cell above (and including) the base cells of `base`, with the merged values.
CellMap ExpandToLattice(const CellMap& base, const domain::Codelists& codelists);

class CubeDelta {
 public:
  // One authorised application in the month of authorisation.
  void AddApplication(const domain::YearMonth& ym, int region_index, int type_index);
  // One direct payment in the month of payment: the worker joins the WORKERS set of the cell and
  // the months covered add to BENEFIT_MONTHS (a payment covering 0 months still counts its
  // worker).
  void AddPayment(const domain::YearMonth& ym, int region_index, int type_index,
                  uint32_t worker_dense_id, uint64_t months_covered);

  bool empty() const { return base_.empty(); }
  const CellMap& base_cells() const { return base_; }

 private:
  CellMap base_;
};

}  // namespace omnia::cube

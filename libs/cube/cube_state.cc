#include "libs/cube/cube_state.h"

namespace omnia::cube {

void CubeState::ApplyMicroDelta(const CellMap& lattice_delta) {
  for (const auto& [packed, delta] : lattice_delta) micro[packed].MergeFrom(delta);
}

}  // namespace omnia::cube

// Answers cube queries from a CubeState: filters on regions and types at any level, a period
// range, a group-by level per dimension. A group that a precomputed cell covers exactly is one
// lookup; a group cut by a filter or the period range is assembled from the fewest precomputed
// cells that tile it (whole macro-areas, families, quarters where they fit), merging worker sets
// by union so WORKERS stays exact.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/cube/cube_state.h"
#include "libs/cube/lattice.h"
#include "libs/domain/codelists.h"
#include "libs/domain/measure.h"
#include "libs/domain/period.h"

namespace omnia::cube {

// A set of base regions or base types, by dense index.
using IndexSet = std::bitset<64>;

struct CubeQuery {
  std::vector<domain::Measure> measures;
  domain::YearMonth from;  // inclusive
  domain::YearMonth to;    // inclusive
  domain::PeriodLevel period_level = domain::PeriodLevel::kMonth;
  RegionLevel region_level = RegionLevel::kRegion;
  TypeLevel type_level = TypeLevel::kType;
  IndexSet regions;  // base regions kept; see AllRegions()
  IndexSet types;    // base types kept; see AllTypes()
  // Also return groups with no data, as zero.
  bool dense = false;
  // The result is empty whatever the rest says: a default period range over measures that hold
  // no cell at all (common.proto).
  bool empty_result = false;
};

struct QueryCell {
  CellKey key;  // the group: its measure, period, region and type at the requested levels
  uint64_t value = 0;
  Provenance provenance = Provenance::kMicroData;
};

IndexSet AllRegions(const domain::Codelists& codelists);
IndexSet AllTypes(const domain::Codelists& codelists);

// The base regions named by `codes`, each an INPS label, ISTAT or NUTS code, region name, or a
// macro-area code or name (regions and macro-areas may be mixed); empty `codes` means all.
// Unknown codes give INVALID_ARGUMENT naming the code and the valid choices.
absl::StatusOr<IndexSet> ResolveRegionFilter(const domain::Codelists& codelists,
                                             const std::vector<std::string>& codes);
// The base types named by `codes`, each a type code or a family code; empty means all.
absl::StatusOr<IndexSet> ResolveTypeFilter(const domain::Codelists& codelists,
                                           const std::vector<std::string>& codes);

// Runs `query`. Cells come back in the order common.proto gives: period ascending, then type
// code, then region code (codes compared byte by byte), then measure as requested. A
// WORKERS group over a year answered from imported published cells that is not a single base
// cell fails with FAILED_PRECONDITION: distinct workers cannot be summed from published counts.
absl::StatusOr<std::vector<QueryCell>> RunQuery(const CubeState& state,
                                                const domain::Codelists& codelists,
                                                const CubeQuery& query);

// One page of a query's result. A position counts the query's groups (period x type group x
// region group x measure, in result order), empty ones included, so a page is computed from its
// position on without computing the pages before it.
struct QueryPage {
  std::vector<QueryCell> cells;
  // Where the next page starts; nullopt on the last page.
  std::optional<uint64_t> next_position;
  // Groups looked at for this page: its cost.
  uint64_t groups_visited = 0;
};

// How many groups a page may look at per cell asked for.
inline constexpr uint64_t kGroupsPerPageCell = 16;

// At most `max_cells` cells of `query` from group position `start` (0 for the first page, then
// the previous page's next_position). A page looks at no more than max_cells x
// kGroupsPerPageCell groups, so its cost follows its size whatever the query; a sparse result
// may therefore give pages with fewer cells than asked, even none, before its last page.
// Errors as RunQuery, checked for the whole query on every page; INVALID_ARGUMENT when `start`
// is past the end or max_cells is 0.
absl::StatusOr<QueryPage> RunQueryPage(const CubeState& state, const domain::Codelists& codelists,
                                       const CubeQuery& query, uint64_t start, size_t max_cells);

}  // namespace omnia::cube

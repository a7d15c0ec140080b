// Conversions between the omnia.v1 query, cell and release messages and the cube library,
// shared by aggregation (which serves them) and the exporter (which reads cells). Every error is
// INVALID_ARGUMENT naming the field path, e.g. "query.regions[2]".
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/cube/engine.h"
#include "libs/cube/query.h"
#include "libs/domain/codelists.h"
#include "libs/rpc/paging.h"
#include "omnia/v1/aggregation.pb.h"
#include "omnia/v1/common.pb.h"

namespace omnia::api {

// The levels a query groups its cells at (unset: MONTH, REGION, TYPE).
struct QueryLevels {
  domain::PeriodLevel period = domain::PeriodLevel::kMonth;
  cube::RegionLevel region = cube::RegionLevel::kRegion;
  cube::TypeLevel type = cube::TypeLevel::kType;
};
// INVALID_ARGUMENT naming the field for a level outside its enum.
absl::StatusOr<QueryLevels> QueryLevelsFromProto(const v1::CellQuery& query);

// The latest month holding a cell of any of the measures, nullopt when none does.
using LatestMonthOf =
    std::function<std::optional<domain::YearMonth>(const std::vector<domain::Measure>&)>;

// An unset period range ends at `latest_month` of the requested measures; when they hold no cell
// the query's result is empty (common.proto).
absl::StatusOr<cube::CubeQuery> CubeQueryFromProto(const v1::CellQuery& query,
                                                   const domain::Codelists& codelists,
                                                   const LatestMonthOf& latest_month);

// What Query's page tokens are tied to: the query and the release (common.proto: a token used
// with other request fields fails).
uint64_t QueryRequestDigest(const v1::QueryRequest& request);
// A month as a non-zero number for a page token, and back (an invalid month for a number that
// is none, which the query then refuses).
uint64_t MonthPin(const domain::YearMonth& month);
domain::YearMonth PinnedMonth(uint64_t pin);

void CellToProto(const cube::QueryCell& cell, const domain::Codelists& codelists, v1::Cell* out);
// The inverse, for clients that render cells (the exporter); codes must be known.
absl::StatusOr<cube::QueryCell> CellFromProto(const v1::Cell& cell,
                                              const domain::Codelists& codelists);

void ReleaseToProto(const cube::ReleaseInfo& release, v1::CubeRelease* out);

v1::PeriodLevel PeriodLevelToProto(domain::PeriodLevel level);
v1::RegionLevel RegionLevelToProto(cube::RegionLevel level);
v1::TypeLevel TypeLevelToProto(cube::TypeLevel level);

}  // namespace omnia::api

// Conversions between the omnia.v1 query, cell and release messages and the cube library,
// shared by aggregation (which serves them) and the exporter (which reads cells). Every error is
// INVALID_ARGUMENT naming the field path, e.g. "query.regions[2]".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/cube/engine.h"
#include "libs/cube/query.h"
#include "libs/domain/codelists.h"
#include "omnia/v1/aggregation.pb.h"
#include "omnia/v1/common.pb.h"

namespace omnia::api {

// `latest_month` fills an unset period range's end (the latest month holding data).
absl::StatusOr<cube::CubeQuery> CubeQueryFromProto(
    const v1::CellQuery& query, const domain::Codelists& codelists,
    const std::optional<domain::YearMonth>& latest_month);

void CellToProto(const cube::QueryCell& cell, const domain::Codelists& codelists, v1::Cell* out);
// The inverse, for clients that render cells (the exporter); codes must be known.
absl::StatusOr<cube::QueryCell> CellFromProto(const v1::Cell& cell,
                                              const domain::Codelists& codelists);

void ReleaseToProto(const cube::ReleaseInfo& release, v1::CubeRelease* out);

v1::PeriodLevel PeriodLevelToProto(domain::PeriodLevel level);
v1::RegionLevel RegionLevelToProto(cube::RegionLevel level);
v1::TypeLevel TypeLevelToProto(cube::TypeLevel level);

}  // namespace omnia::api

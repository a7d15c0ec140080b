// The parameters of GET /api/v1/query, an ad-hoc slice of the cubes as a file, mapped onto
// ExportService.Export's request (export.proto):
//   measures=APPLICATIONS,WORKERS      CellQuery.measures (required; case-insensitive)
//   regions=LOMBARDIA,NORD_EST,ITALY   CellQuery.regions (codes as the CellQuery takes them)
//   types=CIGO,FONDI,ALL               CellQuery.intervention_types
//   from=2023-01&to=2023-12            CellQuery.period_range (both or neither)
//   period_level=month|quarter|year    CellQuery.period_level
//   region_level=region|macro_area|italy
//   type_level=type|family|all
//   dense=true|false (or 1|0, yes|no; a bare `dense` is true)
//   release=<release id>               ExportRequest.release_id (absent: the live cubes)
//   format=csv|json|jsonstat|xml|xlsx  ExportRequest.format (absent: csv)
// Lists may be comma-separated, repeated, or both. Every error is INVALID_ARGUMENT whose message
// starts with "<parameter>: " and never quotes the value given.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "omnia/v1/export.pb.h"

namespace omnia::gateway {

// At most this many codes per list parameter.
inline constexpr int kMaxCodesPerParameter = 100;

// Whether `name` is one of the parameters above.
bool IsQueryParameter(std::string_view name);

absl::StatusOr<v1::ExportRequest> ExportRequestFromQuery(
    const std::multimap<std::string, std::string>& params);

}  // namespace omnia::gateway

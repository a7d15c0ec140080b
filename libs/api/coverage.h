// Which years hold data, live or in a release, as the exporter and the catalogue need it to know
// which datasets exist: asked of aggregation with two small queries.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "omnia/v1/aggregation.grpc.pb.h"

namespace omnia::api {

struct Coverage {
  std::vector<int> years_with_data;  // ascending
  // The latest year whose December holds data (0 when none): a year is complete once its last
  // month is in.
  int latest_complete_year = 0;
};

absl::StatusOr<Coverage> DiscoverCoverage(v1::AggregationService::StubInterface& aggregation,
                                          const std::string& release_id, absl::Duration deadline);

// Every cell of `query` at `release_id`, following page tokens.
absl::StatusOr<std::vector<v1::Cell>> QueryAllPages(
    v1::AggregationService::StubInterface& aggregation, const v1::CellQuery& query,
    const std::string& release_id, absl::Duration deadline);

}  // namespace omnia::api

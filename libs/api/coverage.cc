#include "libs/api/coverage.h"

#include <set>

#include "absl/time/clock.h"
#include "libs/domain/period.h"
#include "libs/rpc/status_mapping.h"

namespace omnia::api {

absl::StatusOr<std::vector<v1::Cell>> QueryAllPages(
    v1::AggregationService::StubInterface& aggregation, const v1::CellQuery& query,
    const std::string& release_id, absl::Duration deadline) {
  v1::QueryRequest request;
  *request.mutable_query() = query;
  request.set_release_id(release_id);
  request.set_page_size(10000);
  std::vector<v1::Cell> cells;
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    v1::QueryResponse response;
    grpc::Status status = aggregation.Query(&context, request, &response);
    if (!status.ok()) return rpc::FromGrpcStatus(status);
    cells.insert(cells.end(), response.cells().begin(), response.cells().end());
    if (response.next_page_token().empty()) return cells;
    request.set_page_token(response.next_page_token());
  }
}

absl::StatusOr<Coverage> DiscoverCoverage(v1::AggregationService::StubInterface& aggregation,
                                          const std::string& release_id, absl::Duration deadline) {
  // Additive measures roll up over micro-data and published cells alike, and every year with any
  // activity has applications or benefit months.
  v1::CellQuery query;
  query.add_measures("APPLICATIONS");
  query.add_measures("BENEFIT_MONTHS");
  query.set_period_level(v1::PERIOD_LEVEL_MONTH);
  query.set_region_level(v1::REGION_LEVEL_ITALY);
  query.set_type_level(v1::TYPE_LEVEL_ALL);
  query.mutable_period_range()->mutable_first()->set_year(domain::kMinYear);
  query.mutable_period_range()->mutable_first()->set_month(1);
  query.mutable_period_range()->mutable_last()->set_year(domain::kMaxYear);
  query.mutable_period_range()->mutable_last()->set_month(12);
  absl::StatusOr<std::vector<v1::Cell>> cells =
      QueryAllPages(aggregation, query, release_id, deadline);
  if (!cells.ok()) return cells.status();
  std::set<int> years;
  Coverage coverage;
  for (const v1::Cell& cell : *cells) {
    years.insert(cell.period().year());
    if (cell.period().month() == 12 && cell.period().year() > coverage.latest_complete_year) {
      coverage.latest_complete_year = cell.period().year();
    }
  }
  coverage.years_with_data.assign(years.begin(), years.end());
  return coverage;
}

}  // namespace omnia::api

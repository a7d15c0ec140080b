#include "services/exporter/peers.h"

#include <utility>

namespace omnia::exporter {

GrpcCellSource::GrpcCellSource(std::shared_ptr<grpc::ChannelInterface> aggregation,
                               absl::Duration deadline, size_t release_cache_bytes)
    : aggregation_(v1::AggregationService::NewStub(std::move(aggregation))),
      deadline_(deadline),
      release_coverage_(
          release_cache_bytes, [](const std::string& release_id, const api::Coverage& coverage) {
            // The key twice (map and list) and the list and map nodes.
            return 2 * release_id.size() + coverage.years_with_data.size() * sizeof(int) +
                   sizeof(api::Coverage) + 128;
          }) {}

absl::StatusOr<api::Coverage> GrpcCellSource::CoverageAt(const std::string& release_id) {
  if (!release_id.empty()) {
    absl::MutexLock lock(&mu_);
    if (const api::Coverage* cached = release_coverage_.Find(release_id)) return *cached;
  }
  absl::StatusOr<api::Coverage> coverage =
      api::DiscoverCoverage(*aggregation_, release_id, deadline_);
  if (coverage.ok() && !release_id.empty()) {
    absl::MutexLock lock(&mu_);
    release_coverage_.Put(release_id, *coverage);
  }
  return coverage;
}

absl::StatusOr<std::vector<v1::Cell>> GrpcCellSource::Cells(const v1::CellQuery& query,
                                                            const std::string& release_id) {
  return api::QueryAllPages(*aggregation_, query, release_id, deadline_);
}

size_t GrpcCellSource::release_cache_bytes() {
  absl::MutexLock lock(&mu_);
  return release_coverage_.bytes();
}

}  // namespace omnia::exporter

// The exporter's peer behind the export job's CellSource: aggregation over gRPC, with a deadline
// on every call and a bounded cache of each release's years with data.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/api/coverage.h"
#include "libs/base/lru_cache.h"
#include "libs/export_job/export_job.h"
#include "omnia/v1/aggregation.grpc.pb.h"

namespace omnia::exporter {

class GrpcCellSource final : public CellSource {
 public:
  GrpcCellSource(std::shared_ptr<grpc::ChannelInterface> aggregation, absl::Duration deadline,
                 size_t release_cache_bytes);

  // A release never changes, so its answer is kept (within release_cache_bytes, least recently
  // used releases first out): a publication renders every attachment of every dataset from one
  // release.
  absl::StatusOr<api::Coverage> CoverageAt(const std::string& release_id) override;
  absl::StatusOr<std::vector<v1::Cell>> Cells(const v1::CellQuery& query,
                                              const std::string& release_id) override;

  // Bytes held by the release cache.
  size_t release_cache_bytes();

 private:
  std::unique_ptr<v1::AggregationService::Stub> aggregation_;
  const absl::Duration deadline_;
  absl::Mutex mu_;
  LruCache<std::string, api::Coverage> release_coverage_ ABSL_GUARDED_BY(mu_);
};

}  // namespace omnia::exporter

// A stand-in for the aggregation service, in process on a loopback port, for testing the
// services that read from it (exporter, catalogue) without a cube: every month of the given
// years holds one cell per group of the query's levels. Freeze can be held to keep a
// publication in progress, and queries are counted per release.
#pragma once

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "libs/domain/codelists.h"
#include "omnia/v1/aggregation.grpc.pb.h"

namespace omnia::testing {

class FakeAggregation final : public v1::AggregationService::Service {
 public:
  // Data in every month of `years`.
  explicit FakeAggregation(std::vector<int> years);
  ~FakeAggregation() override;

  std::string address() const;

  // Until ReleaseFreeze() (or for 10 s at most), Freeze calls wait; WaitUntilFreezing()
  // returns once one has started.
  void HoldFreeze();
  void WaitUntilFreezing();
  void ReleaseFreeze();

  // Queries received for `release_id` at REGION_LEVEL_ITALY (those that discover which years
  // hold data).
  int coverage_queries(const std::string& release_id);

  grpc::Status Freeze(grpc::ServerContext* context, const v1::FreezeRequest* request,
                      v1::FreezeResponse* response) override;
  grpc::Status Query(grpc::ServerContext* context, const v1::QueryRequest* request,
                     v1::QueryResponse* response) override;

 private:
  const std::vector<int> years_;
  const domain::Codelists codelists_ = domain::Codelists::Builtin();
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  absl::Mutex mu_;
  bool hold_freeze_ ABSL_GUARDED_BY(mu_) = false;
  bool freezing_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, int> coverage_queries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace omnia::testing

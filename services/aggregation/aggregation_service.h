// The omnia.v1.AggregationService handlers: proto -> cube library -> proto, nothing else.
#pragma once

#include <atomic>
#include <string_view>

#include "libs/cube/engine.h"
#include "libs/server/executor.h"
#include "omnia/v1/aggregation.grpc.pb.h"

namespace omnia::aggregation {

class AggregationService final : public v1::AggregationService::CallbackService {
 public:
  // `executor` must outlive the service. Writes (synced to disk) run on it. Until Attach()
  // gives it the opened engine, every RPC answers UNAVAILABLE: the server listens (and reports
  // NOT_SERVING) while a large cube loads.
  explicit AggregationService(server::Executor& executor) : executor_(executor) {}

  // `engine` must outlive the service.
  void Attach(cube::CubeEngine* engine) { engine_.store(engine); }

  grpc::ServerUnaryReactor* Apply(grpc::CallbackServerContext* context,
                                  const v1::ApplyRequest* request,
                                  v1::ApplyResponse* response) override;
  grpc::ServerUnaryReactor* ReplacePublishedCells(
      grpc::CallbackServerContext* context, const v1::ReplacePublishedCellsRequest* request,
      v1::ReplacePublishedCellsResponse* response) override;
  grpc::ServerUnaryReactor* Query(grpc::CallbackServerContext* context,
                                  const v1::QueryRequest* request,
                                  v1::QueryResponse* response) override;
  grpc::ServerUnaryReactor* Freeze(grpc::CallbackServerContext* context,
                                   const v1::FreezeRequest* request,
                                   v1::FreezeResponse* response) override;
  grpc::ServerUnaryReactor* ListReleases(grpc::CallbackServerContext* context,
                                         const v1::ListCubeReleasesRequest* request,
                                         v1::ListCubeReleasesResponse* response) override;
  grpc::ServerUnaryReactor* GetCubeStats(grpc::CallbackServerContext* context,
                                         const v1::GetCubeStatsRequest* request,
                                         v1::GetCubeStatsResponse* response) override;
  grpc::ServerReadReactor<v1::RebuildRequest>* Rebuild(grpc::CallbackServerContext* context,
                                                       v1::RebuildResponse* response) override;

 private:
  template <typename Handler>
  grpc::ServerUnaryReactor* OnEngine(grpc::CallbackServerContext* context,
                                     std::string_view protected_method, Handler handler);

  // The engine, or UNAVAILABLE while it is still opening.
  absl::StatusOr<cube::CubeEngine*> engine() const;

  std::atomic<cube::CubeEngine*> engine_{nullptr};
  server::Executor& executor_;
};

}  // namespace omnia::aggregation

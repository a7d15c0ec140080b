// The omnia.v1.AggregationService handlers: proto -> cube library -> proto, nothing else.
#pragma once

#include <prometheus/collectable.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/cube/engine.h"
#include "libs/server/executor.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "services/aggregation/engine_slot.h"

namespace omnia::aggregation {

class AggregationService final : public v1::AggregationService::CallbackService {
 public:
  // `executor` must outlive the service. Writes (synced to disk) run on it. Until Attach()
  // gives it the opened engine, every RPC answers UNAVAILABLE: the server listens (and reports
  // NOT_SERVING) while a large cube loads.
  explicit AggregationService(server::Executor& executor)
      : executor_(executor), engine_(std::make_shared<EngineSlot>()) {}

  // Hands over the opened engine. The service and its metrics collectors share its ownership,
  // so it lives as long as the last of them; may run on any thread while calls are served.
  void Attach(std::shared_ptr<cube::CubeEngine> engine) { engine_->Set(std::move(engine)); }

  // The cube metrics (cells, workers, releases, applied sequences, bytes of `data_dir`), read at
  // each scrape on the metrics server's thread. Reports nothing until Attach(). It shares the
  // engine, so it may outlive the service (the metrics endpoint may stop last).
  std::shared_ptr<prometheus::Collectable> MetricsCollector(std::string data_dir) const;

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
  absl::StatusOr<std::shared_ptr<cube::CubeEngine>> engine() const;

  server::Executor& executor_;
  const std::shared_ptr<EngineSlot> engine_;
};

}  // namespace omnia::aggregation

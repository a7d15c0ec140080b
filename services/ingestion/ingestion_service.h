// The omnia.v1.IngestionService handlers: validate and pseudonymise at the boundary, log
// durably, acknowledge, and let the forwarder feed aggregation.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "libs/base/clock.h"
#include "libs/domain/codelists.h"
#include "libs/ingest/batch_intake.h"
#include "libs/ingest/batch_validation.h"
#include "libs/ingest/event_log.h"
#include "libs/ingest/forwarder.h"
#include "libs/ingest/pseudonymizer.h"
#include "libs/server/executor.h"
#include "omnia/v1/ingestion.grpc.pb.h"

namespace omnia::ingestion {

struct IngestionOptions {
  // Events the log may hold beyond what aggregation has applied before new writes are refused
  // with RESOURCE_EXHAUSTED.
  uint64_t max_backlog_events = 5'000'000;
  // Largest accepted published report and raw-event file.
  uint64_t max_report_bytes = 64ull << 20;
  uint64_t max_raw_file_bytes = 1ull << 30;
  absl::Duration rebuild_deadline = absl::Hours(1);
};

// Everything the handlers need; owned by main() (or a test) and outliving the service.
struct IngestionDeps {
  const domain::Codelists* codelists;
  const ingest::Pseudonymizer* pseudonymizer;
  ingest::EventLog* log;
  // Also runs rebuilds (through its sink).
  ingest::Forwarder* forwarder;
  server::Executor* executor;
  // Today's date in Italy bounds event dates and published years.
  const Clock* clock;
};

class IngestionService final : public v1::IngestionService::CallbackService {
 public:
  IngestionService(IngestionDeps deps, IngestionOptions options);

  grpc::ServerBidiReactor<v1::EventBatch, v1::BatchAck>* StreamEvents(
      grpc::CallbackServerContext* context) override;
  grpc::ServerReadReactor<v1::ImportPublishedReportRequest>* ImportPublishedReport(
      grpc::CallbackServerContext* context, v1::ImportPublishedReportResponse* response) override;
  grpc::ServerReadReactor<v1::ImportRawEventsRequest>* ImportRawEvents(
      grpc::CallbackServerContext* context, v1::ImportRawEventsResponse* response) override;
  grpc::ServerUnaryReactor* GetIngestionStatus(grpc::CallbackServerContext* context,
                                               const v1::GetIngestionStatusRequest* request,
                                               v1::GetIngestionStatusResponse* response) override;
  grpc::ServerUnaryReactor* RebuildAggregation(grpc::CallbackServerContext* context,
                                               const v1::RebuildAggregationRequest* request,
                                               v1::RebuildAggregationResponse* response) override;

  // One batch, start to finish: the logic behind StreamEvents, callable without a stream.
  // `scratch` (optional) is reused between calls of one stream to save allocations.
  v1::BatchAck HandleBatch(const v1::EventBatch& batch,
                           std::vector<ingest::RawEvent>* scratch = nullptr);

 private:
  IngestionDeps deps_;
  IngestionOptions options_;
  const ingest::BatchIntake intake_;
};

}  // namespace omnia::ingestion

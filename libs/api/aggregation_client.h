// The ingestion side of the aggregation contract: forwards log entries over gRPC with a deadline
// on every call, and replays the whole log into a Rebuild stream.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "libs/domain/codelists.h"
#include "libs/ingest/event_log.h"
#include "libs/ingest/forwarder.h"
#include "omnia/v1/aggregation.grpc.pb.h"

namespace omnia::api {

struct RebuildSummary {
  uint64_t entries_replayed = 0;
  uint64_t events_replayed = 0;
  uint64_t published_reports_replayed = 0;
  uint64_t last_log_sequence = 0;
};

class GrpcAggregationSink final : public ingest::AggregationSink {
 public:
  // `token` (may be empty) is sent as a bearer token on every call.
  GrpcAggregationSink(std::shared_ptr<grpc::ChannelInterface> channel,
                      const domain::Codelists& codelists, absl::Duration deadline,
                      std::string token);

  absl::StatusOr<uint64_t> Apply(const cube::FactBatch& batch) override;
  absl::StatusOr<uint64_t> ReplacePublished(const std::string& producer, uint64_t previous_sequence,
                                            const ingest::LogEntry& published_entry) override;
  absl::StatusOr<uint64_t> LastApplied(const std::string& producer) override;

  // Streams every entry of `log` (in order) into AggregationService.Rebuild, then the end marker
  // counting them; aggregation keeps the rebuilt cubes only when both ends agree.
  absl::StatusOr<RebuildSummary> Rebuild(const ingest::EventLog& log, const std::string& producer,
                                         absl::Duration deadline);

 private:
  std::unique_ptr<grpc::ClientContext> Context(absl::Duration deadline) const;

  std::unique_ptr<v1::AggregationService::Stub> stub_;
  const domain::Codelists& codelists_;
  const absl::Duration deadline_;
  const std::string token_;
};

}  // namespace omnia::api

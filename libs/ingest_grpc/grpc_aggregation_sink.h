// The ingestion side of the aggregation contract over gRPC: ingest::AggregationSink on
// AggregationService, with a deadline on every call.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "libs/domain/codelists.h"
#include "libs/ingest/event_log.h"
#include "libs/ingest/forwarder.h"
#include "omnia/v1/aggregation.grpc.pb.h"

namespace omnia::ingest_grpc {

class GrpcAggregationSink final : public ingest::AggregationSink {
 public:
  // `token` (may be empty) is sent as a bearer token on every call.
  GrpcAggregationSink(std::shared_ptr<grpc::ChannelInterface> channel,
                      const domain::Codelists& codelists, absl::Duration deadline,
                      std::string token);

  absl::StatusOr<uint64_t> Apply(const facts::FactBatch& batch) override;
  absl::StatusOr<uint64_t> ReplacePublished(const std::string& producer, uint64_t previous_sequence,
                                            const ingest::LogEntry& published_entry) override;
  absl::StatusOr<uint64_t> LastApplied(const std::string& producer) override;

  // Streams every entry of `log` (in order) into AggregationService.Rebuild, then the end marker
  // counting them.
  absl::StatusOr<ingest::RebuildSummary> Rebuild(const ingest::EventLog& log,
                                                 const std::string& producer,
                                                 absl::Duration deadline) override;

 private:
  std::unique_ptr<grpc::ClientContext> Context(absl::Duration deadline) const;

  std::unique_ptr<v1::AggregationService::Stub> stub_;
  const domain::Codelists& codelists_;
  const absl::Duration deadline_;
  const std::string token_;
};

}  // namespace omnia::ingest_grpc

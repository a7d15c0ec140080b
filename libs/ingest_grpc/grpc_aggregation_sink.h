// The ingestion side of the aggregation contract over gRPC: ingest::AggregationSink on
// AggregationService, with a deadline on every call. Events travel in records or in columns only
// to a server that has said (GetCubeStats.accepts_event_records, accepts_event_columns) that it
// reads them: an older server would ignore them and apply the request as empty, so until then
// they go in the newest form it has named, or as one message each.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "libs/api/fact_convert.h"
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
  // Encodes the request (the columns or messages the server reads, as Apply would).
  absl::StatusOr<std::unique_ptr<ingest::PreparedBatch>> Prepare(
      facts::FactBatch batch) const override;
  // The records as they are, to a server that reads them; otherwise as Prepare would.
  absl::StatusOr<std::unique_ptr<ingest::PreparedBatch>> PrepareRecords(
      facts::RecordBatch records) const override;
  absl::StatusOr<uint64_t> ApplyPrepared(const ingest::PreparedBatch& prepared) override;
  absl::StatusOr<uint64_t> ReplacePublished(const std::string& producer, uint64_t previous_sequence,
                                            const ingest::LogEntry& published_entry) override;
  // Also learns whether the server reads event columns (the forwarder asks before its first
  // Apply and again after every failure, so a replaced server is asked anew).
  absl::StatusOr<uint64_t> LastApplied(const std::string& producer) override;

  // Streams every entry of `log` (in order) into AggregationService.Rebuild, then the end marker
  // counting them. INTERNAL when the server reports applying other than the events sent.
  absl::StatusOr<ingest::RebuildSummary> Rebuild(const ingest::EventLog& log,
                                                 const std::string& producer,
                                                 absl::Duration deadline) override;

 private:
  std::unique_ptr<grpc::ClientContext> Context(absl::Duration deadline) const;
  absl::StatusOr<uint64_t> Send(const v1::ApplyRequest& request);
  absl::StatusOr<v1::GetCubeStatsResponse> Stats(const v1::GetCubeStatsRequest& request);
  api::EventEncoding Encoding() const;

  std::unique_ptr<v1::AggregationService::Stub> stub_;
  const domain::Codelists& codelists_;
  const absl::Duration deadline_;
  const std::string token_;
  std::atomic<bool> accepts_columns_{false};
  std::atomic<bool> accepts_records_{false};
};

}  // namespace omnia::ingest_grpc

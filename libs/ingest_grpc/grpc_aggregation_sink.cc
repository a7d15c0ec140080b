#include "libs/ingest_grpc/grpc_aggregation_sink.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/api/fact_convert.h"
#include "libs/rpc/status_mapping.h"

namespace omnia::ingest_grpc {
namespace {

api::PublishedRevision RevisionOf(const std::string& producer, const ingest::LogEntry& entry) {
  api::PublishedRevision revision;
  revision.producer = producer;
  revision.sequence = entry.sequence;
  revision.measure = entry.measure;
  revision.years = entry.years;
  revision.cells = entry.cells;
  return revision;
}

facts::FactBatch BatchOf(const std::string& producer, const ingest::LogEntry& entry) {
  facts::FactBatch batch;
  batch.producer = producer;
  batch.sequence = entry.sequence;
  batch.applications = entry.applications;
  batch.payments = entry.payments;
  return batch;
}

// An Apply request encoded ahead of sending it.
using EncodedBatch = ingest::PreparedAs<v1::ApplyRequest>;

}  // namespace

GrpcAggregationSink::GrpcAggregationSink(std::shared_ptr<grpc::ChannelInterface> channel,
                                         const domain::Codelists& codelists,
                                         absl::Duration deadline, std::string token)
    : stub_(v1::AggregationService::NewStub(std::move(channel))),
      codelists_(codelists),
      deadline_(deadline),
      token_(std::move(token)) {}

std::unique_ptr<grpc::ClientContext> GrpcAggregationSink::Context(absl::Duration deadline) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  if (!token_.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  return context;
}

api::EventEncoding GrpcAggregationSink::Encoding() const {
  if (accepts_records_.load()) return api::EventEncoding::kRecords;
  return accepts_columns_.load() ? api::EventEncoding::kColumns : api::EventEncoding::kMessages;
}

absl::StatusOr<v1::GetCubeStatsResponse> GrpcAggregationSink::Stats(
    const v1::GetCubeStatsRequest& request) {
  v1::GetCubeStatsResponse response;
  grpc::Status status = stub_->GetCubeStats(Context(deadline_).get(), request, &response);
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  accepts_columns_.store(response.accepts_event_columns());
  accepts_records_.store(response.accepts_event_records());
  return response;
}

absl::StatusOr<uint64_t> GrpcAggregationSink::Apply(const facts::FactBatch& batch) {
  const absl::StatusOr<v1::ApplyRequest> request =
      api::FactBatchToProto(batch, codelists_, Encoding());
  if (!request.ok()) return request.status();
  return Send(*request);
}

absl::StatusOr<std::unique_ptr<ingest::PreparedBatch>> GrpcAggregationSink::Prepare(
    facts::FactBatch batch) const {
  absl::StatusOr<v1::ApplyRequest> request = api::FactBatchToProto(batch, codelists_, Encoding());
  if (!request.ok()) return request.status();
  return std::make_unique<EncodedBatch>(*std::move(request));
}

absl::StatusOr<std::unique_ptr<ingest::PreparedBatch>> GrpcAggregationSink::PrepareRecords(
    facts::RecordBatch records) const {
  if (Encoding() != api::EventEncoding::kRecords) {
    return AggregationSink::PrepareRecords(std::move(records));
  }
  absl::StatusOr<v1::ApplyRequest> request =
      api::RecordBatchToProto(std::move(records), codelists_);
  if (!request.ok()) return request.status();
  return std::make_unique<EncodedBatch>(*std::move(request));
}

absl::StatusOr<uint64_t> GrpcAggregationSink::ApplyPrepared(const ingest::PreparedBatch& prepared) {
  const v1::ApplyRequest* encoded = EncodedBatch::From(prepared);
  if (encoded == nullptr) return absl::InvalidArgumentError("a request prepared by another sink");
  return Send(*encoded);
}

absl::StatusOr<uint64_t> GrpcAggregationSink::Send(const v1::ApplyRequest& request) {
  v1::ApplyResponse response;
  grpc::Status status = stub_->Apply(Context(deadline_).get(), request, &response);
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  return response.last_applied_sequence();
}

absl::StatusOr<uint64_t> GrpcAggregationSink::ReplacePublished(
    const std::string& producer, uint64_t previous_sequence,
    const ingest::LogEntry& published_entry) {
  api::PublishedRevision revision = RevisionOf(producer, published_entry);
  revision.previous_sequence = previous_sequence;
  const v1::ReplacePublishedCellsRequest request =
      api::PublishedRevisionToProto(revision, codelists_);
  v1::ReplacePublishedCellsResponse response;
  grpc::Status status = stub_->ReplacePublishedCells(Context(deadline_).get(), request, &response);
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  return response.last_applied_sequence();
}

absl::StatusOr<uint64_t> GrpcAggregationSink::LastApplied(const std::string& producer) {
  v1::GetCubeStatsRequest request;
  request.set_page_size(1000);
  while (true) {
    absl::StatusOr<v1::GetCubeStatsResponse> response = Stats(request);
    if (!response.ok()) return response.status();
    for (const v1::ProducerSequence& p : response->producers()) {
      if (p.producer_id() == producer) return p.last_applied_sequence();
    }
    if (response->next_page_token().empty()) return 0;
    request.set_page_token(response->next_page_token());
  }
}

absl::StatusOr<ingest::RebuildSummary> GrpcAggregationSink::Rebuild(const ingest::EventLog& log,
                                                                    const std::string& producer,
                                                                    absl::Duration deadline) {
  v1::GetCubeStatsRequest probe;
  probe.set_page_size(1);
  if (absl::StatusOr<v1::GetCubeStatsResponse> stats = Stats(probe); !stats.ok()) {
    return stats.status();
  }
  const api::EventEncoding encoding = Encoding();
  auto context = Context(deadline);
  v1::RebuildResponse response;
  auto writer = stub_->Rebuild(context.get(), &response);
  ingest::RebuildSummary summary;
  bool write_failed = false;
  absl::Status encode = absl::OkStatus();
  absl::Status read = log.ReadEntries(0, SIZE_MAX, [&](const ingest::LogEntry& entry) {
    v1::RebuildRequest request;
    if (entry.kind == ingest::EntryKind::kEvents) {
      absl::StatusOr<v1::ApplyRequest> apply =
          api::FactBatchToProto(BatchOf(producer, entry), codelists_, encoding);
      if (!apply.ok()) {
        encode = absl::Status(apply.status().code(), absl::StrCat("log entry ", entry.sequence,
                                                                  ": ", apply.status().message()));
        return false;
      }
      *request.mutable_apply() = *std::move(apply);
      summary.events_replayed += entry.units();
    } else {
      *request.mutable_replace_published_cells() =
          api::PublishedRevisionToProto(RevisionOf(producer, entry), codelists_);
      ++summary.published_reports_replayed;
    }
    if (!writer->Write(request)) {
      write_failed = true;
      return false;
    }
    ++summary.entries_replayed;
    summary.last_log_sequence = entry.sequence;
    return true;
  });
  if (read.ok()) read = encode;
  if (!read.ok()) {
    // Cancelled before the end marker: the server keeps its cubes as they were.
    context->TryCancel();
    writer->Finish().ok();
    return read;
  }
  if (!write_failed) {
    v1::RebuildRequest end;
    end.mutable_end()->set_entry_count(summary.entries_replayed);
    write_failed = !writer->Write(end);
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  if (write_failed) return absl::UnavailableError("the rebuild stream closed early");
  if (response.events_applied() != summary.events_replayed) {
    return absl::InternalError(absl::StrCat("aggregation applied ", response.events_applied(),
                                            " events of the ", summary.events_replayed,
                                            " replayed: the rebuilt cubes are incomplete"));
  }
  return summary;
}

}  // namespace omnia::ingest_grpc

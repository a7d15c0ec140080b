#include "libs/ingest_grpc/grpc_aggregation_sink.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/api/cube_convert.h"
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

absl::StatusOr<uint64_t> GrpcAggregationSink::Apply(const facts::FactBatch& batch) {
  const v1::ApplyRequest request = api::FactBatchToProto(batch, codelists_);
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
    v1::GetCubeStatsResponse response;
    grpc::Status status = stub_->GetCubeStats(Context(deadline_).get(), request, &response);
    if (!status.ok()) return rpc::FromGrpcStatus(status);
    for (const v1::ProducerSequence& p : response.producers()) {
      if (p.producer_id() == producer) return p.last_applied_sequence();
    }
    if (response.next_page_token().empty()) return 0;
    request.set_page_token(response.next_page_token());
  }
}

absl::StatusOr<ingest::RebuildSummary> GrpcAggregationSink::Rebuild(const ingest::EventLog& log,
                                                                    const std::string& producer,
                                                                    absl::Duration deadline) {
  auto context = Context(deadline);
  v1::RebuildResponse response;
  auto writer = stub_->Rebuild(context.get(), &response);
  ingest::RebuildSummary summary;
  bool write_failed = false;
  absl::Status read = log.ReadEntries(0, SIZE_MAX, [&](const ingest::LogEntry& entry) {
    v1::RebuildRequest request;
    if (entry.kind == ingest::EntryKind::kEvents) {
      *request.mutable_apply() = api::FactBatchToProto(BatchOf(producer, entry), codelists_);
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
  if (!read.ok()) {
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
  return summary;
}

}  // namespace omnia::ingest_grpc

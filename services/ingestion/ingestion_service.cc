#include "services/ingestion/ingestion_service.h"

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/api/event_convert.h"
#include "libs/api/upload_header.h"
#include "libs/base/sha256.h"
#include "libs/ingest/file_import.h"
#include "libs/rpc/status_mapping.h"
#include "libs/server/auth.h"
#include "libs/server/unary.h"

namespace omnia::ingestion {
namespace {

// One StreamEvents stream: batches are handled one at a time, in arrival order, each answered
// by one ack; the blocking log write runs on the executor.
class EventStreamReactor final : public grpc::ServerBidiReactor<v1::EventBatch, v1::BatchAck> {
 public:
  EventStreamReactor(IngestionService* service, server::Executor* executor)
      : service_(service), executor_(executor) {
    NextRead();
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);  // the client half-closed and every batch has its ack
      return;
    }
    executor_->Submit([this] {
      ack_ = service_->HandleBatch(*batch_, &scratch_);
      batches_handled_.fetch_add(1, std::memory_order_release);
      StartWrite(&ack_);
    });
  }

  void OnWriteDone(bool ok) override {
    SeeTheExecutorsWrites();
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream broke; resend unacked"));
      return;
    }
    NextRead();
  }

  void OnDone() override {
    SeeTheExecutorsWrites();
    delete this;
  }

 private:
  // The executor reads the batch and fills the ack and the scratch events; gRPC then runs
  // OnWriteDone, and at the end OnDone, on any of its threads, which reuse the arena or free them
  // all. gRPC orders the two inside its uninstrumented core; this acquire of the count the executor
  // released after its last access makes the same order visible to ThreadSanitizer, which
  // otherwise reported the arena's reuse as a race (rarely: once in a CI run, never in 60 runs of
  // 300 batches on one stream beside a busy processor).
  void SeeTheExecutorsWrites() const { batches_handled_.load(std::memory_order_acquire); }

  // Each batch is parsed into a fresh arena: its thousands of strings and sub-messages cost one
  // bump of a pointer each instead of a malloc and a free.
  void NextRead() {
    arena_.Reset();
    batch_ = google::protobuf::Arena::CreateMessage<v1::EventBatch>(&arena_);
    StartRead(batch_);
  }

  IngestionService* service_;
  server::Executor* executor_;
  google::protobuf::Arena arena_;
  v1::EventBatch* batch_ = nullptr;
  v1::BatchAck ack_;
  std::vector<ingest::RawEvent> scratch_;
  std::atomic<uint64_t> batches_handled_{0};
};

// Shared shape of the two file uploads: a header message, data chunks, an end message, then the
// client's half-close, handled in order on the executor; the first error ends the call. The file
// is committed only on a clean finish: OnReadDone(false) is also how gRPC reports a cancelled
// call, an expired deadline, a broken connection or the server's own shutdown, so the end
// message must have arrived and matched, and the call must not be cancelled, checked again just
// before the commit.
template <typename Request, typename Response, typename Header>
class UploadReactor : public grpc::ServerReadReactor<Request> {
 public:
  UploadReactor(grpc::CallbackServerContext* context, server::Executor* executor,
                uint64_t max_bytes, Response* response)
      : context_(context), executor_(executor), max_bytes_(max_bytes), response_(response) {}

  void Begin() { this->StartRead(&request_); }

  void OnReadDone(bool ok) override {
    executor_->Submit([this, ok] {
      absl::Status status = ok ? Consume() : Finished();
      if (!ok || !status.ok()) {
        Release(status);
        finished_.store(true, std::memory_order_release);
        this->Finish(rpc::ToGrpcStatus(status));
        return;
      }
      this->StartRead(&request_);
    });
  }

  void OnDone() override {
    // gRPC calls OnDone only after Finish, so the executor's last writes (Release) come before
    // the destructor; it orders that inside its uninstrumented core, and this acquire of the flag
    // stored before Finish makes the same order visible to ThreadSanitizer.
    finished_.load(std::memory_order_acquire);
    delete this;
  }

 protected:
  virtual absl::Status OnData(const std::string& data) = 0;
  // Checks the whole file and commits it; must call StillWanted() right before the commit.
  virtual absl::Status Complete(Response* response) = 0;
  // The call is over, committed (`outcome` OK) or not: frees what the upload holds (on the
  // executor, since it may write to storage).
  virtual void Release(const absl::Status& /*outcome*/) {}

  // CANCELLED once the client has gone (cancel, deadline, broken connection, shutdown).
  absl::Status StillWanted() const {
    if (context_->IsCancelled()) {
      return absl::CancelledError("the upload was cancelled: nothing was imported");
    }
    return absl::OkStatus();
  }

  uint64_t bytes_ = 0;
  // SHA-256 of every data byte; received_sha256_ is set from it once the stream has ended.
  Sha256 sha_;
  std::string received_sha256_;
  Header header_;

 private:
  absl::Status Consume() {
    if (!seen_header_) {
      if (!request_.has_header()) {
        return absl::InvalidArgumentError("the first message must be a header");
      }
      seen_header_ = true;
      header_ = request_.header();
      return api::CheckUploadHeader(header_);
    }
    if (end_.has_value()) {
      return absl::InvalidArgumentError("a message followed the end message: nothing was imported");
    }
    if (request_.has_header()) return absl::InvalidArgumentError("header sent twice");
    if (request_.has_end()) {
      end_ = request_.end();
      return absl::OkStatus();
    }
    if (request_.data().size() > (1u << 20)) {
      return absl::InvalidArgumentError("data: chunks must be at most 1 MiB");
    }
    bytes_ += request_.data().size();
    if (bytes_ > max_bytes_) {
      return absl::InvalidArgumentError(
          absl::StrCat("the file exceeds ", max_bytes_ >> 20, " MiB"));
    }
    sha_.Update(request_.data());
    return OnData(request_.data());
  }

  // The client half-closed, or the call ended some other way.
  absl::Status Finished() {
    if (absl::Status wanted = StillWanted(); !wanted.ok()) return wanted;
    if (!seen_header_) return absl::InvalidArgumentError("the first message must be a header");
    if (!end_.has_value()) {
      return absl::InvalidArgumentError(
          "the upload ended without its end message (total_bytes and sha256 of the file): "
          "nothing was imported");
    }
    if (end_->total_bytes() != bytes_) {
      return absl::InvalidArgumentError(
          absl::StrCat("end.total_bytes: the client sent ", end_->total_bytes(),
                       " bytes but the server received ", bytes_, ": nothing was imported"));
    }
    received_sha256_ = sha_.HexDigest();
    if (absl::AsciiStrToLower(end_->sha256()) != received_sha256_) {
      return absl::InvalidArgumentError(
          absl::StrCat("end.sha256: does not match the received bytes (sha256 ", received_sha256_,
                       "): nothing was imported"));
    }
    return Complete(response_);
  }

  grpc::CallbackServerContext* context_;
  server::Executor* executor_;
  const uint64_t max_bytes_;
  Response* response_;
  Request request_;
  bool seen_header_ = false;
  std::optional<v1::UploadEnd> end_;
  std::atomic<bool> finished_{false};
};

ingest::ReadyToCommit BacklogThenStillWanted(std::function<absl::Status(uint64_t)> check_backlog,
                                             std::function<absl::Status()> still_wanted) {
  return [check_backlog = std::move(check_backlog),
          still_wanted = std::move(still_wanted)](uint64_t items) -> absl::Status {
    // Nothing new adds nothing to the backlog.
    if (items > 0) {
      if (absl::Status s = check_backlog(items); !s.ok()) return s;
    }
    return still_wanted();
  };
}

class PublishedReportReactor final
    : public UploadReactor<v1::ImportPublishedReportRequest, v1::ImportPublishedReportResponse,
                           v1::PublishedReportHeader> {
 public:
  PublishedReportReactor(grpc::CallbackServerContext* context, const IngestionDeps& deps,
                         uint64_t max_bytes, v1::ImportPublishedReportResponse* response,
                         std::function<absl::Status(uint64_t)> check_backlog)
      : UploadReactor(context, deps.executor, max_bytes, response),
        forwarder_(*deps.forwarder),
        import_(*deps.codelists, *deps.log, *deps.clock),
        ready_(BacklogThenStillWanted(std::move(check_backlog), [this] { return StillWanted(); })) {
    Begin();
  }

 private:
  absl::Status OnData(const std::string& data) override { return import_.Feed(data); }

  absl::Status Complete(v1::ImportPublishedReportResponse* response) override {
    absl::StatusOr<ingest::PublishedReportImported> imported = import_.Commit(
        received_sha256_,
        {.sha256 = header_.expected_sha256(), .measure = header_.expected_measure()}, ready_);
    if (!imported.ok()) return imported.status();
    forwarder_.Notify();
    response->set_measure(std::string(domain::MeasureCode(imported->measure)));
    for (int year : imported->years) response->add_years(year);
    response->set_rows_imported(imported->rows);
    response->set_cells_replaced(imported->log.cells_replaced);
    response->set_revision(imported->log.revision);
    response->set_unchanged(imported->log.unchanged);
    response->set_sha256(received_sha256_);
    response->set_log_sequence(imported->log.log_sequence);
    return absl::OkStatus();
  }

  ingest::Forwarder& forwarder_;
  ingest::PublishedReportImport import_;
  const ingest::ReadyToCommit ready_;
};

class RawEventsReactor final
    : public UploadReactor<v1::ImportRawEventsRequest, v1::ImportRawEventsResponse,
                           v1::RawEventsFileHeader> {
 public:
  RawEventsReactor(grpc::CallbackServerContext* context, const IngestionDeps& deps,
                   uint64_t max_bytes, v1::ImportRawEventsResponse* response,
                   std::function<absl::Status(uint64_t)> check_backlog)
      : UploadReactor(context, deps.executor, max_bytes, response),
        forwarder_(*deps.forwarder),
        import_(std::make_unique<ingest::RawEventsImport>(*deps.codelists, *deps.pseudonymizer,
                                                          *deps.log, *deps.clock)),
        ready_(BacklogThenStillWanted(std::move(check_backlog), [this] { return StillWanted(); })) {
    Begin();
  }

 private:
  absl::Status OnData(const std::string& data) override { return import_->Feed(data); }

  absl::Status Complete(v1::ImportRawEventsResponse* response) override {
    ingest::RawEventsExpectations expected{.sha256 = header_.expected_sha256(),
                                           .kind = std::nullopt};
    if (header_.layout() == v1::RAW_EVENT_LAYOUT_APPLICATIONS) {
      expected.kind = domain::RawEventKind::kApplicationAuthorized;
    } else if (header_.layout() == v1::RAW_EVENT_LAYOUT_PAYMENTS) {
      expected.kind = domain::RawEventKind::kPaymentIssued;
    }
    absl::StatusOr<ingest::RawEventsImported> imported =
        import_->Commit(received_sha256_, expected, ready_);
    if (!imported.ok()) return imported.status();
    forwarder_.Notify();
    response->set_layout(imported->kind == domain::RawEventKind::kApplicationAuthorized
                             ? v1::RAW_EVENT_LAYOUT_APPLICATIONS
                             : v1::RAW_EVENT_LAYOUT_PAYMENTS);
    response->set_rows(imported->rows);
    response->set_events_accepted(imported->log.events_accepted);
    response->set_events_duplicate(imported->log.events_duplicate);
    response->set_sha256(received_sha256_);
    response->set_first_log_sequence(imported->log.first_log_sequence);
    response->set_last_log_sequence(imported->log.last_log_sequence);
    return absl::OkStatus();
  }

  // Deletes what was staged, unless committed (on the executor: it writes to storage). A file
  // refused before Complete (a bad chunk, an end that does not match) still counts its events as
  // rejected; one the client cancelled does not.
  void Release(const absl::Status& outcome) override {
    if (!outcome.ok() && !absl::IsCancelled(outcome)) import_->Reject();
    import_.reset();
  }

  ingest::Forwarder& forwarder_;
  std::unique_ptr<ingest::RawEventsImport> import_;
  const ingest::ReadyToCommit ready_;
};

}  // namespace

IngestionService::IngestionService(IngestionDeps deps, IngestionOptions options)
    : deps_(deps),
      options_(options),
      intake_(*deps.codelists, *deps.pseudonymizer, *deps.log, *deps.clock,
              [forwarder = deps.forwarder] { forwarder->Notify(); },
              {.max_backlog_events = options.max_backlog_events}) {}

v1::BatchAck IngestionService::HandleBatch(const v1::EventBatch& batch,
                                           std::vector<ingest::RawEvent>* scratch) {
  std::vector<ingest::RawEvent> local;
  std::vector<ingest::RawEvent>& events = scratch != nullptr ? *scratch : local;
  std::vector<domain::CodeIndices> codes;
  const api::CodeResolution resolve{*deps_.codelists, codes};
  const api::ReadBatch read = api::EventsFromProto(batch, events, &resolve);
  return api::AckFromReport(
      batch, intake_.Handle({batch.producer_id(), batch.sequence(), events, read.malformed,
                             read.unread_events,
                             [&batch, &read](uint64_t event_index, std::string_view field) {
                               return api::EventFieldPath(batch, read.layout, event_index, field);
                             },
                             &codes}));
}

grpc::ServerBidiReactor<v1::EventBatch, v1::BatchAck>* IngestionService::StreamEvents(
    grpc::CallbackServerContext* context) {
  if (absl::Status allowed = server::Authorize(context, "/omnia.v1.IngestionService/StreamEvents");
      !allowed.ok()) {
    return server::RejectBidi<v1::EventBatch, v1::BatchAck>(allowed);
  }
  return new EventStreamReactor(this, deps_.executor);
}

grpc::ServerReadReactor<v1::ImportPublishedReportRequest>* IngestionService::ImportPublishedReport(
    grpc::CallbackServerContext* context, v1::ImportPublishedReportResponse* response) {
  if (absl::Status allowed =
          server::Authorize(context, "/omnia.v1.IngestionService/ImportPublishedReport");
      !allowed.ok()) {
    return server::RejectRead<v1::ImportPublishedReportRequest>(allowed);
  }
  return new PublishedReportReactor(context, deps_, options_.max_report_bytes, response,
                                    [this](uint64_t n) { return intake_.CheckBacklog(n); });
}

grpc::ServerReadReactor<v1::ImportRawEventsRequest>* IngestionService::ImportRawEvents(
    grpc::CallbackServerContext* context, v1::ImportRawEventsResponse* response) {
  if (absl::Status allowed =
          server::Authorize(context, "/omnia.v1.IngestionService/ImportRawEvents");
      !allowed.ok()) {
    return server::RejectRead<v1::ImportRawEventsRequest>(allowed);
  }
  return new RawEventsReactor(context, deps_, options_.max_raw_file_bytes, response,
                              [this](uint64_t n) { return intake_.CheckBacklog(n); });
}

grpc::ServerUnaryReactor* IngestionService::GetIngestionStatus(
    grpc::CallbackServerContext* context, const v1::GetIngestionStatusRequest* request,
    v1::GetIngestionStatusResponse* response) {
  return server::FinishInline(context, [this, request, response]() -> absl::Status {
    if (absl::Status s = api::IngestionStatusToProto(*deps_.log, *request, response); !s.ok()) {
      return s;
    }
    response->set_backlog_limit_events(intake_.max_backlog_events());
    response->set_aggregation_reachable(deps_.forwarder->aggregation_reachable());
    response->set_forwarding_error(deps_.forwarder->forwarding_error());
    response->set_rebuild_in_progress(deps_.forwarder->rebuild_in_progress());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* IngestionService::RebuildAggregation(
    grpc::CallbackServerContext* context, const v1::RebuildAggregationRequest* /*request*/,
    v1::RebuildAggregationResponse* response) {
  if (absl::Status allowed =
          server::Authorize(context, "/omnia.v1.IngestionService/RebuildAggregation");
      !allowed.ok()) {
    return server::RejectUnary(context, allowed);
  }
  return server::FinishOnExecutor(context, *deps_.executor, [this, response]() -> absl::Status {
    absl::StatusOr<ingest::RebuildSummary> summary =
        deps_.forwarder->Rebuild(options_.rebuild_deadline);
    if (!summary.ok()) return summary.status();
    response->set_entries_replayed(summary->entries_replayed);
    response->set_events_replayed(summary->events_replayed);
    response->set_published_reports_replayed(summary->published_reports_replayed);
    response->set_last_log_sequence(summary->last_log_sequence);
    return absl::OkStatus();
  });
}

}  // namespace omnia::ingestion

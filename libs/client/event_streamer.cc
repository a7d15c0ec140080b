#include "libs/client/event_streamer.h"

#include <deque>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace omnia::client {

EventStreamer::EventStreamer(std::shared_ptr<grpc::Channel> channel, StreamerOptions options)
    : stub_(v1::IngestionService::NewStub(channel)), options_(std::move(options)) {}

absl::Status EventStreamer::Run(const std::function<std::optional<v1::EventBatch>()>& next,
                                const std::function<void(const v1::BatchAck&)>& on_ack) {
  std::deque<v1::EventBatch> unacked;
  bool input_done = false;
  absl::Duration backoff = options_.initial_backoff;
  absl::Time last_progress = absl::Now();
  bool first_stream = true;

  while (!input_done || !unacked.empty()) {
    if (!first_stream) {
      if (absl::Now() - last_progress > options_.give_up_after) {
        return absl::UnavailableError(absl::StrCat(
            "no progress for ", absl::FormatDuration(options_.give_up_after), "; giving up"));
      }
      absl::SleepFor(backoff);
      backoff = std::min(backoff * 2, options_.max_backoff);
      ++stats_.reconnects;
    }
    first_stream = false;
    grpc::ClientContext context;
    if (!options_.bearer_token.empty()) {
      context.AddMetadata("authorization", absl::StrCat("Bearer ", options_.bearer_token));
    }
    auto stream = stub_->StreamEvents(&context);
    // Everything unacknowledged goes again, in order, on the new stream.
    size_t written = 0;
    bool broken = false;
    bool backpressure = false;
    while (!broken && (!input_done || written < unacked.size() || !unacked.empty())) {
      // Fill the window.
      while (written < unacked.size() && written < options_.window) {
        if (!stream->Write(unacked[written])) {
          broken = true;
          break;
        }
        ++written;
      }
      while (!broken && !input_done && unacked.size() < options_.window) {
        std::optional<v1::EventBatch> batch = next();
        if (!batch.has_value()) {
          input_done = true;
          break;
        }
        unacked.push_back(std::move(*batch));
        if (!stream->Write(unacked.back())) {
          broken = true;
          break;
        }
        ++written;
      }
      if (broken || unacked.empty()) break;
      v1::BatchAck ack;
      if (!stream->Read(&ack)) {
        broken = true;
        break;
      }
      const v1::EventBatch& front = unacked.front();
      if (ack.producer_id() != front.producer_id() || ack.sequence() != front.sequence()) {
        return absl::InternalError("acknowledgements arrived out of order");
      }
      if (ack.outcome() == v1::BATCH_OUTCOME_REJECTED) {
        if (ack.code() == static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED)) {
          // The server is behind: wait, then resend this batch and the rest on a new stream.
          broken = true;
          backpressure = true;
          break;
        }
        context.TryCancel();
        return absl::Status(static_cast<absl::StatusCode>(ack.code()),
                            absl::StrCat("batch ", ack.sequence(), " rejected: ", ack.message()));
      }
      if (on_ack) on_ack(ack);
      ++stats_.batches_acked;
      if (ack.outcome() == v1::BATCH_OUTCOME_DUPLICATE) ++stats_.batches_duplicate;
      stats_.events_accepted += ack.events_accepted();
      stats_.events_duplicate += ack.events_duplicate();
      unacked.pop_front();
      --written;
      last_progress = absl::Now();
      backoff = options_.initial_backoff;
    }
    if (!broken) {
      stream->WritesDone();
      grpc::Status status = stream->Finish();
      if (status.ok() && input_done && unacked.empty()) return absl::OkStatus();
      if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
          status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
        return absl::PermissionDeniedError(status.error_message());
      }
    } else {
      if (backpressure) context.TryCancel();
      const grpc::Status status = stream->Finish();
      // Errors a retry cannot mend end the run; anything else (a restart) is retried.
      if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
          status.error_code() == grpc::StatusCode::PERMISSION_DENIED ||
          status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
          status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
        return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                            status.error_message());
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace omnia::client

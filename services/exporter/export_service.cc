#include "services/exporter/export_service.h"

#include <grpc/grpc.h>

#include <deque>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/export/writers.h"
#include "libs/rpc/status_mapping.h"

namespace omnia::exporter {

// One Export call. Rendering runs on the executor and hands chunks to the network through a
// small queue: when the client reads slowly the renderer waits, so memory stays bounded by the
// queue whatever the file's size.
class ExportReactor final : public grpc::ServerWriteReactor<v1::ExportResponse>,
                            public ExportStream {
 public:
  ExportReactor(ExportService& service, grpc::CallbackServerContext* context,
                const v1::ExportRequest& request)
      : service_(service), context_(context), request_(request) {
    ++service_.active_exports_;
    service_.executor_.Submit([this] { Render(); });
  }
  ~ExportReactor() override { --service_.active_exports_; }

  absl::Status Header(const v1::ExportHeader& header) override {
    v1::ExportResponse message;
    *message.mutable_header() = header;
    return Enqueue(std::move(message));
  }

  absl::Status Write(std::string_view bytes) override {
    size_ += bytes.size();
    v1::ExportResponse message;
    message.set_data(std::string(bytes));
    return Enqueue(std::move(message));
  }

  absl::Status Summary(const v1::ExportSummary& summary) override {
    v1::ExportResponse message;
    *message.mutable_summary() = summary;
    return Enqueue(std::move(message));
  }

  // gRPC may run a reaction inline from StartWrite or Finish, so both are always called with
  // mu_ released.
  void OnWriteDone(bool ok) override {
    const v1::ExportResponse* next = nullptr;
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      queue_.pop_front();
      if (!ok) cancelled_ = true;
      if (!queue_.empty() && !cancelled_) {
        next = &queue_.front();
      } else {
        writing_ = false;
        finish = TakeFinishLocked();
      }
    }
    if (next != nullptr) StartWrite(next);
    if (finish.has_value()) Finish(*finish);
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
  }

  void OnDone() override {
    bool delete_now;
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      delete_now = rendered_;
    }
    if (delete_now) delete this;
  }

 private:
  absl::Status Enqueue(v1::ExportResponse message) {
    absl::MutexLock lock(&mu_);
    const bool room = mu_.AwaitWithTimeout(
        absl::Condition(
            +[](ExportReactor* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
              return r->cancelled_ || r->queue_.size() < r->service_.options_.max_queued_chunks;
            },
            this),
        service_.options_.stalled_client_timeout);
    if (cancelled_) return absl::CancelledError("the client went away");
    if (!room) {
      // A pending write completes only when the client reads or the call ends: end it, so the
      // write fails and the call finishes instead of holding this thread and the queue. A
      // status sent with Finish would wait behind the unread data; a cancellation goes out at
      // once, and carries this status to the client.
      cancelled_ = true;
      ++service_.stalled_exports_;
      const std::string reason =
          absl::StrCat("the client read nothing for ",
                       absl::FormatDuration(service_.options_.stalled_client_timeout),
                       "; the export was cancelled");
      mu_.Unlock();
      grpc_call_cancel_with_status(context_->c_call(), GRPC_STATUS_RESOURCE_EXHAUSTED,
                                   reason.c_str(), nullptr);
      mu_.Lock();
      return absl::ResourceExhaustedError(reason);
    }
    queue_.push_back(std::move(message));
    const v1::ExportResponse* first = nullptr;
    if (!writing_) {
      writing_ = true;
      first = &queue_.front();  // deque elements stay put while others are added or removed
    }
    mu_.Unlock();
    if (first != nullptr) StartWrite(first);
    mu_.Lock();
    return absl::OkStatus();
  }

  // The status to finish with, once: when rendering has ended and every message is written.
  std::optional<grpc::Status> TakeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!finish_pending_ || writing_ || finished_) return std::nullopt;
    finished_ = true;
    return cancelled_ && final_status_.ok() ? grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")
                                            : rpc::ToGrpcStatus(final_status_);
  }

  void Render() {
    absl::Status status = RenderFile();
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      final_status_ = status;
      finish_pending_ = true;
      finish = TakeFinishLocked();
    }
    // Finish may run OnDone inline; the reactor is deleted by whichever of Render and OnDone
    // comes last.
    if (finish.has_value()) Finish(*finish);
    bool delete_now;
    {
      absl::MutexLock lock(&mu_);
      rendered_ = true;
      delete_now = done_;
    }
    if (delete_now) delete this;
  }

  absl::Status RenderFile() {
    absl::Status status = service_.job_.Run(request_, *this);
    if (status.ok()) service_.bytes_[static_cast<int>(header_format())] += size_;
    return status;
  }

  v1::Format header_format() const {
    return request_.format() == v1::FORMAT_UNSPECIFIED ? v1::FORMAT_CSV : request_.format();
  }

  ExportService& service_;
  grpc::CallbackServerContext* const context_;
  const v1::ExportRequest request_;
  uint64_t size_ = 0;

  absl::Mutex mu_;
  std::deque<v1::ExportResponse> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finish_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool rendered_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status final_status_ ABSL_GUARDED_BY(mu_);
};

ExportService::ExportService(const domain::Codelists& codelists,
                             const catalogue::CatalogueConfig& config,
                             std::shared_ptr<grpc::ChannelInterface> aggregation,
                             server::Executor& executor, ExportServiceOptions options)
    : executor_(executor),
      options_(std::move(options)),
      cells_(std::move(aggregation), options_.aggregation_deadline, options_.release_cache_bytes),
      job_(codelists, config, cells_, options_.temp_dir) {}

grpc::ServerWriteReactor<v1::ExportResponse>* ExportService::Export(
    grpc::CallbackServerContext* context, const v1::ExportRequest* request) {
  return new ExportReactor(*this, context, *request);
}

size_t ExportService::release_cache_bytes() { return cells_.release_cache_bytes(); }

uint64_t ExportService::bytes_exported(v1::Format format) const {
  const int index = static_cast<int>(format);
  return index >= 0 && index < 6 ? bytes_[index].load() : 0;
}

}  // namespace omnia::exporter

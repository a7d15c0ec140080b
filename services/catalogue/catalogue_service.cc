#include "services/catalogue/catalogue_service.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/catalogue/attachment_reads.h"
#include "libs/catalogue/codelists.h"
#include "libs/catalogue/datasets.h"
#include "libs/catalogue/search.h"
#include "libs/rpc/status_mapping.h"
#include "libs/server/auth.h"
#include "libs/server/tls.h"
#include "libs/server/unary.h"

namespace omnia::catalogue {

CatalogueService::CatalogueService(CatalogueStore& store, ArtifactStore& artifacts,
                                   const domain::Codelists& codelists,
                                   std::shared_ptr<grpc::ChannelInterface> aggregation,
                                   std::shared_ptr<grpc::ChannelInterface> exporter,
                                   server::Executor& executor, CatalogueServiceOptions options)
    : store_(store),
      artifacts_(artifacts),
      codelists_(codelists),
      executor_(executor),
      options_(std::move(options)),
      all_codelists_(BuildCodelists(codelists, store.config())),
      cube_releases_(std::move(aggregation), options_.call_deadline, options_.token),
      renderer_(std::move(exporter), options_.call_deadline),
      publisher_(store, artifacts, cube_releases_, renderer_) {}

grpc::ServerUnaryReactor* CatalogueService::ListDatasets(grpc::CallbackServerContext* context,
                                                         const v1::ListDatasetsRequest* request,
                                                         v1::ListDatasetsResponse* response) {
  return server::FinishOnExecutor(context, executor_, [this, request, response]() -> absl::Status {
    absl::StatusOr<std::vector<v1::Dataset>> datasets = store_.DatasetsAt(request->release_id());
    if (!datasets.ok()) return datasets.status();
    absl::StatusOr<v1::ListDatasetsResponse> page = catalogue::ListDatasets(*datasets, *request);
    if (!page.ok()) return page.status();
    *response = std::move(*page);
    for (v1::Dataset& dataset : *response->mutable_datasets()) {
      FillDownloadUrls(options_.public_base_url, dataset);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CatalogueService::GetDataset(grpc::CallbackServerContext* context,
                                                       const v1::GetDatasetRequest* request,
                                                       v1::GetDatasetResponse* response) {
  return server::FinishOnExecutor(context, executor_, [this, request, response]() -> absl::Status {
    absl::StatusOr<v1::Dataset> dataset =
        store_.GetDataset(request->dataset_id(), request->release_id());
    if (!dataset.ok()) return dataset.status();
    FillDownloadUrls(options_.public_base_url, *dataset);
    if (!dataset->release_id().empty()) {
      absl::StatusOr<v1::Release> release = store_.GetRelease(dataset->release_id());
      if (!release.ok()) return release.status();
      *response->mutable_release() = std::move(*release);
    }
    *response->mutable_dataset() = std::move(*dataset);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CatalogueService::ListReleases(grpc::CallbackServerContext* context,
                                                         const v1::ListReleasesRequest* request,
                                                         v1::ListReleasesResponse* response) {
  return server::FinishOnExecutor(context, executor_, [this, request, response]() -> absl::Status {
    absl::StatusOr<ReleasePage> page =
        store_.ListReleases(request->page_size(), request->page_token());
    if (!page.ok()) return page.status();
    for (v1::Release& r : page->releases) *response->add_releases() = std::move(r);
    response->set_next_page_token(page->next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CatalogueService::ListCodelists(grpc::CallbackServerContext* context,
                                                          const v1::ListCodelistsRequest* request,
                                                          v1::ListCodelistsResponse* response) {
  return server::FinishInline(context, [this, request, response]() -> absl::Status {
    absl::StatusOr<v1::ListCodelistsResponse> page =
        PageCodelists(all_codelists_, request->page_size(), request->page_token());
    if (!page.ok()) return page.status();
    *response = std::move(*page);
    return absl::OkStatus();
  });
}

// One ReadAttachment call: the lookup and every chunk read run on the executor (they touch the
// disk), one chunk at a time, each read only after the previous chunk was written, so a call
// holds at most one chunk in memory however large the range and however slow the client.
class AttachmentStream final : public grpc::ServerWriteReactor<v1::ReadAttachmentResponse> {
 public:
  AttachmentStream(const CatalogueStore& store, ArtifactStore& artifacts,
                   server::Executor& executor, std::string public_base_url,
                   v1::ReadAttachmentRequest request)
      : store_(store),
        artifacts_(artifacts),
        executor_(executor),
        public_base_url_(std::move(public_base_url)),
        request_(std::move(request)) {
    executor_.Submit([this] { Begin(); });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    } else if (Remaining() == 0) {
      Finish(grpc::Status::OK);
    } else {
      executor_.Submit([this] { WriteNext(); });
    }
  }

  void OnDone() override {
    // The last chunk was prepared on an executor thread; taking its lock orders those writes
    // before the delete for every checker, not only through gRPC's own synchronisation.
    { absl::MutexLock lock(&mu_); }
    delete this;
  }

 private:
  void Begin() {
    absl::StatusOr<v1::Attachment> attachment = LocateAttachment(store_, request_);
    if (!attachment.ok()) return Finish(rpc::ToGrpcStatus(attachment.status()));
    absl::StatusOr<ByteRange> range =
        ResolveRange(attachment->size_bytes(), request_.offset(), request_.length());
    if (!range.ok()) return Finish(rpc::ToGrpcStatus(range.status()));
    attachment_ = *std::move(attachment);
    attachment_.mutable_download()->set_url(
        public_base_url_.empty() ? std::string()
                                 : ReleaseFileUrl(public_base_url_, request_.release_id(),
                                                  request_.dataset_id(), attachment_.file_name()));
    offset_ = range->offset;
    remaining_ = range->length;
    *message_.mutable_attachment() = attachment_;
    WriteNext();
  }

  void WriteNext() {
    absl::Status prepared = PrepareNext();
    if (!prepared.ok()) return Finish(rpc::ToGrpcStatus(prepared));
    // Last statement: the write may complete, and the call end, on another thread at once.
    StartWrite(&message_);
  }

  uint64_t Remaining() {
    absl::MutexLock lock(&mu_);
    return remaining_;
  }

  // Fills message_ with the next chunk. Only the first message carries the attachment; message_
  // is free again once the previous write is done.
  absl::Status PrepareNext() {
    absl::MutexLock lock(&mu_);
    if (started_) message_.clear_attachment();
    started_ = true;
    message_.clear_data();
    const size_t length =
        static_cast<size_t>(std::min<uint64_t>(remaining_, kAttachmentChunkBytes));
    if (length > 0) {
      absl::StatusOr<std::string> chunk = artifacts_.ReadChunk(attachment_, offset_, length);
      if (!chunk.ok()) return chunk.status();
      message_.set_data(*std::move(chunk));
      offset_ += length;
      remaining_ -= length;
    }
    return absl::OkStatus();
  }

  const CatalogueStore& store_;
  ArtifactStore& artifacts_;
  server::Executor& executor_;
  const std::string public_base_url_;
  const v1::ReadAttachmentRequest request_;
  v1::Attachment attachment_;
  v1::ReadAttachmentResponse message_;
  uint64_t offset_ = 0;
  uint64_t remaining_ = 0;
  bool started_ = false;
  absl::Mutex mu_;  // held while a chunk is prepared; see OnDone
};

grpc::ServerWriteReactor<v1::ReadAttachmentResponse>* CatalogueService::ReadAttachment(
    grpc::CallbackServerContext* context, const v1::ReadAttachmentRequest* request) {
  if (absl::Status allowed =
          server::Authorize(context, "/omnia.v1.CatalogueService/ReadAttachment");
      !allowed.ok()) {
    return new server::internal::FinishedReactor<
        grpc::ServerWriteReactor<v1::ReadAttachmentResponse>>(allowed);
  }
  return new AttachmentStream(store_, artifacts_, executor_, options_.public_base_url, *request);
}

grpc::ServerUnaryReactor* CatalogueService::Publish(grpc::CallbackServerContext* context,
                                                    const v1::PublishRequest* request,
                                                    v1::PublishResponse* response) {
  if (absl::Status allowed = server::Authorize(context, "/omnia.v1.CatalogueService/Publish");
      !allowed.ok()) {
    return server::RejectUnary(context, allowed);
  }
  return server::FinishOnExecutor(context, executor_, [this, request, response]() -> absl::Status {
    absl::StatusOr<PublishResult> result =
        RunPublish(request->release_id(), request->description());
    if (!result.ok()) return result.status();
    *response->mutable_release() = std::move(result->release);
    response->set_created(result->created);
    return absl::OkStatus();
  });
}

absl::StatusOr<PublishResult> CatalogueService::RunPublish(const std::string& release_id,
                                                           const std::string& description) {
  return publisher_.Publish(release_id, description);
}

}  // namespace omnia::catalogue

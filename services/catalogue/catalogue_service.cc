#include "services/catalogue/catalogue_service.h"

#include <algorithm>
#include <filesystem>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/api/coverage.h"
#include "libs/base/sha256.h"
#include "libs/catalogue/attachment_reads.h"
#include "libs/catalogue/codelists.h"
#include "libs/catalogue/datasets.h"
#include "libs/catalogue/search.h"
#include "libs/rpc/status_mapping.h"
#include "libs/server/auth.h"
#include "libs/server/tls.h"
#include "libs/server/unary.h"

namespace omnia::catalogue {
namespace fs = std::filesystem;

CatalogueService::CatalogueService(CatalogueStore& store, ArtifactStore& artifacts,
                                   const domain::Codelists& codelists,
                                   std::shared_ptr<grpc::ChannelInterface> aggregation,
                                   std::shared_ptr<grpc::ChannelInterface> exporter,
                                   server::Executor& executor, CatalogueServiceOptions options)
    : store_(store),
      artifacts_(artifacts),
      codelists_(codelists),
      aggregation_(v1::AggregationService::NewStub(std::move(aggregation))),
      exporter_(v1::ExportService::NewStub(std::move(exporter))),
      executor_(executor),
      options_(std::move(options)),
      all_codelists_(BuildCodelists(codelists, store.config())) {}

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
    } else if (remaining_ == 0) {
      Finish(grpc::Status::OK);
    } else {
      executor_.Submit([this] { WriteNext(); });
    }
  }

  void OnDone() override { delete this; }

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
    // Only the first message carries the attachment; message_ is free again once the previous
    // write is done.
    if (started_) message_.clear_attachment();
    started_ = true;
    message_.clear_data();
    const size_t length =
        static_cast<size_t>(std::min<uint64_t>(remaining_, kAttachmentChunkBytes));
    if (length > 0) {
      absl::StatusOr<std::string> chunk = artifacts_.ReadChunk(attachment_, offset_, length);
      if (!chunk.ok()) return Finish(rpc::ToGrpcStatus(chunk.status()));
      message_.set_data(*std::move(chunk));
      offset_ += length;
      remaining_ -= length;
    }
    // Last statement: the write may complete, and the call end, on another thread at once.
    StartWrite(&message_);
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

absl::StatusOr<v1::Attachment> CatalogueService::Render(const std::string& dataset_id,
                                                        v1::Format format,
                                                        const std::string& release_id) {
  // Stored under a temporary name, then durably under its content hash once complete and
  // checked, so the artifact store only ever holds whole files.
  absl::StatusOr<std::unique_ptr<ArtifactWriter>> file =
      artifacts_.Begin(absl::StrCat(dataset_id, "-", static_cast<int>(format)));
  if (!file.ok()) return file.status();
  v1::ExportRequest request;
  request.set_dataset_id(dataset_id);
  request.set_format(format);
  request.set_release_id(release_id);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.call_deadline));
  auto reader = exporter_->Export(&context, request);
  v1::ExportResponse message;
  v1::ExportHeader header;
  v1::ExportSummary summary;
  absl::Status written;
  while (reader->Read(&message)) {
    if (message.has_header()) header = message.header();
    if (message.has_summary()) summary = message.summary();
    if (!message.data().empty() && written.ok()) written = (*file)->Append(message.data());
    if (!written.ok()) context.TryCancel();
  }
  grpc::Status status = reader->Finish();
  if (!written.ok()) return written;
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  const std::string extension = fs::path(header.file_name()).extension().string();
  if (absl::Status s = (*file)->Commit({summary.sha256(), summary.size_bytes()}, extension);
      !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(header.file_name(), ": ", s.message()));
  }
  v1::Attachment attachment;
  attachment.set_format(format);
  attachment.set_file_name(header.file_name());
  attachment.set_media_type(header.media_type());
  attachment.set_size_bytes(summary.size_bytes());
  attachment.set_sha256(summary.sha256());
  attachment.set_rows(summary.rows());
  return attachment;
}

absl::StatusOr<PublishResult> CatalogueService::RunPublish(const std::string& requested_id,
                                                           const std::string& description) {
  if (!requested_id.empty()) {
    if (absl::Status s = ValidateReleaseId(requested_id); !s.ok()) return s;
    // A retry of a publication that completed gets its answer even while another one runs.
    if (absl::StatusOr<v1::Release> existing = store_.GetRelease(requested_id); existing.ok()) {
      return PublishResult{*existing, false};
    }
  }
  // Waiting would hold an executor thread and the caller's deadline for as long as the other
  // publication takes; the contract says to fail at once and let the caller retry.
  if (!publish_mu_.TryLock()) {
    return absl::AbortedError("another Publish is running: retry later");
  }
  absl::StatusOr<PublishResult> result = PublishLocked(requested_id, description);
  publish_mu_.Unlock();
  return result;
}

absl::StatusOr<PublishResult> CatalogueService::PublishLocked(const std::string& requested_id,
                                                              const std::string& description) {
  std::string release_id = requested_id;
  if (release_id.empty()) {
    absl::StatusOr<std::string> next = store_.NextReleaseId();
    if (!next.ok()) return next.status();
    release_id = *next;
  } else if (absl::StatusOr<v1::Release> existing = store_.GetRelease(release_id); existing.ok()) {
    return PublishResult{*existing, false};
  }

  // 1. Freeze: every attachment is rendered from the same immutable state.
  {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + options_.call_deadline));
    if (!options_.token.empty()) server::AttachToken(&context, options_.token);
    v1::FreezeRequest freeze;
    freeze.set_release_id(release_id);
    freeze.set_description(description);
    v1::FreezeResponse frozen;
    grpc::Status status = aggregation_->Freeze(&context, freeze, &frozen);
    if (!status.ok()) return rpc::FromGrpcStatus(status);
  }
  // 2. Which datasets exist at that release.
  absl::StatusOr<api::Coverage> coverage =
      api::DiscoverCoverage(*aggregation_, release_id, options_.call_deadline);
  if (!coverage.ok()) return coverage.status();
  const std::vector<DatasetSpec> specs =
      DatasetsFor(store_.config(), coverage->years_with_data, coverage->latest_complete_year);
  if (specs.empty()) {
    return absl::FailedPreconditionError("the cubes hold no data yet: nothing to publish");
  }
  // 3. Render every attachment. A failure here records nothing: the catalogue stays as it was
  // (files already stored are content-addressed, so they are simply reused next time).
  std::vector<RenderedDataset> rendered;
  for (const DatasetSpec& spec : specs) {
    RenderedDataset dataset;
    dataset.spec = spec;
    for (const auto& format : store_.config().formats()) {
      absl::StatusOr<v1::Attachment> attachment =
          Render(spec.dataset_id, format.format(), release_id);
      if (!attachment.ok()) {
        return absl::Status(attachment.status().code(),
                            absl::StrCat(spec.dataset_id, ": ", attachment.status().message()));
      }
      // The CSV holds exactly the dataset's cells and nothing about the release, so its digest
      // says whether the content changed (the other formats also name the release they show).
      if (format.format() == v1::FORMAT_CSV) dataset.content_fingerprint = attachment->sha256();
      dataset.attachments.push_back(std::move(*attachment));
    }
    rendered.push_back(std::move(dataset));
  }
  // 4. One atomic write.
  return store_.RecordRelease(release_id, description, std::move(rendered));
}

}  // namespace omnia::catalogue

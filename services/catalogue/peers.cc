#include "services/catalogue/peers.h"

#include <utility>

#include "absl/time/clock.h"
#include "libs/api/coverage.h"
#include "libs/rpc/status_mapping.h"
#include "libs/server/tls.h"

namespace omnia::catalogue {

GrpcCubeReleases::GrpcCubeReleases(std::shared_ptr<grpc::ChannelInterface> aggregation,
                                   absl::Duration deadline, std::string token)
    : aggregation_(v1::AggregationService::NewStub(std::move(aggregation))),
      deadline_(deadline),
      token_(std::move(token)) {}

absl::StatusOr<CubeReleases::Frozen> GrpcCubeReleases::Freeze(const std::string& release_id,
                                                              const std::string& description) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  if (!token_.empty()) server::AttachToken(&context, token_);
  v1::FreezeRequest request;
  request.set_release_id(release_id);
  request.set_description(description);
  v1::FreezeResponse response;
  if (absl::Status s = rpc::FromGrpcStatus(aggregation_->Freeze(&context, request, &response));
      !s.ok()) {
    return s;
  }
  Frozen frozen;
  frozen.created = response.created();
  for (const v1::ProducerSequence& p : response.release().applied_sequences()) {
    frozen.applied[p.producer_id()] = p.last_applied_sequence();
  }
  return frozen;
}

absl::StatusOr<CubeReleases::AppliedSequences> GrpcCubeReleases::LiveSequences() {
  AppliedSequences applied;
  v1::GetCubeStatsRequest request;
  request.set_page_size(1000);
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
    v1::GetCubeStatsResponse response;
    if (absl::Status s =
            rpc::FromGrpcStatus(aggregation_->GetCubeStats(&context, request, &response));
        !s.ok()) {
      return s;
    }
    for (const v1::ProducerSequence& p : response.producers()) {
      applied[p.producer_id()] = p.last_applied_sequence();
    }
    if (response.next_page_token().empty()) return applied;
    request.set_page_token(response.next_page_token());
  }
}

absl::StatusOr<ReleaseCoverage> GrpcCubeReleases::Coverage(const std::string& release_id) {
  absl::StatusOr<api::Coverage> coverage =
      api::DiscoverCoverage(*aggregation_, release_id, deadline_);
  if (!coverage.ok()) return coverage.status();
  return ReleaseCoverage{std::move(coverage->years_with_data), coverage->latest_complete_year};
}

GrpcAttachmentRenderer::GrpcAttachmentRenderer(std::shared_ptr<grpc::ChannelInterface> exporter,
                                               absl::Duration deadline)
    : exporter_(v1::ExportService::NewStub(std::move(exporter))), deadline_(deadline) {}

absl::StatusOr<RenderedFile> GrpcAttachmentRenderer::Render(
    const std::string& dataset_id, v1::Format format, const std::string& release_id,
    const std::function<absl::Status(std::string_view)>& write) {
  v1::ExportRequest request;
  request.set_dataset_id(dataset_id);
  request.set_format(format);
  request.set_release_id(release_id);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  std::unique_ptr<grpc::ClientReader<v1::ExportResponse>> reader =
      exporter_->Export(&context, request);
  v1::ExportResponse message;
  RenderedFile file;
  absl::Status written;
  while (reader->Read(&message)) {
    if (message.has_header()) {
      file.file_name = message.header().file_name();
      file.media_type = message.header().media_type();
    }
    if (message.has_summary()) {
      file.size_bytes = message.summary().size_bytes();
      file.sha256 = message.summary().sha256();
      file.rows = message.summary().rows();
    }
    if (!message.data().empty() && written.ok()) written = write(message.data());
    // The rest of the stream is read and dropped once the call is cancelled.
    if (!written.ok()) context.TryCancel();
  }
  const grpc::Status status = reader->Finish();
  if (!written.ok()) return written;
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  return file;
}

}  // namespace omnia::catalogue

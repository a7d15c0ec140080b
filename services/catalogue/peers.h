// The catalogue's peers behind the publisher's interfaces: aggregation (Freeze and which years
// hold data) and the exporter (the rendered files), over gRPC with a deadline on every call.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "libs/catalogue/publisher.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "omnia/v1/export.grpc.pb.h"

namespace omnia::catalogue {

class GrpcCubeReleases final : public CubeReleases {
 public:
  // `token` (may be empty) is sent as a bearer token with Freeze, a write call.
  GrpcCubeReleases(std::shared_ptr<grpc::ChannelInterface> aggregation, absl::Duration deadline,
                   std::string token);

  absl::StatusOr<Frozen> Freeze(const std::string& release_id,
                                const std::string& description) override;
  absl::StatusOr<AppliedSequences> LiveSequences() override;
  absl::StatusOr<ReleaseCoverage> Coverage(const std::string& release_id) override;

 private:
  std::unique_ptr<v1::AggregationService::Stub> aggregation_;
  const absl::Duration deadline_;
  const std::string token_;
};

class GrpcAttachmentRenderer final : public AttachmentRenderer {
 public:
  GrpcAttachmentRenderer(std::shared_ptr<grpc::ChannelInterface> exporter, absl::Duration deadline);

  absl::StatusOr<RenderedFile> Render(
      const std::string& dataset_id, v1::Format format, const std::string& release_id,
      const std::function<absl::Status(std::string_view)>& write) override;

 private:
  std::unique_ptr<v1::ExportService::Stub> exporter_;
  const absl::Duration deadline_;
};

}  // namespace omnia::catalogue

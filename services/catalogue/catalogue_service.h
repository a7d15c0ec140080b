// The omnia.v1.CatalogueService handlers: proto -> catalogue library -> proto. Publish is the
// library's Publisher (libs/catalogue/publisher.h) over the gRPC peers of peers.h.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "libs/catalogue/artifact_store.h"
#include "libs/catalogue/catalogue_store.h"
#include "libs/catalogue/publisher.h"
#include "libs/domain/codelists.h"
#include "libs/server/executor.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "omnia/v1/catalogue.grpc.pb.h"
#include "omnia/v1/export.grpc.pb.h"
#include "services/catalogue/peers.h"

namespace omnia::catalogue {

// Largest request the catalogue accepts, in bytes. Its largest legitimate requests (a Publish
// with a 1000-character description, a ListDatasets with every filter) take a few KiB; a bound
// this small keeps an anonymous caller from making the server buffer megabytes per call.
inline constexpr int kMaxRequestBytes = 64 << 10;

struct CatalogueServiceOptions {
  absl::Duration call_deadline = absl::Minutes(2);
  // Bearer token for the write call this service makes (aggregation's Freeze); may be empty.
  std::string token;
  // Where the gateway serves the published files (NormalizePublicBaseUrl); empty leaves
  // DownloadHint.url empty.
  std::string public_base_url;
};

class CatalogueService final : public v1::CatalogueService::CallbackService {
 public:
  // Everything referenced must outlive the service. Published files are kept in `artifacts`.
  CatalogueService(CatalogueStore& store, ArtifactStore& artifacts,
                   const domain::Codelists& codelists,
                   std::shared_ptr<grpc::ChannelInterface> aggregation,
                   std::shared_ptr<grpc::ChannelInterface> exporter, server::Executor& executor,
                   CatalogueServiceOptions options);

  grpc::ServerUnaryReactor* ListDatasets(grpc::CallbackServerContext* context,
                                         const v1::ListDatasetsRequest* request,
                                         v1::ListDatasetsResponse* response) override;
  grpc::ServerUnaryReactor* GetDataset(grpc::CallbackServerContext* context,
                                       const v1::GetDatasetRequest* request,
                                       v1::GetDatasetResponse* response) override;
  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* context,
                                    const v1::PublishRequest* request,
                                    v1::PublishResponse* response) override;
  grpc::ServerUnaryReactor* ListReleases(grpc::CallbackServerContext* context,
                                         const v1::ListReleasesRequest* request,
                                         v1::ListReleasesResponse* response) override;
  grpc::ServerUnaryReactor* ListCodelists(grpc::CallbackServerContext* context,
                                          const v1::ListCodelistsRequest* request,
                                          v1::ListCodelistsResponse* response) override;
  grpc::ServerWriteReactor<v1::ReadAttachmentResponse>* ReadAttachment(
      grpc::CallbackServerContext* context, const v1::ReadAttachmentRequest* request) override;

  // The whole of Publish (Publisher::Publish), callable without gRPC plumbing (blocking).
  absl::StatusOr<PublishResult> RunPublish(const std::string& release_id,
                                           const std::string& description);

 private:
  CatalogueStore& store_;
  ArtifactStore& artifacts_;
  const domain::Codelists& codelists_;
  server::Executor& executor_;
  CatalogueServiceOptions options_;
  const v1::ListCodelistsResponse all_codelists_;
  GrpcCubeReleases cube_releases_;
  GrpcAttachmentRenderer renderer_;
  Publisher publisher_;
};

}  // namespace omnia::catalogue

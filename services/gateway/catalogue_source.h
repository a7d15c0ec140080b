// The snapshot cache's source over gRPC: the catalogue's public read RPCs (ListReleases,
// ListDatasets, ListCodelists; no token needed), every page, each call with a deadline.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "libs/gateway/snapshot_cache.h"
#include "omnia/v1/catalogue.grpc.pb.h"

namespace omnia::gateway {

class GrpcCatalogueSource final : public CatalogueSource {
 public:
  // `catalogue` must outlive the source.
  GrpcCatalogueSource(v1::CatalogueService::StubInterface& catalogue, absl::Duration deadline)
      : catalogue_(catalogue), deadline_(deadline) {}

  absl::StatusOr<std::string> LatestReleaseId() override;
  absl::StatusOr<CatalogueContents> Fetch(const std::string& release_id) override;

 private:
  absl::Status ListAllReleases(CatalogueContents& contents);
  absl::Status ListAllDatasets(const std::string& release_id, CatalogueContents& contents);
  absl::Status ListAllCodelists(CatalogueContents& contents);

  v1::CatalogueService::StubInterface& catalogue_;
  const absl::Duration deadline_;
};

}  // namespace omnia::gateway

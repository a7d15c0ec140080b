#include "services/gateway/catalogue_source.h"

#include <memory>

#include "absl/time/clock.h"
#include "libs/rpc/status_mapping.h"

namespace omnia::gateway {
namespace {

// Largest page the catalogue serves for datasets and releases.
constexpr int kPageSize = 100;

std::unique_ptr<grpc::ClientContext> Context(absl::Duration deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  return context;
}

}  // namespace

absl::StatusOr<std::string> GrpcCatalogueSource::LatestReleaseId() {
  v1::ListReleasesRequest request;
  request.set_page_size(1);
  v1::ListReleasesResponse response;
  const grpc::Status status = catalogue_.ListReleases(Context(deadline_).get(), request, &response);
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  // Newest first.
  return response.releases().empty() ? std::string() : response.releases(0).release_id();
}

absl::StatusOr<CatalogueContents> GrpcCatalogueSource::Fetch(const std::string& release_id) {
  CatalogueContents contents;
  if (absl::Status s = ListAllReleases(contents); !s.ok()) return s;
  if (absl::Status s = ListAllDatasets(release_id, contents); !s.ok()) return s;
  if (absl::Status s = ListAllCodelists(contents); !s.ok()) return s;
  return contents;
}

absl::Status GrpcCatalogueSource::ListAllReleases(CatalogueContents& contents) {
  v1::ListReleasesRequest request;
  request.set_page_size(kPageSize);
  do {
    v1::ListReleasesResponse page;
    const grpc::Status status = catalogue_.ListReleases(Context(deadline_).get(), request, &page);
    if (!status.ok()) return rpc::FromGrpcStatus(status);
    for (v1::Release& release : *page.mutable_releases()) {
      contents.releases.push_back(std::move(release));
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return absl::OkStatus();
}

absl::Status GrpcCatalogueSource::ListAllDatasets(const std::string& release_id,
                                                  CatalogueContents& contents) {
  v1::ListDatasetsRequest request;
  // Named explicitly, so every page is of the same release even if another one is published
  // meanwhile.
  request.set_release_id(release_id);
  request.set_page_size(kPageSize);
  do {
    v1::ListDatasetsResponse page;
    const grpc::Status status = catalogue_.ListDatasets(Context(deadline_).get(), request, &page);
    if (!status.ok()) return rpc::FromGrpcStatus(status);
    for (v1::Dataset& dataset : *page.mutable_datasets()) {
      contents.datasets.push_back(std::move(dataset));
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return absl::OkStatus();
}

absl::Status GrpcCatalogueSource::ListAllCodelists(CatalogueContents& contents) {
  v1::ListCodelistsRequest request;
  do {
    v1::ListCodelistsResponse page;
    const grpc::Status status = catalogue_.ListCodelists(Context(deadline_).get(), request, &page);
    if (!status.ok()) return rpc::FromGrpcStatus(status);
    request.set_page_token(page.next_page_token());
    // A list split across pages continues on the next one: appending keeps each list whole.
    contents.codelists.MergeFrom(page);
  } while (!request.page_token().empty());
  contents.codelists.clear_next_page_token();
  return absl::OkStatus();
}

}  // namespace omnia::gateway

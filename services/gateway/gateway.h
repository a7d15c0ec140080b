// The gateway's own routes: published files (by release and at the latest release), a release's
// SHA256SUMS, and liveness and readiness. Every byte comes from the catalogue over gRPC, each
// call with a deadline; nothing is read from a local disk and only names the catalogue knows
// are served. Other HTTP APIs add their routes to the same router with the same stubs.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "libs/gateway/concurrency_limit.h"
#include "libs/http/file_response.h"
#include "libs/http/router.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "omnia/v1/catalogue.grpc.pb.h"
#include "omnia/v1/export.grpc.pb.h"

namespace omnia::gateway {

struct GatewayOptions {
  // Deadline of each unary call (metadata, listings, health checks).
  absl::Duration call_deadline = absl::Seconds(10);
  // Deadline of each readiness health check (probes time out after a few seconds).
  absl::Duration health_deadline = absl::Seconds(2);
  // Deadline of one file transfer from the catalogue: long enough for a large file to a slow
  // client, bounded so a stuck transfer ends.
  absl::Duration transfer_deadline = absl::Minutes(30);
  // The bearer token of the gateway role (CatalogueService/ReadAttachment); may be empty when
  // the catalogue runs without authentication.
  std::string token;
  // Ad-hoc queries (GET /api/v1/query) streaming at once; more get 503 with Retry-After. Each
  // holds an exporter rendering thread while its client reads, so replicas x this must leave
  // the exporter threads for publications.
  int max_concurrent_queries = 2;
};

class Gateway {
 public:
  Gateway(std::shared_ptr<grpc::Channel> catalogue, std::shared_ptr<grpc::Channel> exporter,
          std::shared_ptr<grpc::Channel> aggregation, GatewayOptions options);

  // Registers GET|HEAD /releases/{release_id}/{dataset_id}/{file_name},
  // GET|HEAD /dataset/{dataset_id}/{file_name}, GET /releases/{release_id}/SHA256SUMS,
  // GET /api/v1/query, GET /healthz and GET /readyz.
  void AddRoutes(http::Router& router);

  v1::CatalogueService::Stub& catalogue() { return *catalogue_; }
  v1::ExportService::Stub& exporter() { return *exporter_; }
  v1::AggregationService::Stub& aggregation() { return *aggregation_; }
  // From now on /readyz answers 503 "draining": the process is about to stop.
  void StartDraining() { draining_.store(true); }
  const GatewayOptions& options() const { return options_; }

 private:
  // An attachment of a release (empty release_id: the latest), with `cache_control`.
  http::Response ServeFile(const http::Request& request, const std::string& release_id,
                           const std::string& dataset_id, const std::string& file_name,
                           const char* cache_control);
  http::Response Checksums(const std::string& release_id);
  http::Response Ready();
  // GET /api/v1/query: an ad-hoc slice streamed from ExportService.Export (query_params.h).
  http::Response Query(const http::Request& request);
  // Streams [offset, offset + length) of a file from the catalogue into `sink`.
  absl::Status ReadRange(const v1::ReadAttachmentRequest& file, uint64_t offset, uint64_t length,
                         const http::BodySink& sink);
  std::unique_ptr<grpc::ClientContext> CallContext(absl::Duration deadline) const;

  std::shared_ptr<grpc::Channel> catalogue_channel_;
  std::shared_ptr<grpc::Channel> exporter_channel_;
  std::shared_ptr<grpc::Channel> aggregation_channel_;
  std::unique_ptr<v1::CatalogueService::Stub> catalogue_;
  std::unique_ptr<v1::ExportService::Stub> exporter_;
  std::unique_ptr<v1::AggregationService::Stub> aggregation_;
  const GatewayOptions options_;
  ConcurrencyLimit queries_;
  std::atomic<bool> draining_{false};
};

// The plain-text HTTP answer of the file and checksum routes to a failed gRPC call: 404 for names
// the catalogue does not know (NOT_FOUND, INVALID_ARGUMENT), 503 with Retry-After when a service is
// unreachable or slow, 502 otherwise. The text names no input.
http::Response FileRouteErrorResponse(const grpc::Status& status);

}  // namespace omnia::gateway

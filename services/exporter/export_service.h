// The omnia.v1.ExportService handler: resolves a dataset or ad-hoc query into cube cells through
// aggregation, renders them with the export writers and streams the file, with its size and
// sha256 at the end. Stateless: the same release and options always give the same bytes.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/api/coverage.h"
#include "libs/catalogue/config.h"
#include "libs/domain/codelists.h"
#include "libs/server/executor.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "omnia/v1/export.grpc.pb.h"

namespace omnia::exporter {

struct ExportServiceOptions {
  absl::Duration aggregation_deadline = absl::Seconds(30);
  // Where the spreadsheet writer keeps its temporary file.
  std::string temp_dir;
  // Data messages queued ahead of the network per call: bounds memory whatever the file size.
  size_t max_queued_chunks = 8;
};

class ExportService final : public v1::ExportService::CallbackService {
 public:
  // Everything referenced must outlive the service.
  ExportService(const domain::Codelists& codelists, const catalogue::CatalogueConfig& config,
                std::shared_ptr<grpc::ChannelInterface> aggregation, server::Executor& executor,
                ExportServiceOptions options);

  grpc::ServerWriteReactor<v1::ExportResponse>* Export(grpc::CallbackServerContext* context,
                                                       const v1::ExportRequest* request) override;

  // Bytes of files streamed so far, per format (for metrics).
  uint64_t bytes_exported(v1::Format format) const;

  // The years with data at `release_id`. A release never changes, so its answer is kept: a
  // publication renders every attachment of every dataset from one release.
  absl::StatusOr<api::Coverage> CoverageAt(const std::string& release_id);

 private:
  friend class ExportReactor;
  const domain::Codelists& codelists_;
  const catalogue::CatalogueConfig& config_;
  std::unique_ptr<v1::AggregationService::Stub> aggregation_;
  server::Executor& executor_;
  ExportServiceOptions options_;
  std::atomic<uint64_t> bytes_[6] = {};
  absl::Mutex coverage_mu_;
  std::map<std::string, api::Coverage> release_coverage_ ABSL_GUARDED_BY(coverage_mu_);
};

}  // namespace omnia::exporter

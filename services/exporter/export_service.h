// The omnia.v1.ExportService handler: runs the export job (libs/export_job/export_job.h) over
// aggregation (peers.h) and streams its messages with bounded memory, cutting off clients that
// stop reading. Stateless: the same release and options always give the same bytes.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "libs/api/coverage.h"
#include "libs/catalogue/config.h"
#include "libs/domain/codelists.h"
#include "libs/export_job/export_job.h"
#include "libs/server/executor.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "omnia/v1/export.grpc.pb.h"
#include "services/exporter/peers.h"

namespace omnia::exporter {

// Largest request the exporter accepts, in bytes. Its largest legitimate request, a query
// naming every region and type, takes a few KiB; a bound this small keeps an anonymous caller
// from making the server buffer megabytes per call.
inline constexpr int kMaxRequestBytes = 64 << 10;

struct ExportServiceOptions {
  absl::Duration aggregation_deadline = absl::Seconds(30);
  // Where the spreadsheet writer keeps its temporary file.
  std::string temp_dir;
  // Data messages queued ahead of the network per call: bounds memory whatever the file size.
  size_t max_queued_chunks = 8;
  // How long rendering waits for a client that reads nothing while the queue is full. After
  // that the call is cancelled, so a client that stops reading holds neither a rendering thread
  // nor its queued chunks for longer.
  absl::Duration stalled_client_timeout = absl::Seconds(30);
  // Bound of the per-release cache of which years hold data, in bytes.
  size_t release_cache_bytes = 1 << 20;
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
  // Export calls not yet done.
  int64_t active_exports() const { return active_exports_.load(); }
  // Export calls cancelled because the client stopped reading.
  uint64_t stalled_exports() const { return stalled_exports_.load(); }
  // Bytes held by the release cache.
  size_t release_cache_bytes();

 private:
  friend class ExportReactor;
  server::Executor& executor_;
  ExportServiceOptions options_;
  std::atomic<uint64_t> bytes_[6] = {};
  std::atomic<int64_t> active_exports_ = 0;
  std::atomic<uint64_t> stalled_exports_ = 0;
  GrpcCellSource cells_;
  const ExportJob job_;
};

}  // namespace omnia::exporter

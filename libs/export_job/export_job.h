// One Export, without a network: resolves the subject (a catalogue dataset at a release, or an
// ad-hoc query) into cube cells through a CellSource, renders them with the writer of the
// requested format and hands the header, the file's bytes and the summary (size, sha256, rows,
// coverage) to an ExportStream in that order. Deterministic: the same request and cells give the
// same bytes. The service implements the source over gRPC and the stream as its reply.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/api/coverage.h"
#include "libs/catalogue/config.h"
#include "libs/domain/codelists.h"
#include "libs/export/writers.h"
#include "omnia/v1/aggregation.pb.h"
#include "omnia/v1/export.pb.h"

namespace omnia::exporter {

// Where an export's cells come from (aggregation).
class CellSource {
 public:
  virtual ~CellSource() = default;
  // The years with data at `release_id` (the live cubes when empty): which datasets exist.
  virtual absl::StatusOr<api::Coverage> CoverageAt(const std::string& release_id) = 0;
  // Every cell of `query` at `release_id`.
  virtual absl::StatusOr<std::vector<v1::Cell>> Cells(const v1::CellQuery& query,
                                                      const std::string& release_id) = 0;
};

// Receives one export in order: Header, the file's bytes through Write, then Summary. An error
// from any of them stops the export and is returned by ExportJob::Run.
class ExportStream : public ChunkSink {
 public:
  virtual absl::Status Header(const v1::ExportHeader& header) = 0;
  virtual absl::Status Summary(const v1::ExportSummary& summary) = 0;
};

class ExportJob {
 public:
  // Everything referenced must outlive the job. `temp_dir` is the spreadsheet writer's scratch
  // space (empty: the system's).
  ExportJob(const domain::Codelists& codelists, const catalogue::CatalogueConfig& config,
            CellSource& cells, std::string temp_dir)
      : codelists_(codelists), config_(config), cells_(cells), temp_dir_(std::move(temp_dir)) {}

  // Renders the file `request` asks for into `out`. Before the header: INVALID_ARGUMENT for an
  // unknown format, a request with neither dataset_id nor query, or an unknown measure;
  // NOT_FOUND for a dataset that does not exist at the release; or the source's error.
  absl::Status Run(const v1::ExportRequest& request, ExportStream& out) const;

 private:
  const domain::Codelists& codelists_;
  const catalogue::CatalogueConfig& config_;
  CellSource& cells_;
  const std::string temp_dir_;
};

// The writer format of `format` (CSV when unspecified); INVALID_ARGUMENT for an unknown one.
absl::StatusOr<Format> WriterFormat(v1::Format format);

}  // namespace omnia::exporter

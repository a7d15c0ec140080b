#include "services/exporter/export_service.h"

#include <grpc/grpc.h>

#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/api/coverage.h"
#include "libs/api/cube_convert.h"
#include "libs/base/sha256.h"
#include "libs/catalogue/datasets.h"
#include "libs/export/writers.h"
#include "libs/rpc/status_mapping.h"

namespace omnia::exporter {
namespace {

absl::StatusOr<Format> WriterFormat(v1::Format format) {
  switch (format) {
    case v1::FORMAT_UNSPECIFIED:
    case v1::FORMAT_CSV:
      return Format::kCsv;
    case v1::FORMAT_JSON:
      return Format::kJson;
    case v1::FORMAT_JSON_STAT:
      return Format::kJsonStat;
    case v1::FORMAT_XML:
      return Format::kXml;
    case v1::FORMAT_XLSX:
      return Format::kXlsx;
    default:
      return absl::InvalidArgumentError("format: unknown format");
  }
}

CsvOptions CsvOptionsFromProto(const v1::CsvOptions& o) {
  CsvOptions out;
  out.calendar_order = o.order() == v1::CSV_ORDER_CALENDAR;
  out.excel_it = o.dialect() == v1::CSV_DIALECT_EXCEL_IT;
  out.label_columns = o.label_columns();
  out.istat_column = o.istat_column();
  out.nuts_column = o.nuts_column();
  return out;
}

}  // namespace

// One Export call. Rendering runs on the executor and hands chunks to the network through a
// small queue: when the client reads slowly the renderer waits, so memory stays bounded by the
// queue whatever the file's size.
class ExportReactor final : public grpc::ServerWriteReactor<v1::ExportResponse>, public ChunkSink {
 public:
  ExportReactor(ExportService& service, grpc::CallbackServerContext* context,
                const v1::ExportRequest& request)
      : service_(service), context_(context), request_(request) {
    ++service_.active_exports_;
    service_.executor_.Submit([this] { Render(); });
  }
  ~ExportReactor() override { --service_.active_exports_; }

  absl::Status Write(std::string_view bytes) override {
    sha_.Update(bytes);
    size_ += bytes.size();
    v1::ExportResponse message;
    message.set_data(std::string(bytes));
    return Enqueue(std::move(message));
  }

  // gRPC may run a reaction inline from StartWrite or Finish, so both are always called with
  // mu_ released.
  void OnWriteDone(bool ok) override {
    const v1::ExportResponse* next = nullptr;
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      queue_.pop_front();
      if (!ok) cancelled_ = true;
      if (!queue_.empty() && !cancelled_) {
        next = &queue_.front();
      } else {
        writing_ = false;
        finish = TakeFinishLocked();
      }
    }
    if (next != nullptr) StartWrite(next);
    if (finish.has_value()) Finish(*finish);
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
  }

  void OnDone() override {
    bool delete_now;
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      delete_now = rendered_;
    }
    if (delete_now) delete this;
  }

 private:
  absl::Status Enqueue(v1::ExportResponse message) {
    absl::MutexLock lock(&mu_);
    const bool room = mu_.AwaitWithTimeout(
        absl::Condition(
            +[](ExportReactor* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
              return r->cancelled_ || r->queue_.size() < r->service_.options_.max_queued_chunks;
            },
            this),
        service_.options_.stalled_client_timeout);
    if (cancelled_) return absl::CancelledError("the client went away");
    if (!room) {
      // A pending write completes only when the client reads or the call ends: end it, so the
      // write fails and the call finishes instead of holding this thread and the queue. A
      // status sent with Finish would wait behind the unread data; a cancellation goes out at
      // once, and carries this status to the client.
      cancelled_ = true;
      ++service_.stalled_exports_;
      const std::string reason =
          absl::StrCat("the client read nothing for ",
                       absl::FormatDuration(service_.options_.stalled_client_timeout),
                       "; the export was cancelled");
      mu_.Unlock();
      grpc_call_cancel_with_status(context_->c_call(), GRPC_STATUS_RESOURCE_EXHAUSTED,
                                   reason.c_str(), nullptr);
      mu_.Lock();
      return absl::ResourceExhaustedError(reason);
    }
    queue_.push_back(std::move(message));
    const v1::ExportResponse* first = nullptr;
    if (!writing_) {
      writing_ = true;
      first = &queue_.front();  // deque elements stay put while others are added or removed
    }
    mu_.Unlock();
    if (first != nullptr) StartWrite(first);
    mu_.Lock();
    return absl::OkStatus();
  }

  // The status to finish with, once: when rendering has ended and every message is written.
  std::optional<grpc::Status> TakeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!finish_pending_ || writing_ || finished_) return std::nullopt;
    finished_ = true;
    return cancelled_ && final_status_.ok() ? grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")
                                            : rpc::ToGrpcStatus(final_status_);
  }

  void Render() {
    absl::Status status = RenderFile();
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      final_status_ = status;
      finish_pending_ = true;
      finish = TakeFinishLocked();
    }
    // Finish may run OnDone inline; the reactor is deleted by whichever of Render and OnDone
    // comes last.
    if (finish.has_value()) Finish(*finish);
    bool delete_now;
    {
      absl::MutexLock lock(&mu_);
      rendered_ = true;
      delete_now = done_;
    }
    if (delete_now) delete this;
  }

  absl::Status RenderFile() {
    absl::StatusOr<Format> format = WriterFormat(request_.format());
    if (!format.ok()) return format.status();
    ExportInput input;
    input.codelists = &service_.codelists_;
    std::string file_stem;
    v1::CellQuery query;
    if (request_.has_query()) {
      query = request_.query();
      file_stem = "omnia-query";
      input.info.release_id = request_.release_id();
      if (query.measures_size() > 0) {
        absl::StatusOr<domain::Measure> m = domain::ParseMeasure(query.measures(0));
        if (m.ok()) input.info.measure = *m;
      }
    } else if (!request_.dataset_id().empty()) {
      absl::StatusOr<api::Coverage> coverage = service_.CoverageAt(request_.release_id());
      if (!coverage.ok()) return coverage.status();
      absl::StatusOr<catalogue::DatasetSpec> spec =
          catalogue::SpecFromId(service_.config_, request_.dataset_id(), coverage->years_with_data,
                                coverage->latest_complete_year);
      if (!spec.ok()) return spec.status();
      const v1::Dataset meta = catalogue::DatasetMetadata(service_.config_, *spec);
      input.info.dataset_id = spec->dataset_id;
      input.info.title = spec->title;
      input.info.description = spec->description;
      input.info.owner = meta.owner();
      input.info.license_name = meta.license().name();
      input.info.license_url = meta.license().url();
      input.info.topic = meta.topic();
      input.info.source = meta.source();
      input.info.release_id = request_.release_id();
      input.info.measure = spec->measure;
      input.info.first_year = spec->first_year;
      input.info.last_year = spec->last_year;
      input.measures = {spec->measure};
      query.add_measures(std::string(domain::MeasureCode(spec->measure)));
      query.mutable_period_range()->mutable_first()->set_year(spec->first_year);
      query.mutable_period_range()->mutable_first()->set_month(1);
      query.mutable_period_range()->mutable_last()->set_year(spec->last_year);
      query.mutable_period_range()->mutable_last()->set_month(12);
      file_stem = spec->dataset_id;
    } else {
      return absl::InvalidArgumentError("subject: give a dataset_id or a query");
    }

    absl::StatusOr<std::vector<v1::Cell>> cells =
        api::QueryAllPages(*service_.aggregation_, query, request_.release_id(),
                           service_.options_.aggregation_deadline);
    if (!cells.ok()) return cells.status();
    input.cells.reserve(cells->size());
    for (const v1::Cell& cell : *cells) {
      absl::StatusOr<cube::QueryCell> converted = api::CellFromProto(cell, service_.codelists_);
      if (!converted.ok()) return converted.status();
      input.cells.push_back(*converted);
    }
    if (request_.has_query()) {
      for (const std::string& code : query.measures()) {
        absl::StatusOr<domain::Measure> m = domain::ParseMeasure(code);
        if (!m.ok()) return absl::InvalidArgumentError(std::string(m.status().message()));
        input.measures.push_back(*m);
      }
    }

    v1::ExportResponse header;
    header.mutable_header()->set_file_name(
        absl::StrCat(file_stem, std::string(FileExtension(*format))));
    header.mutable_header()->set_media_type(std::string(MediaType(*format)));
    header.mutable_header()->set_format(
        request_.format() == v1::FORMAT_UNSPECIFIED ? v1::FORMAT_CSV : request_.format());
    header.mutable_header()->set_dataset_id(request_.dataset_id());
    header.mutable_header()->set_release_id(request_.release_id());
    if (absl::Status s = Enqueue(std::move(header)); !s.ok()) return s;

    absl::StatusOr<WriteStats> stats;
    switch (*format) {
      case Format::kCsv:
        stats = WriteCsv(input, CsvOptionsFromProto(request_.csv_options()), *this);
        break;
      case Format::kJson:
        stats = WriteJson(input, *this);
        break;
      case Format::kJsonStat:
        stats = WriteJsonStat(input, *this);
        break;
      case Format::kXml:
        stats = WriteXml(input, *this);
        break;
      case Format::kXlsx:
        stats = WriteXlsx(input, XlsxOptions{service_.options_.temp_dir}, *this);
        break;
    }
    if (!stats.ok()) return stats.status();
    service_.bytes_[static_cast<int>(header_format())] += size_;
    v1::ExportResponse summary;
    summary.mutable_summary()->set_size_bytes(size_);
    summary.mutable_summary()->set_sha256(sha_.HexDigest());
    summary.mutable_summary()->set_rows(stats->rows);
    if (input.info.first_year > 0) {
      auto* coverage = summary.mutable_summary()->mutable_coverage();
      coverage->mutable_first()->set_year(input.info.first_year);
      coverage->mutable_first()->set_month(1);
      coverage->mutable_last()->set_year(input.info.last_year);
      coverage->mutable_last()->set_month(12);
    }
    return Enqueue(std::move(summary));
  }

  v1::Format header_format() const {
    return request_.format() == v1::FORMAT_UNSPECIFIED ? v1::FORMAT_CSV : request_.format();
  }

  ExportService& service_;
  grpc::CallbackServerContext* const context_;
  const v1::ExportRequest request_;
  Sha256 sha_;
  uint64_t size_ = 0;

  absl::Mutex mu_;
  std::deque<v1::ExportResponse> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finish_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool rendered_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status final_status_ ABSL_GUARDED_BY(mu_);
};

ExportService::ExportService(const domain::Codelists& codelists,
                             const catalogue::CatalogueConfig& config,
                             std::shared_ptr<grpc::ChannelInterface> aggregation,
                             server::Executor& executor, ExportServiceOptions options)
    : codelists_(codelists),
      config_(config),
      aggregation_(v1::AggregationService::NewStub(std::move(aggregation))),
      executor_(executor),
      options_(std::move(options)),
      release_coverage_(options_.release_cache_bytes, [](const std::string& release_id,
                                                         const api::Coverage& coverage) {
        // The key twice (map and list) and the list and map nodes.
        return 2 * release_id.size() + coverage.years_with_data.size() * sizeof(int) +
               sizeof(api::Coverage) + 128;
      }) {}

grpc::ServerWriteReactor<v1::ExportResponse>* ExportService::Export(
    grpc::CallbackServerContext* context, const v1::ExportRequest* request) {
  return new ExportReactor(*this, context, *request);
}

absl::StatusOr<api::Coverage> ExportService::CoverageAt(const std::string& release_id) {
  if (!release_id.empty()) {
    absl::MutexLock lock(&coverage_mu_);
    if (const api::Coverage* cached = release_coverage_.Find(release_id)) return *cached;
  }
  absl::StatusOr<api::Coverage> coverage =
      api::DiscoverCoverage(*aggregation_, release_id, options_.aggregation_deadline);
  if (coverage.ok() && !release_id.empty()) {
    absl::MutexLock lock(&coverage_mu_);
    release_coverage_.Put(release_id, *coverage);
  }
  return coverage;
}

size_t ExportService::release_cache_bytes() {
  absl::MutexLock lock(&coverage_mu_);
  return release_coverage_.bytes();
}

uint64_t ExportService::bytes_exported(v1::Format format) const {
  const int index = static_cast<int>(format);
  return index >= 0 && index < 6 ? bytes_[index].load() : 0;
}

}  // namespace omnia::exporter

#include "libs/export_job/export_job.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/api/cube_convert.h"
#include "libs/base/sha256.h"
#include "libs/catalogue/datasets.h"

namespace omnia::exporter {
namespace {

CsvOptions CsvOptionsFromProto(const v1::CsvOptions& o) {
  CsvOptions out;
  out.calendar_order = o.order() == v1::CSV_ORDER_CALENDAR;
  out.excel_it = o.dialect() == v1::CSV_DIALECT_EXCEL_IT;
  out.label_columns = o.label_columns();
  out.istat_column = o.istat_column();
  out.nuts_column = o.nuts_column();
  return out;
}

// What to render: the writer's input without its cells, the query that finds them and the
// file's name without extension.
struct Subject {
  ExportInput input;
  v1::CellQuery query;
  std::string file_stem;
};

// A catalogue dataset: its metadata, and a query of its measure over its years.
absl::StatusOr<Subject> DatasetSubject(const catalogue::CatalogueConfig& config,
                                       const v1::ExportRequest& request, CellSource& cells) {
  absl::StatusOr<api::Coverage> coverage = cells.CoverageAt(request.release_id());
  if (!coverage.ok()) return coverage.status();
  absl::StatusOr<catalogue::DatasetSpec> spec = catalogue::SpecFromId(
      config, request.dataset_id(), coverage->years_with_data, coverage->latest_complete_year);
  if (!spec.ok()) return spec.status();
  const v1::Dataset meta = catalogue::DatasetMetadata(config, *spec);
  Subject subject;
  DatasetInfo& info = subject.input.info;
  info.dataset_id = spec->dataset_id;
  info.title = spec->title;
  info.description = spec->description;
  info.owner = meta.owner();
  info.license_name = meta.license().name();
  info.license_url = meta.license().url();
  info.topic = meta.topic();
  info.source = meta.source();
  info.release_id = request.release_id();
  info.measure = spec->measure;
  info.first_year = spec->first_year;
  info.last_year = spec->last_year;
  subject.input.measures = {spec->measure};
  v1::CellQuery& query = subject.query;
  query.add_measures(std::string(domain::MeasureCode(spec->measure)));
  query.mutable_period_range()->mutable_first()->set_year(spec->first_year);
  query.mutable_period_range()->mutable_first()->set_month(1);
  query.mutable_period_range()->mutable_last()->set_year(spec->last_year);
  query.mutable_period_range()->mutable_last()->set_month(12);
  subject.file_stem = spec->dataset_id;
  return subject;
}

// An ad-hoc query: its measures in column order, the first one as the file's measure.
absl::StatusOr<Subject> QuerySubject(const v1::ExportRequest& request) {
  Subject subject;
  subject.query = request.query();
  subject.file_stem = "omnia-query";
  subject.input.info.release_id = request.release_id();
  for (int i = 0; i < subject.query.measures_size(); ++i) {
    absl::StatusOr<domain::Measure> measure = domain::ParseMeasure(subject.query.measures(i));
    if (!measure.ok()) {
      // common.proto: an unknown code fails naming the field, the code and the valid choices.
      return absl::InvalidArgumentError(
          absl::StrCat("query.measures[", i, "]: ", measure.status().message()));
    }
    subject.input.measures.push_back(*measure);
  }
  if (!subject.input.measures.empty()) subject.input.info.measure = subject.input.measures[0];
  // The file says which part of the cubes it holds.
  QueryFilters& filters = subject.input.info.query.emplace();
  if (subject.query.has_period_range()) {
    const v1::PeriodRange& range = subject.query.period_range();
    filters.first_month = domain::YearMonth{range.first().year(), range.first().month()};
    filters.last_month = domain::YearMonth{range.last().year(), range.last().month()};
  }
  filters.regions.assign(subject.query.regions().begin(), subject.query.regions().end());
  filters.intervention_types.assign(subject.query.intervention_types().begin(),
                                    subject.query.intervention_types().end());
  filters.dense = subject.query.dense();
  return subject;
}

// The first and last month the cells cover (export.proto: ExportSummary.coverage), a quarter or
// a year cut by the query's period range counting only its months inside the range; nullopt
// without cells.
std::optional<std::pair<domain::YearMonth, domain::YearMonth>> CoveredMonths(
    const std::vector<cube::QueryCell>& cells, const v1::CellQuery& query) {
  if (cells.empty()) return std::nullopt;
  domain::YearMonth first = domain::FirstMonthOf(cells[0].key.period);
  domain::YearMonth last = domain::LastMonthOf(cells[0].key.period);
  for (const cube::QueryCell& cell : cells) {
    first = std::min(first, domain::FirstMonthOf(cell.key.period));
    last = std::max(last, domain::LastMonthOf(cell.key.period));
  }
  if (query.has_period_range()) {
    const v1::PeriodRange& range = query.period_range();
    first = std::max(first, domain::YearMonth{range.first().year(), range.first().month()});
    last = std::min(last, domain::YearMonth{range.last().year(), range.last().month()});
  }
  return std::make_pair(first, last);
}

// Passes the file on to the stream and keeps its size and digest for the summary.
class DigestingSink final : public ChunkSink {
 public:
  explicit DigestingSink(ChunkSink& out) : out_(out) {}
  absl::Status Write(std::string_view bytes) override {
    sha_.Update(bytes);
    size_ += bytes.size();
    return out_.Write(bytes);
  }
  uint64_t size() const { return size_; }
  std::string HexDigest() { return sha_.HexDigest(); }

 private:
  ChunkSink& out_;
  Sha256 sha_;
  uint64_t size_ = 0;
};

}  // namespace

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

absl::Status ExportJob::Run(const v1::ExportRequest& request, ExportStream& out) const {
  absl::StatusOr<Format> format = WriterFormat(request.format());
  if (!format.ok()) return format.status();
  absl::StatusOr<Subject> subject;
  if (request.has_query()) {
    subject = QuerySubject(request);
  } else if (!request.dataset_id().empty()) {
    subject = DatasetSubject(config_, request, cells_);
  } else {
    return absl::InvalidArgumentError("subject: give a dataset_id or a query");
  }
  if (!subject.ok()) return subject.status();
  ExportInput& input = subject->input;
  input.codelists = &codelists_;
  // The file's columns follow the levels asked for, also when no cell comes back (export.proto:
  // Mese at MONTH, Trimestre at QUARTER, neither at YEAR).
  absl::StatusOr<api::QueryLevels> levels = api::QueryLevelsFromProto(subject->query);
  if (!levels.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("query.", levels.status().message()));
  }
  input.levels = Levels{levels->period, levels->region, levels->type};
  absl::StatusOr<std::vector<v1::Cell>> cells = cells_.Cells(subject->query, request.release_id());
  if (!cells.ok()) return cells.status();
  input.cells.reserve(cells->size());
  for (const v1::Cell& cell : *cells) {
    absl::StatusOr<cube::QueryCell> converted = api::CellFromProto(cell, codelists_);
    if (!converted.ok()) return converted.status();
    input.cells.push_back(*converted);
  }

  v1::ExportHeader header;
  header.set_file_name(absl::StrCat(subject->file_stem, std::string(FileExtension(*format))));
  header.set_media_type(std::string(MediaType(*format)));
  header.set_format(request.format() == v1::FORMAT_UNSPECIFIED ? v1::FORMAT_CSV : request.format());
  header.set_dataset_id(request.dataset_id());
  header.set_release_id(request.release_id());
  if (absl::Status s = out.Header(header); !s.ok()) return s;

  DigestingSink file(out);
  WriteOptions options;
  options.csv = CsvOptionsFromProto(request.csv_options());
  options.xlsx.temp_dir = temp_dir_;
  absl::StatusOr<WriteStats> stats = WriteFile(*format, input, options, file);
  if (!stats.ok()) return stats.status();
  v1::ExportSummary summary;
  summary.set_size_bytes(file.size());
  summary.set_sha256(file.HexDigest());
  summary.set_rows(stats->rows);
  if (std::optional<std::pair<domain::YearMonth, domain::YearMonth>> covered =
          CoveredMonths(input.cells, subject->query);
      covered.has_value() && stats->rows > 0) {
    v1::PeriodRange* coverage = summary.mutable_coverage();
    coverage->mutable_first()->set_year(covered->first.year);
    coverage->mutable_first()->set_month(covered->first.month);
    coverage->mutable_last()->set_year(covered->second.year);
    coverage->mutable_last()->set_month(covered->second.month);
  }
  return out.Summary(summary);
}

}  // namespace omnia::exporter

#include "libs/ingest/file_import.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/domain/period.h"
#include "libs/ingest/batch_validation.h"

namespace omnia::ingest {

absl::Status CheckExpectedSha256(const std::string& expected, const std::string& received) {
  if (!expected.empty() && absl::AsciiStrToLower(expected) != received) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected_sha256: the received bytes have sha256 ", received));
  }
  return absl::OkStatus();
}

namespace {

// Cells of the published years up to `year`: no valid file holds more rows.
uint64_t CellsThrough(const domain::Codelists& codelists, int year) {
  return static_cast<uint64_t>(year - domain::kMinYear + 1) * 12 * codelists.regions().size() *
         codelists.intervention_types().size();
}

}  // namespace

PublishedReportImport::PublishedReportImport(const domain::Codelists& codelists, EventLog& log,
                                             const Clock& clock)
    : log_(log),
      parser_(codelists, domain::ItalianDate(clock.Now()).year),
      max_cells_(CellsThrough(codelists, domain::ItalianDate(clock.Now()).year)) {}

absl::Status PublishedReportImport::Feed(std::string_view chunk) {
  if (absl::Status s = parser_.Feed(chunk, &rows_); !s.ok()) return s;
  if (rows_.size() > max_cells_) {
    return absl::InvalidArgumentError(
        absl::StrCat("the file has more rows than the ", max_cells_,
                     " cells of the published years up to today: a cell is repeated"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PublishedReportImported> PublishedReportImport::Commit(
    const std::string& received_sha256, const PublishedReportExpectations& expected,
    const ReadyToCommit& ready) {
  if (absl::Status s = parser_.Finish(&rows_); !s.ok()) return s;
  if (rows_.empty()) return absl::InvalidArgumentError("the file has no data row");
  if (absl::Status s = CheckExpectedSha256(expected.sha256, received_sha256); !s.ok()) return s;
  const domain::Measure measure = *parser_.measure();
  if (!expected.measure.empty() &&
      absl::AsciiStrToUpper(expected.measure) != domain::MeasureCode(measure)) {
    return absl::InvalidArgumentError(absl::StrCat("expected_measure: the file holds ",
                                                   std::string(domain::MeasureCode(measure))));
  }
  std::set<int> years;
  std::vector<facts::PublishedCell> cells;
  cells.reserve(rows_.size());
  for (const domain::PublishedRow& row : rows_) {
    years.insert(row.year);
    cells.push_back({{row.year, row.month}, row.region_index, row.type_index, row.value});
  }
  PublishedReportImported imported{.measure = measure,
                                   .years = std::vector<int>(years.begin(), years.end()),
                                   .rows = rows_.size(),
                                   .log = {}};
  absl::StatusOr<PublishedAppendResult> logged =
      log_.AppendPublishedReport(measure, imported.years, std::move(cells), received_sha256, ready);
  if (!logged.ok()) return logged.status();
  imported.log = *logged;
  return imported;
}

// Pseudonymises each event the moment the parser hands it over (so clear worker ids live only in
// the parser's reused buffer) and stages it in the log.
class RawEventsImport::StagingSink final : public domain::RawEventSink {
 public:
  StagingSink(const domain::Codelists& codelists, const Pseudonymizer& pseudonymizer, EventLog& log)
      : codelists_(codelists),
        pseudonymizer_(pseudonymizer.StartSession()),
        stage_(log.StartFileStage()) {}

  absl::Status OnApplication(const domain::ApplicationAuthorized& event, int64_t line) override {
    return stage_->Add(ToLogged(event, codelists_, pseudonymizer_), line);
  }
  absl::Status OnPayment(const domain::PaymentIssued& event, int64_t line) override {
    return stage_->Add(ToLogged(event, codelists_, pseudonymizer_), line);
  }
  EventLog::FileStage& stage() { return *stage_; }

 private:
  const domain::Codelists& codelists_;
  Pseudonymizer::Session pseudonymizer_;
  // Destroying it without a commit deletes what it staged.
  std::unique_ptr<EventLog::FileStage> stage_;
};

RawEventsImport::RawEventsImport(const domain::Codelists& codelists,
                                 const Pseudonymizer& pseudonymizer, EventLog& log,
                                 const Clock& clock)
    : log_(log),
      parser_(codelists, domain::ItalianDate(clock.Now())),
      sink_(std::make_unique<StagingSink>(codelists, pseudonymizer, log)) {}

RawEventsImport::~RawEventsImport() = default;

absl::Status RawEventsImport::Feed(std::string_view chunk) {
  return parser_.Feed(chunk, sink_.get());
}

absl::StatusOr<RawEventsImported> RawEventsImport::Commit(const std::string& received_sha256,
                                                          const RawEventsExpectations& expected,
                                                          const ReadyToCommit& ready) {
  absl::StatusOr<RawEventsImported> imported = CommitOrFail(received_sha256, expected, ready);
  if (!imported.ok() && !absl::IsCancelled(imported.status())) Reject();
  return imported;
}

void RawEventsImport::Reject() {
  if (rejection_counted_) return;
  rejection_counted_ = true;
  log_.RecordRejectedFile(static_cast<uint64_t>(parser_.data_lines()));
}

absl::StatusOr<RawEventsImported> RawEventsImport::CommitOrFail(
    const std::string& received_sha256, const RawEventsExpectations& expected,
    const ReadyToCommit& ready) {
  if (absl::Status s = parser_.Finish(sink_.get()); !s.ok()) return s;
  const uint64_t events = sink_->stage().events();
  if (events == 0) return absl::InvalidArgumentError("the file has no data row");
  if (absl::Status s = CheckExpectedSha256(expected.sha256, received_sha256); !s.ok()) return s;
  const domain::RawEventKind kind = *parser_.kind();
  if (expected.kind.has_value() && *expected.kind != kind) {
    return absl::InvalidArgumentError("layout: the file's header is of the other layout");
  }
  absl::StatusOr<FileAppendResult> logged =
      log_.CommitFileStage(sink_->stage(), /*conflicts=*/nullptr, ready);
  if (!logged.ok()) {
    // The log counts a conflicting file's events itself.
    rejection_counted_ = absl::IsAlreadyExists(logged.status());
    return logged.status();
  }
  return RawEventsImported{
      .kind = kind, .rows = static_cast<uint64_t>(parser_.rows()), .log = *logged};
}

}  // namespace omnia::ingest

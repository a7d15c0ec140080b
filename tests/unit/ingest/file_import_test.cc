// The two file imports over the real RocksDB log, without a network: what an uploader relies on
// is that a file is logged whole, however its bytes were chunked, with worker ids only as
// pseudonyms; that what it declared (digest, measure, layout) is checked; and that a file that is
// refused, or abandoned before the commit, leaves the log exactly as it was.
#include "libs/ingest/file_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "libs/base/sha256.h"
#include "tests/support/child_process.h"
#include "tests/support/ingest_log.h"

namespace omnia::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kWorker[] = "RSSMRA80A01H501U";
constexpr char kPayments[] =
    "payment_id,worker_id,paid_on,region,intervention_type,months_covered\n"
    "P-1,RSSMRA80A01H501U,2024-02-29,LAZIO,CIGS,2\n"
    "P-2,rssmra80a01h501u,2024-03-31,LAZIO,CIGS,1\n";
constexpr char kReport[] =
    "Anno,Mese,Tipo_intervento,Regione,numero_domande\r\n"
    "2023,Marzo,CIGO,ABRUZZO,7\r\n"
    "2024,Aprile,CIGS,LAZIO,11\r\n";

std::string Sha256Of(const std::string& bytes) {
  Sha256 sha;
  sha.Update(bytes);
  return sha.HexDigest();
}

absl::Status Ready(uint64_t) { return absl::OkStatus(); }

class FileImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = testing::OpenTestLog(dir_.path() + "/log", clock_);
    pseudonymizer_ = testing::TestPseudonymizer();
    ASSERT_TRUE(log_ != nullptr && pseudonymizer_ != nullptr);
  }

  std::unique_ptr<RawEventsImport> RawImport() {
    return std::make_unique<RawEventsImport>(codelists_, *pseudonymizer_, *log_, clock_);
  }

  // Feeds `bytes` in pieces of `chunk` bytes, stopping at the first error.
  template <typename Import>
  absl::Status FeedInChunks(Import& import, const std::string& bytes, size_t chunk) {
    for (size_t pos = 0; pos < bytes.size(); pos += chunk) {
      if (absl::Status s = import.Feed(std::string_view(bytes).substr(pos, chunk)); !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<RawEventsImported> ImportPayments(const std::string& bytes, size_t chunk = 7,
                                                   RawEventsExpectations expected = {}) {
    std::unique_ptr<RawEventsImport> import = RawImport();
    if (absl::Status s = FeedInChunks(*import, bytes, chunk); !s.ok()) return s;
    return import->Commit(Sha256Of(bytes), expected, Ready);
  }

  absl::StatusOr<PublishedReportImported> ImportReport(const std::string& bytes,
                                                       PublishedReportExpectations expected = {},
                                                       const ReadyToCommit& ready = Ready) {
    PublishedReportImport import(codelists_, *log_, clock_);
    if (absl::Status s = FeedInChunks(import, bytes, 5); !s.ok()) return s;
    return import.Commit(Sha256Of(bytes), expected, ready);
  }

  std::vector<LogEntry> Entries() const {
    std::vector<LogEntry> entries;
    EXPECT_TRUE(log_->ReadEntries(0, 1 << 20,
                                  [&](const LogEntry& entry) {
                                    entries.push_back(entry);
                                    return true;
                                  })
                    .ok());
    return entries;
  }

  testing::TempDir dir_;
  FakeClock clock_{absl::FromCivil(absl::CivilDay(2025, 6, 1), absl::UTCTimeZone())};
  const domain::Codelists codelists_ = domain::Codelists::Builtin();
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Pseudonymizer> pseudonymizer_;
};

TEST_F(FileImportTest, ARawFileIsLoggedWholeWithWorkersOnlyAsPseudonyms) {
  const absl::StatusOr<RawEventsImported> imported = ImportPayments(kPayments);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->kind, domain::RawEventKind::kPaymentIssued);
  EXPECT_EQ(imported->rows, 2u);
  EXPECT_EQ(imported->log.events_accepted, 2u);
  EXPECT_EQ(imported->log.events_duplicate, 0u);

  const std::vector<LogEntry> entries = Entries();
  ASSERT_EQ(entries.size(), 1u);
  ASSERT_EQ(entries[0].payments.size(), 2u);
  const facts::Pseudonym expected = pseudonymizer_->Pseudonymise(kWorker);
  // One person however the producer cased the codice fiscale, and never in clear.
  EXPECT_EQ(entries[0].payments[0].worker, expected);
  EXPECT_EQ(entries[0].payments[1].worker, expected);
  EXPECT_EQ(entries[0].payments[0].months_covered, 2u);
  EXPECT_EQ(entries[0].payments[1].month, (domain::YearMonth{2024, 3}));
}

TEST_F(FileImportTest, TheSameFileAgainIsAllDuplicatesAndWritesNothing) {
  ASSERT_TRUE(ImportPayments(kPayments, 1).ok());
  const uint64_t last = log_->last_sequence();
  const absl::StatusOr<RawEventsImported> again = ImportPayments(kPayments, 1000);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->log.events_accepted, 0u);
  EXPECT_EQ(again->log.events_duplicate, 2u);
  EXPECT_EQ(log_->last_sequence(), last);
}

TEST_F(FileImportTest, ABadRowNamesItsLineAndFieldAndLogsNothing) {
  const std::string bad =
      std::string(kPayments) + "P-3,RSSMRA80A01H501U,2024-03-31,ATLANTIDE,CIGS,1\n";
  const absl::StatusOr<RawEventsImported> imported = ImportPayments(bad);
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(imported.status().message(), HasSubstr("line 4"));
  EXPECT_THAT(imported.status().message(), HasSubstr("region"));
  EXPECT_EQ(log_->last_sequence(), 0u);
  EXPECT_TRUE(Entries().empty());
}

TEST_F(FileImportTest, WhatTheUploaderDeclaredIsChecked) {
  const absl::StatusOr<RawEventsImported> wrong_layout = ImportPayments(
      kPayments, 7, {.sha256 = "", .kind = domain::RawEventKind::kApplicationAuthorized});
  EXPECT_THAT(wrong_layout.status().message(), HasSubstr("layout"));

  const absl::StatusOr<RawEventsImported> wrong_sha =
      ImportPayments(kPayments, 7, {.sha256 = std::string(64, '0'), .kind = std::nullopt});
  EXPECT_THAT(wrong_sha.status().message(), HasSubstr("expected_sha256"));
  EXPECT_THAT(wrong_sha.status().message(), HasSubstr(Sha256Of(kPayments)));
  EXPECT_EQ(log_->last_sequence(), 0u);

  // A digest in capitals is the same digest.
  const absl::StatusOr<RawEventsImported> upper =
      ImportPayments(kPayments, 7,
                     {.sha256 = absl::AsciiStrToUpper(Sha256Of(kPayments)),
                      .kind = domain::RawEventKind::kPaymentIssued});
  EXPECT_TRUE(upper.ok()) << upper.status();
}

TEST_F(FileImportTest, AFileRefusedJustBeforeTheWriteOrAbandonedLeavesTheLogAsItWas) {
  {
    std::unique_ptr<RawEventsImport> import = RawImport();
    ASSERT_TRUE(import->Feed(kPayments).ok());
    const absl::StatusOr<RawEventsImported> refused =
        import->Commit(Sha256Of(kPayments), {}, [](uint64_t events) {
          EXPECT_EQ(events, 2u);
          return absl::ResourceExhaustedError("backlog full");
        });
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  }
  {
    std::unique_ptr<RawEventsImport> abandoned = RawImport();
    ASSERT_TRUE(abandoned->Feed(kPayments).ok());
  }
  EXPECT_EQ(log_->last_sequence(), 0u);
  EXPECT_EQ(log_->Status().events_accepted, 0u);
  // Nothing staged was left behind: the same events are new when they finally come.
  const absl::StatusOr<RawEventsImported> later = ImportPayments(kPayments);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->log.events_accepted, 2u);
}

TEST_F(FileImportTest, AReportIsLoggedWithItsMeasureAndYearsAndAnIdenticalOneChangesNothing) {
  const absl::StatusOr<PublishedReportImported> imported = ImportReport(kReport);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->measure, domain::Measure::kApplications);
  EXPECT_THAT(imported->years, ElementsAre(2023, 2024));
  EXPECT_EQ(imported->rows, 2u);
  EXPECT_FALSE(imported->log.unchanged);
  const std::vector<LogEntry> entries = Entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].kind, EntryKind::kPublished);
  EXPECT_EQ(entries[0].sha256, Sha256Of(kReport));
  ASSERT_EQ(entries[0].cells.size(), 2u);
  EXPECT_EQ(entries[0].cells[1].value, 11u);

  const absl::StatusOr<PublishedReportImported> again = ImportReport(kReport);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->log.unchanged);
  EXPECT_EQ(Entries().size(), 1u);
}

// ingestion.proto: RESOURCE_EXHAUSTED when "accepting the file would take the backlog over its
// limit", and an identical report "changes nothing and answers with unchanged = true, so a retry
// is safe": the caller's last word counts what is new, so a full backlog still answers a file
// of logged events and an identical report.
TEST_F(FileImportTest, AFullBacklogStillTakesAFileOfDuplicatesAndAnIdenticalReport) {
  ASSERT_TRUE(ImportPayments(kPayments).ok());
  ASSERT_TRUE(ImportReport(kReport).ok());
  const auto backlog_full = [](uint64_t items) {
    return items == 0 ? absl::OkStatus() : absl::ResourceExhaustedError("backlog full");
  };
  std::unique_ptr<RawEventsImport> again = RawImport();
  ASSERT_TRUE(again->Feed(kPayments).ok());
  const absl::StatusOr<RawEventsImported> duplicates =
      again->Commit(Sha256Of(kPayments), {}, backlog_full);
  ASSERT_TRUE(duplicates.ok()) << duplicates.status();
  EXPECT_EQ(duplicates->log.events_accepted, 0u);
  EXPECT_EQ(duplicates->log.events_duplicate, 2u);

  const absl::StatusOr<PublishedReportImported> identical = ImportReport(kReport, {}, backlog_full);
  ASSERT_TRUE(identical.ok()) << identical.status();
  EXPECT_TRUE(identical->log.unchanged);
}

TEST_F(FileImportTest, AReportOfAnotherMeasureOrRefusedBeforeTheWriteLogsNothing) {
  const absl::StatusOr<PublishedReportImported> other =
      ImportReport(kReport, {.sha256 = "", .measure = "workers"});
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(other.status().message(), HasSubstr("expected_measure"));
  EXPECT_EQ(log_->last_sequence(), 0u);
  // The measure's code in any case.
  const absl::StatusOr<PublishedReportImported> same =
      ImportReport(kReport, {.sha256 = "", .measure = "applications"});
  EXPECT_TRUE(same.ok()) << same.status();
  const uint64_t last = log_->last_sequence();

  const std::string changed = std::string(kReport) + "2024,Maggio,CIGS,LAZIO,3\r\n";
  const absl::StatusOr<PublishedReportImported> refused = ImportReport(
      changed, {}, [](uint64_t) { return absl::CancelledError("the upload was cancelled"); });
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(log_->last_sequence(), last);
}

TEST_F(FileImportTest, AReportWithoutDataRowsOrFromTheFutureIsRefused) {
  const absl::StatusOr<PublishedReportImported> empty =
      ImportReport("Anno,Mese,Tipo_intervento,Regione,numero_domande\r\n");
  EXPECT_THAT(empty.status().message(), HasSubstr("no data row"));
  const absl::StatusOr<PublishedReportImported> future = ImportReport(
      "Anno,Mese,Tipo_intervento,Regione,numero_domande\r\n2026,Marzo,CIGO,LAZIO,1\r\n");
  EXPECT_EQ(future.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->last_sequence(), 0u);
}

}  // namespace
}  // namespace omnia::ingest

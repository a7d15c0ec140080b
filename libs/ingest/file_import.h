// The two file imports, from the file's bytes to the log, without a network: a published report
// (INPS's cells, which replace the cells of their years) and a raw-event file (applications or
// payments, pseudonymised the moment the parser hands them over). The service streams the chunks
// in with Feed and, once the upload has ended and its length and SHA-256 matched, calls Commit;
// an import that is destroyed without a successful Commit leaves the log as it was.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/base/clock.h"
#include "libs/domain/codelists.h"
#include "libs/domain/measure.h"
#include "libs/domain/published_csv.h"
#include "libs/domain/raw_events_csv.h"
#include "libs/ingest/event_log.h"
#include "libs/ingest/pseudonymizer.h"

namespace omnia::ingest {

// The caller's last word before the log write, given the rows or new events about to be logged
// (duplicates excluded; an unchanged published report is answered without asking): a full
// forwarding backlog, or a call that was cancelled meanwhile, refuses the import there.
using ReadyToCommit = std::function<absl::Status(uint64_t items)>;

// What the uploader declared about the file; an empty field is not checked.
struct PublishedReportExpectations {
  std::string sha256;   // hex, any case
  std::string measure;  // a measure code, any case
};

struct PublishedReportImported {
  domain::Measure measure{};
  std::vector<int> years;  // ascending
  uint64_t rows = 0;
  PublishedAppendResult log;
};

class PublishedReportImport {
 public:
  // Everything referenced must outlive the import. Years after the clock's Italian year are
  // refused by the parser.
  PublishedReportImport(const domain::Codelists& codelists, EventLog& log, const Clock& clock);

  // The next bytes of the file. The rows are kept until Commit, but never more than there are
  // cells in the published years up to today (a cell may not repeat): past that the file is
  // refused at once, so memory stays at the size of the cube whatever the file holds.
  absl::Status Feed(std::string_view chunk);

  // Checks the whole file against `expected` and logs it (replacing its years' cells) as one
  // write. `received_sha256` is the digest of every byte fed; `ready` runs right before the write.
  absl::StatusOr<PublishedReportImported> Commit(const std::string& received_sha256,
                                                 const PublishedReportExpectations& expected,
                                                 const ReadyToCommit& ready);

 private:
  EventLog& log_;
  domain::PublishedCsvParser parser_;
  const uint64_t max_cells_;
  std::vector<domain::PublishedRow> rows_;
};

struct RawEventsExpectations {
  std::string sha256;                        // hex, any case; empty: not checked
  std::optional<domain::RawEventKind> kind;  // the file's layout; nullopt: not checked
};

struct RawEventsImported {
  domain::RawEventKind kind{};
  uint64_t rows = 0;  // data rows read
  FileAppendResult log;
};

class RawEventsImport {
 public:
  // Everything referenced must outlive the import. Event dates after the clock's Italian date are
  // refused by the parser.
  RawEventsImport(const domain::Codelists& codelists, const Pseudonymizer& pseudonymizer,
                  EventLog& log, const Clock& clock);
  ~RawEventsImport();

  // The next bytes of the file: each event is validated, pseudonymised and staged in the log, so
  // memory holds one chunk of the file.
  absl::Status Feed(std::string_view chunk);

  // Checks the whole file against `expected` and logs it as AppendEventFile would (duplicates of
  // logged events skipped and counted, a conflicting id refusing the whole file).
  // `received_sha256` is the digest of every byte fed; `ready` runs right before the write.
  // Any error but a cancellation counts the file's data lines as rejected events (Reject).
  absl::StatusOr<RawEventsImported> Commit(const std::string& received_sha256,
                                           const RawEventsExpectations& expected,
                                           const ReadyToCommit& ready);

  // Counts the data lines read so far as rejected events (GetIngestionStatus.events_rejected:
  // "events in rejected batches and rejected raw-event files"), once per import, for a file
  // refused outside Commit (a chunk too large, an end message that does not match).
  void Reject();

 private:
  class StagingSink;
  absl::StatusOr<RawEventsImported> CommitOrFail(const std::string& received_sha256,
                                                 const RawEventsExpectations& expected,
                                                 const ReadyToCommit& ready);

  EventLog& log_;
  // Set once the file's events were counted as rejected (by Reject or, for a conflict, by the
  // log itself).
  bool rejection_counted_ = false;
  domain::RawEventsCsvParser parser_;
  std::unique_ptr<StagingSink> sink_;
};

// INVALID_ARGUMENT naming expected_sha256 when an expected digest is given and differs.
absl::Status CheckExpectedSha256(const std::string& expected, const std::string& received);

}  // namespace omnia::ingest

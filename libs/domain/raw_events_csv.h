// Reader for the raw-event CSV extracts of the micro-data path (design §2), header first:
//
//   application_id,authorized_on,region,intervention_type
//   payment_id,worker_id,paid_on,region,intervention_type,months_covered
//
// The header decides the kind of events; dates are ISO (YYYY-MM-DD). UTF-8 with or without BOM,
// CRLF or LF, comma separated, no quoting. Every row is converted and validated with
// ParseApplication / ParsePayment (events.h).
#ifndef OMNIA_LIBS_DOMAIN_RAW_EVENTS_CSV_H_
#define OMNIA_LIBS_DOMAIN_RAW_EVENTS_CSV_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "libs/domain/codelists.h"
#include "libs/domain/csv_limits.h"
#include "libs/domain/events.h"
#include "libs/domain/internal/line_assembler.h"
#include "libs/domain/internal/row_errors.h"

namespace omnia::domain {

enum class RawEventKind { kApplicationAuthorized, kPaymentIssued };

// Receives parsed events. The event reference is only valid during the call: the parser reuses one
// object per kind so that millions of rows do not cost millions of allocations. Returning an error
// stops the parser, which then returns that error unchanged.
class RawEventSink {
 public:
  virtual ~RawEventSink() = default;
  virtual absl::Status OnApplication(const ApplicationAuthorized& event, int64_t line) = 0;
  virtual absl::Status OnPayment(const PaymentIssued& event, int64_t line) = 0;
};

// Collected events, for callers that want them all in memory.
struct RawEventBatch {
  std::vector<ApplicationAuthorized> applications;
  std::vector<PaymentIssued> payments;
  std::vector<int64_t> lines;  // source line of each event, in file order

  void clear() {
    applications.clear();
    payments.clear();
    lines.clear();
  }
};

// Push parser, same contract as PublishedCsvParser: chunks may split lines anywhere. A bad header,
// a line too long to read or an error of the sink stops the parser at once. Bad rows do not: once
// a row is bad no more events reach the sink, the rest of the file is only checked, and Finish
// returns absl::InvalidArgumentError listing every failing column of the first 20 errors ("line 7,
// column paid_on: invalid date '2023-02-30': ...; line 9, column region: ...") and the number of
// further errors. The first error returned is sticky; events delivered before it are not
// retracted. Error messages never contain a worker id: rows and header cells are not echoed, and
// values that look like a tax code are withheld.
//
// The Codelists must outlive the parser.
class RawEventsCsvParser {
 public:
  // Dates after `latest` are row errors (the server passes today's date in Italy).
  explicit RawEventsCsvParser(const Codelists& codelists, const Date& latest = kLatestDate);

  RawEventsCsvParser(const RawEventsCsvParser&) = delete;
  RawEventsCsvParser& operator=(const RawEventsCsvParser&) = delete;

  absl::Status Feed(std::string_view chunk, RawEventSink* sink);
  absl::Status Finish(RawEventSink* sink);

  // Convenience forms appending to a batch.
  absl::Status Feed(std::string_view chunk, RawEventBatch* out);
  absl::Status Finish(RawEventBatch* out);

  // The kind named by the header, once the header has been read.
  std::optional<RawEventKind> kind() const { return kind_; }

  // Events accepted so far.
  int64_t rows() const { return rows_; }

  // Data lines read so far, good or bad: the events of a file that is rejected.
  int64_t data_lines() const { return data_lines_; }

 private:
  absl::Status ParseLine(std::string_view line, int64_t number, RawEventSink* sink);
  absl::Status ParseHeader(std::string_view line);
  // Makes the line assembler's result final when it is an error.
  absl::Status Ended(absl::Status status);
  absl::Status Fail(absl::Status status);

  const Codelists* codelists_;
  const Date latest_;
  internal::LineAssembler lines_;
  std::optional<RawEventKind> kind_;
  int64_t rows_ = 0;
  int64_t data_lines_ = 0;
  bool finished_ = false;
  absl::Status status_;
  internal::RowErrors row_errors_;
  // Reused for every row (see RawEventSink).
  ApplicationAuthorized application_;
  PaymentIssued payment_;
};

// Reads a raw-event file from disk in 64 KiB chunks into sink; parser errors get the path
// prepended, the sink's own errors pass through unchanged. *kind, when not null, receives the kind.
absl::Status ReadRawEventsCsvFile(const std::string& path, const Codelists& codelists,
                                  RawEventSink* sink, RawEventKind* kind);

}  // namespace omnia::domain

#endif  // OMNIA_LIBS_DOMAIN_RAW_EVENTS_CSV_H_

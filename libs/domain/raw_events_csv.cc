#include "libs/domain/raw_events_csv.h"

#include <iterator>
#include <utility>

#include "libs/domain/internal/file_chunks.h"
#include "libs/domain/internal/text.h"

namespace omnia::domain {
namespace {

constexpr std::string_view kApplicationColumns[] = {"application_id", "authorized_on", "region",
                                                    "intervention_type"};
constexpr std::string_view kPaymentColumns[] = {
    "payment_id", "worker_id", "paid_on", "region", "intervention_type", "months_covered"};
constexpr size_t kMaxFields = 6;

std::string_view ColumnsText(RawEventKind kind) {
  return kind == RawEventKind::kApplicationAuthorized
             ? "application_id,authorized_on,region,intervention_type"
             : "payment_id,worker_id,paid_on,region,intervention_type,months_covered";
}

const std::string_view* Columns(RawEventKind kind, size_t* count) {
  if (kind == RawEventKind::kApplicationAuthorized) {
    *count = std::size(kApplicationColumns);
    return kApplicationColumns;
  }
  *count = std::size(kPaymentColumns);
  return kPaymentColumns;
}

absl::Status LineError(int64_t line, std::string_view message) {
  return absl::InvalidArgumentError(internal::Cat("line ", line, ": ", message));
}

class BatchSink : public RawEventSink {
 public:
  explicit BatchSink(RawEventBatch* batch) : batch_(batch) {}

  absl::Status OnApplication(const ApplicationAuthorized& event, int64_t line) override {
    batch_->applications.push_back(event);
    batch_->lines.push_back(line);
    return absl::OkStatus();
  }

  absl::Status OnPayment(const PaymentIssued& event, int64_t line) override {
    batch_->payments.push_back(event);
    batch_->lines.push_back(line);
    return absl::OkStatus();
  }

 private:
  RawEventBatch* batch_;
};

}  // namespace

RawEventsCsvParser::RawEventsCsvParser(const Codelists& codelists, const Date& latest)
    : codelists_(&codelists), latest_(latest), lines_(kMaxCsvLineBytes) {}

absl::Status RawEventsCsvParser::Ended(absl::Status status) {
  if (status.ok()) return status;
  return Fail(row_errors_.Ending(std::move(status), lines_.stopped_by_long_line()));
}

absl::Status RawEventsCsvParser::Fail(absl::Status status) {
  status_ = std::move(status);
  return status_;
}

absl::Status RawEventsCsvParser::Feed(std::string_view chunk, RawEventSink* sink) {
  if (!status_.ok()) return status_;
  if (finished_) return absl::FailedPreconditionError("RawEventsCsvParser: Feed after Finish");
  return Ended(lines_.Feed(chunk, [this, sink](std::string_view line, int64_t number) {
    return ParseLine(line, number, sink);
  }));
}

absl::Status RawEventsCsvParser::Finish(RawEventSink* sink) {
  if (!status_.ok()) return status_;
  if (finished_) return absl::FailedPreconditionError("RawEventsCsvParser: Finish called twice");
  finished_ = true;
  if (absl::Status status =
          Ended(lines_.Finish([this, sink](std::string_view line, int64_t number) {
            return ParseLine(line, number, sink);
          }));
      !status.ok()) {
    return status;
  }
  if (!kind_.has_value()) return Fail(LineError(1, "missing header: the input is empty"));
  if (!row_errors_.empty()) return Fail(row_errors_.ToStatus());
  return absl::OkStatus();
}

absl::Status RawEventsCsvParser::Feed(std::string_view chunk, RawEventBatch* out) {
  BatchSink sink(out);
  return Feed(chunk, &sink);
}

absl::Status RawEventsCsvParser::Finish(RawEventBatch* out) {
  BatchSink sink(out);
  return Finish(&sink);
}

absl::Status RawEventsCsvParser::ParseHeader(std::string_view line) {
  // Header cells are never echoed: a file without header starts with a data row, which may hold a
  // worker id.
  if (line.empty()) return LineError(1, "missing header: the first line is empty");
  std::string_view fields[kMaxFields];
  const size_t count = internal::SplitFields(line, fields, kMaxFields);
  RawEventKind kind;
  if (fields[0] == kApplicationColumns[0]) {
    kind = RawEventKind::kApplicationAuthorized;
  } else if (fields[0] == kPaymentColumns[0]) {
    kind = RawEventKind::kPaymentIssued;
  } else {
    return LineError(1, internal::Cat("unrecognised header: expected '",
                                      ColumnsText(RawEventKind::kApplicationAuthorized), "' or '",
                                      ColumnsText(RawEventKind::kPaymentIssued), "'"));
  }
  size_t expected_count = 0;
  const std::string_view* expected = Columns(kind, &expected_count);
  if (count != expected_count) {
    return LineError(1, internal::Cat("the header has ", count, " columns; expected ",
                                      expected_count, ": ", ColumnsText(kind)));
  }
  for (size_t i = 1; i < expected_count; ++i) {
    if (fields[i] != expected[i]) {
      return absl::InvalidArgumentError(internal::Cat("line 1, column ", expected[i],
                                                      ": header column ", i + 1, " must be '",
                                                      expected[i], "' (", ColumnsText(kind), ")"));
    }
  }
  kind_ = kind;
  return absl::OkStatus();
}

absl::Status RawEventsCsvParser::ParseLine(std::string_view line, int64_t number,
                                           RawEventSink* sink) {
  if (number == 1) return ParseHeader(line);
  ++data_lines_;
  size_t expected_count = 0;
  const std::string_view* columns = Columns(*kind_, &expected_count);
  std::string_view fields[kMaxFields];
  const size_t count = internal::SplitFields(line, fields, kMaxFields);
  if (count != expected_count) {
    // The row is not echoed: it may hold a worker id.
    const std::string expected =
        internal::Cat("expected ", expected_count, " fields (", ColumnsText(*kind_), ")");
    if (line.empty()) {
      row_errors_.Add(number, columns[0], internal::Cat("the line is empty; ", expected));
    } else if (count < expected_count) {
      row_errors_.Add(number, columns[count],
                      internal::Cat("missing: ", expected, ", found ", count));
    } else {
      row_errors_.Add(number, internal::Cat(expected_count + 1),
                      internal::Cat("one field too many: ", expected, ", found ", count));
    }
    return absl::OkStatus();
  }
  std::vector<FieldError> errors;
  if (*kind_ == RawEventKind::kApplicationAuthorized) {
    const RawApplication raw{fields[0], fields[1], fields[2], fields[3]};
    errors = ParseApplication(raw, *codelists_, &application_, latest_);
  } else {
    const RawPayment raw{fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]};
    errors = ParsePayment(raw, *codelists_, &payment_, latest_);
  }
  for (const FieldError& error : errors) row_errors_.Add(number, error.field, error.reason);
  // The file is rejected whole once a row is bad: the rest is only checked.
  if (!row_errors_.empty()) return absl::OkStatus();
  absl::Status status = *kind_ == RawEventKind::kApplicationAuthorized
                            ? sink->OnApplication(application_, number)
                            : sink->OnPayment(payment_, number);
  if (status.ok()) ++rows_;
  return status;
}

absl::Status ReadRawEventsCsvFile(const std::string& path, const Codelists& codelists,
                                  RawEventSink* sink, RawEventKind* kind) {
  // Wraps the sink to tell its errors (passed through) from the parser's (given the path).
  class TrackingSink : public RawEventSink {
   public:
    explicit TrackingSink(RawEventSink* inner) : inner_(inner) {}
    absl::Status OnApplication(const ApplicationAuthorized& event, int64_t line) override {
      return Track(inner_->OnApplication(event, line));
    }
    absl::Status OnPayment(const PaymentIssued& event, int64_t line) override {
      return Track(inner_->OnPayment(event, line));
    }
    bool failed() const { return failed_; }

   private:
    absl::Status Track(absl::Status status) {
      if (!status.ok()) failed_ = true;
      return status;
    }
    RawEventSink* inner_;
    bool failed_ = false;
  };

  RawEventsCsvParser parser(codelists);
  TrackingSink tracking(sink);
  bool parser_failed = false;
  auto track = [&](absl::Status status) {
    if (!status.ok() && !tracking.failed()) parser_failed = true;
    return status;
  };
  absl::Status status = internal::ForEachFileChunk(
      path, [&](std::string_view chunk) { return track(parser.Feed(chunk, &tracking)); });
  if (status.ok()) status = track(parser.Finish(&tracking));
  if (parser_failed) {
    return absl::Status(status.code(), internal::Cat(path, ": ", status.message()));
  }
  if (!status.ok()) return status;
  if (kind != nullptr) *kind = *parser.kind();
  return absl::OkStatus();
}

}  // namespace omnia::domain

#include "libs/domain/raw_events_csv.h"

#include <iterator>
#include <utility>

#include "absl/strings/str_join.h"
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

absl::Status RowError(int64_t line, const std::vector<FieldError>& errors) {
  return absl::InvalidArgumentError(
      internal::Cat("line ", line, ", ",
                    absl::StrJoin(errors, "; ", [](std::string* out, const FieldError& error) {
                      internal::CatAppend(out, "column ", error.field, ": ", error.reason);
                    })));
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

absl::Status RawEventsCsvParser::Fail(absl::Status status) {
  status_ = std::move(status);
  return status_;
}

absl::Status RawEventsCsvParser::Feed(std::string_view chunk, RawEventSink* sink) {
  if (!status_.ok()) return status_;
  if (finished_) return absl::FailedPreconditionError("RawEventsCsvParser: Feed after Finish");
  absl::Status status = lines_.Feed(chunk, [this, sink](std::string_view line, int64_t number) {
    return ParseLine(line, number, sink);
  });
  if (!status.ok()) return Fail(std::move(status));
  return absl::OkStatus();
}

absl::Status RawEventsCsvParser::Finish(RawEventSink* sink) {
  if (!status_.ok()) return status_;
  if (finished_) return absl::FailedPreconditionError("RawEventsCsvParser: Finish called twice");
  finished_ = true;
  absl::Status status = lines_.Finish([this, sink](std::string_view line, int64_t number) {
    return ParseLine(line, number, sink);
  });
  if (!status.ok()) return Fail(std::move(status));
  if (!kind_.has_value()) return Fail(LineError(1, "missing header: the input is empty"));
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
  size_t expected_count = 0;
  Columns(*kind_, &expected_count);
  std::string_view fields[kMaxFields];
  const size_t count = internal::SplitFields(line, fields, kMaxFields);
  if (count != expected_count) {
    // The row is not echoed: it may hold a worker id.
    if (line.empty()) return LineError(number, "empty line");
    return LineError(number, internal::Cat("expected ", expected_count, " fields (",
                                           ColumnsText(*kind_), "), found ", count));
  }
  absl::Status status;
  if (*kind_ == RawEventKind::kApplicationAuthorized) {
    const RawApplication raw{fields[0], fields[1], fields[2], fields[3]};
    std::vector<FieldError> errors = ParseApplication(raw, *codelists_, &application_, latest_);
    if (!errors.empty()) return RowError(number, errors);
    status = sink->OnApplication(application_, number);
  } else {
    const RawPayment raw{fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]};
    std::vector<FieldError> errors = ParsePayment(raw, *codelists_, &payment_, latest_);
    if (!errors.empty()) return RowError(number, errors);
    status = sink->OnPayment(payment_, number);
  }
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

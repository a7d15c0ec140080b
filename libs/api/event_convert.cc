#include "libs/api/event_convert.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <variant>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/rpc/paging.h"
#include "libs/rpc/status_mapping.h"
#include "libs/rpc/timestamp.h"

namespace omnia::api {
namespace {

domain::Date DateFromProto(const v1::Date& date) {
  return domain::Date{date.year(), date.month(), date.day()};
}

// The slot for the `n`-th event read, holding a T (whose strings keep their buffers when the
// previous batch had a T there too).
template <typename T>
T& Slot(std::vector<ingest::RawEvent>& events, size_t n) {
  if (n == events.size()) events.emplace_back();
  if (!std::holds_alternative<T>(events[n])) events[n].emplace<T>();
  return std::get<T>(events[n]);
}

void AssignApplication(const v1::ApplicationAuthorized& a, domain::ApplicationAuthorized& out) {
  out.application_id.assign(a.application_id());
  out.authorized_on = DateFromProto(a.authorized_on());
  out.region.assign(a.region());
  out.intervention_type.assign(a.intervention_type());
}

void AssignPayment(const v1::PaymentIssued& p, domain::PaymentIssued& out) {
  out.payment_id.assign(p.payment_id());
  out.worker_id.assign(p.worker_id());
  out.paid_on = DateFromProto(p.paid_on());
  out.region.assign(p.region());
  out.intervention_type.assign(p.intervention_type());
  out.months_covered = p.months_covered();
}

// The values of a column of ids: separated by line feeds, the last one optionally followed by
// one. No id may hold a line feed, so this reads back what the producer joined.
class LineValues {
 public:
  explicit LineValues(std::string_view text) : rest_(text) {}

  static uint64_t Count(std::string_view text) {
    if (text.empty()) return 0;
    return std::count(text.begin(), text.end(), '\n') + (text.back() == '\n' ? 0 : 1);
  }

  // The next value; only while values remain.
  std::string_view Next() {
    const size_t end = rest_.find('\n');
    const std::string_view value = rest_.substr(0, end);
    rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end + 1);
    return value;
  }

 private:
  std::string_view rest_;
};

domain::Date DateFromNumber(uint32_t yyyymmdd) {
  return domain::Date{static_cast<int>(yyyymmdd / 10000), static_cast<int>(yyyymmdd / 100 % 100),
                      static_cast<int>(yyyymmdd % 100)};
}

// Reads one group of columns (application_columns or payment_columns) into events, checking
// the shape the contract gives it: one value per row in every per-row column, and code
// positions within the codes listed.
class ColumnReader {
 public:
  ColumnReader(absl::string_view group, absl::string_view id_name, uint64_t first_index,
               uint64_t rows, std::vector<ingest::Violation>& malformed)
      : group_(group),
        id_name_(id_name),
        first_index_(first_index),
        rows_(rows),
        malformed_(malformed) {}

  // Whether `column` holds one value per row; a violation naming it (by counts only: a column
  // may hold worker ids) if not.
  bool HasOneValuePerRow(absl::string_view column, uint64_t values) {
    if (values == rows_) return true;
    // Columns without rows (no ids, yet other values) have no first row: the batch's 0 then.
    malformed_.push_back(
        {rows_ == 0 ? 0 : first_index_, "", absl::StrCat(group_, ".", column),
         absl::StrCat(values, values == 1 ? " value" : " values", " for ", rows_,
                      rows_ == 1 ? " row" : " rows", " (one per ", id_name_, ")")});
    return false;
  }

  // The code of `row`, codes[positions[row]]: its codelist position into `*index` when
  // `resolve(position)` finds it (-1: it did not, or no resolution), leaving `out` empty;
  // otherwise its text into `out`, for the check to look up and report, and `*index` unchanged
  // (-1). A position beyond the codes listed is a violation of the row.
  template <typename Resolve>
  void AssignCode(const google::protobuf::RepeatedPtrField<std::string>& codes,
                  const google::protobuf::RepeatedField<uint32_t>& positions, uint64_t row,
                  absl::string_view event_id, absl::string_view column, std::string& out,
                  int* index, const Resolve& resolve) {
    const uint32_t position = positions[static_cast<int>(row)];
    if (position < static_cast<uint32_t>(codes.size())) {
      if (index != nullptr) {
        if (const int found = resolve(position); found >= 0) {
          *index = found;
          out.clear();
          return;
        }
      }
      out.assign(codes[static_cast<int>(position)]);
      return;
    }
    out.clear();
    malformed_.push_back(
        {first_index_ + row, std::string(event_id), absl::StrCat(group_, ".", column),
         absl::StrCat("position ", position, " is beyond the ", codes.size(), " codes listed")});
  }

  uint64_t rows() const { return rows_; }

 private:
  absl::string_view group_;
  absl::string_view id_name_;
  uint64_t first_index_;
  uint64_t rows_;
  std::vector<ingest::Violation>& malformed_;
};

// The listed codes of one group of columns, each resolved to its codelist position the first
// time a row points at it (-1: not found), when `resolve` is given. Rows share a few listed
// codes, so a batch looks each of them up once instead of once per row; codes listed but
// pointed at by no row (the contract lets a producer list a code more than once) are never
// looked up, so a batch cannot make the reader do more lookups than it has rows.
class ListedCodes {
 public:
  template <typename Columns>
  ListedCodes(const Columns& columns, const CodeResolution* resolve) {
    if (resolve == nullptr) return;
    codelists_ = &resolve->codelists;
    rows_ = &resolve->codes;
    regions_.assign(static_cast<size_t>(columns.region_codes_size()), kUntried);
    types_.assign(static_cast<size_t>(columns.intervention_type_codes_size()), kUntried);
  }

  // The codelist position of the listed region at `position` (< the codes listed), -1 when it
  // is not a region; -1 too when not resolving.
  int Region(const google::protobuf::RepeatedPtrField<std::string>& listed, uint32_t position) {
    if (rows_ == nullptr) return -1;
    int& found = regions_[position];
    if (found == kUntried) {
      const domain::Region* region = codelists_->RegionByInputCode(listed[position]);
      found = region != nullptr ? region->index : -1;
    }
    return found;
  }
  // As Region, for the listed intervention types.
  int Type(const google::protobuf::RepeatedPtrField<std::string>& listed, uint32_t position) {
    if (rows_ == nullptr) return -1;
    int& found = types_[position];
    if (found == kUntried) {
      const domain::InterventionType* type =
          codelists_->InterventionTypeByInputCode(listed[position]);
      found = type != nullptr ? type->index : -1;
    }
    return found;
  }
  // Where the positions of the event at `event` go; null when not resolving.
  domain::CodeIndices* row(size_t event) const { return rows_ ? &(*rows_)[event] : nullptr; }

 private:
  static constexpr int kUntried = -2;
  const domain::Codelists* codelists_ = nullptr;
  std::vector<domain::CodeIndices>* rows_ = nullptr;
  std::vector<int> regions_;
  std::vector<int> types_;
};

// The region and intervention type of `row` (the event at `event`) into `out`, resolved through
// `listed` when it resolves.
template <typename Columns, typename Event>
void AssignCodes(const Columns& columns, ColumnReader& reader, ListedCodes& listed, uint64_t row,
                 size_t event, const std::string& event_id, Event& out) {
  domain::CodeIndices* codes = listed.row(event);
  reader.AssignCode(columns.region_codes(), columns.regions(), row, event_id, "regions", out.region,
                    codes ? &codes->region : nullptr,
                    [&](uint32_t at) { return listed.Region(columns.region_codes(), at); });
  reader.AssignCode(
      columns.intervention_type_codes(), columns.intervention_types(), row, event_id,
      "intervention_types", out.intervention_type, codes ? &codes->type : nullptr,
      [&](uint32_t at) { return listed.Type(columns.intervention_type_codes(), at); });
}

// Reads the application columns' rows into events from position `n`; returns the rows read
// (none when the columns' shape is wrong).
uint64_t ReadApplications(const v1::ApplicationColumns& columns, ColumnReader& reader,
                          std::vector<ingest::RawEvent>& events, size_t n,
                          const CodeResolution* resolve) {
  bool shaped = reader.HasOneValuePerRow("authorized_on", columns.authorized_on_size());
  shaped &= reader.HasOneValuePerRow("regions", columns.regions_size());
  shaped &= reader.HasOneValuePerRow("intervention_types", columns.intervention_types_size());
  if (!shaped) return 0;
  LineValues ids(columns.application_ids());
  ListedCodes listed(columns, resolve);
  for (uint64_t row = 0; row < reader.rows(); ++row) {
    auto& out = Slot<domain::ApplicationAuthorized>(events, n + row);
    out.application_id.assign(ids.Next());
    const int i = static_cast<int>(row);
    out.authorized_on = DateFromNumber(columns.authorized_on(i));
    AssignCodes(columns, reader, listed, row, n + row, out.application_id, out);
  }
  return reader.rows();
}

// As ReadApplications, for the payment columns.
uint64_t ReadPayments(const v1::PaymentColumns& columns, ColumnReader& reader,
                      std::vector<ingest::RawEvent>& events, size_t n,
                      const CodeResolution* resolve) {
  bool shaped = reader.HasOneValuePerRow("worker_ids", LineValues::Count(columns.worker_ids()));
  shaped &= reader.HasOneValuePerRow("paid_on", columns.paid_on_size());
  shaped &= reader.HasOneValuePerRow("regions", columns.regions_size());
  shaped &= reader.HasOneValuePerRow("intervention_types", columns.intervention_types_size());
  shaped &= reader.HasOneValuePerRow("months_covered", columns.months_covered_size());
  if (!shaped) return 0;
  LineValues ids(columns.payment_ids());
  LineValues workers(columns.worker_ids());
  ListedCodes listed(columns, resolve);
  for (uint64_t row = 0; row < reader.rows(); ++row) {
    auto& out = Slot<domain::PaymentIssued>(events, n + row);
    out.payment_id.assign(ids.Next());
    out.worker_id.assign(workers.Next());
    const int i = static_cast<int>(row);
    out.paid_on = DateFromNumber(columns.paid_on(i));
    AssignCodes(columns, reader, listed, row, n + row, out.payment_id, out);
    out.months_covered = columns.months_covered(i);
  }
  return reader.rows();
}

// The column of the domain's `field` in application_columns or payment_columns.
absl::string_view ColumnOf(absl::string_view field) {
  if (field == "application_id") return "application_ids";
  if (field == "payment_id") return "payment_ids";
  if (field == "worker_id") return "worker_ids";
  if (field == "region") return "regions";
  if (field == "intervention_type") return "intervention_types";
  return field;  // authorized_on, paid_on, months_covered
}

v1::BatchOutcome OutcomeToProto(ingest::BatchOutcome outcome) {
  switch (outcome) {
    case ingest::BatchOutcome::kAccepted:
      return v1::BATCH_OUTCOME_ACCEPTED;
    case ingest::BatchOutcome::kDuplicate:
      return v1::BATCH_OUTCOME_DUPLICATE;
    case ingest::BatchOutcome::kRejected:
      break;
  }
  return v1::BATCH_OUTCOME_REJECTED;
}

}  // namespace

ReadBatch EventsFromProto(const v1::EventBatch& batch, std::vector<ingest::RawEvent>& events,
                          const CodeResolution* resolve) {
  ReadBatch read;
  BatchLayout& layout = read.layout;
  layout.messages = static_cast<uint64_t>(batch.events_size());
  layout.application_rows = LineValues::Count(batch.application_columns().application_ids());
  layout.payment_rows = LineValues::Count(batch.payment_columns().payment_ids());
  const uint64_t sent = layout.messages + layout.application_rows + layout.payment_rows;
  if (sent > ingest::kMaxEventsPerBatch) {
    // Not read at all: a 4 MiB batch of empty ids would be millions of events.
    read.malformed.push_back({0, "", "events", ingest::EventCountReason(sent)});
    read.unread_events = sent;
    events.clear();
    if (resolve != nullptr) resolve->codes.clear();
    return read;
  }
  // Computed after the count is known to be small: a pass over at most 10000 events.
  if (const size_t bytes = batch.ByteSizeLong(); bytes > ingest::kMaxBatchBytes) {
    read.malformed.push_back({0, "", "events", ingest::BatchSizeReason(bytes)});
    read.unread_events = sent;
    events.clear();
    if (resolve != nullptr) resolve->codes.clear();
    return read;
  }
  // Nothing resolved yet: Event messages name their codes in full, and are looked up by the check.
  if (resolve != nullptr) resolve->codes.assign(sent, domain::CodeIndices{});
  size_t n = 0;
  for (int i = 0; i < batch.events_size(); ++i) {
    const v1::Event& event = batch.events(i);
    if (event.has_application_authorized()) {
      AssignApplication(event.application_authorized(),
                        Slot<domain::ApplicationAuthorized>(events, n++));
    } else if (event.has_payment_issued()) {
      AssignPayment(event.payment_issued(), Slot<domain::PaymentIssued>(events, n++));
    } else {
      read.malformed.push_back(
          {static_cast<uint64_t>(i), "", "kind", "an event must hold an application or a payment"});
    }
  }
  ColumnReader applications("application_columns", "application id", layout.messages,
                            layout.application_rows, read.malformed);
  n += ReadApplications(batch.application_columns(), applications, events, n, resolve);
  ColumnReader payments("payment_columns", "payment id", layout.messages + layout.application_rows,
                        layout.payment_rows, read.malformed);
  n += ReadPayments(batch.payment_columns(), payments, events, n, resolve);
  events.resize(n);
  if (resolve != nullptr) resolve->codes.resize(n);
  read.unread_events = sent - n;
  return read;
}

std::string EventFieldPath(const v1::EventBatch& batch, const BatchLayout& layout,
                           uint64_t event_index, std::string_view field) {
  if (event_index < layout.messages) {
    const bool application =
        batch.events(static_cast<int>(event_index)).has_application_authorized();
    return absl::StrCat(application ? "application_authorized." : "payment_issued.",
                        absl::string_view(field.data(), field.size()));
  }
  const bool application = event_index < layout.messages + layout.application_rows;
  return absl::StrCat(application ? "application_columns." : "payment_columns.",
                      ColumnOf(absl::string_view(field.data(), field.size())));
}

v1::BatchAck AckFromReport(const v1::EventBatch& batch, const ingest::BatchReport& report) {
  v1::BatchAck ack;
  ack.set_producer_id(batch.producer_id());
  ack.set_sequence(batch.sequence());
  ack.set_outcome(OutcomeToProto(report.outcome));
  ack.set_code(static_cast<int>(rpc::ToGrpcStatus(report.status).error_code()));
  ack.set_message(std::string(report.status.message()));
  for (const ingest::Violation& violation : report.violations) {
    v1::EventViolation* out = ack.add_violations();
    out->set_event_index(violation.event_index);
    out->set_event_id(violation.event_id);
    out->set_field(violation.field);
    out->set_reason(violation.reason);
  }
  ack.set_violations_omitted(report.violations_omitted);
  ack.set_events_accepted(report.events_accepted);
  ack.set_events_duplicate(report.events_duplicate);
  ack.set_log_sequence(report.log_sequence);
  return ack;
}

namespace {

void SetTime(absl::Time time, google::protobuf::Timestamp* out) {
  if (time == absl::InfinitePast()) return;
  *out = rpc::ToProtoTimestamp(time);
}

// A digest of the request's producer_ids, as sent (FNV-1a, stable across processes), carried in
// the page token so that a token given with other producer_ids is refused (common.proto).
uint64_t ProducerIdsDigest(const v1::GetIngestionStatusRequest& request) {
  uint64_t digest = 14695981039346656037ull;
  const auto mix = [&digest](char c) {
    digest = (digest ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  };
  for (const std::string& id : request.producer_ids()) {
    for (const char c : id) mix(c);
    mix('\n');
  }
  return digest;
}

constexpr absl::string_view kProducerTokenVersion = "p1:";

// The token of the page after `last_listed`: opaque (web-safe base64) to clients.
std::string ProducerPageToken(const std::string& last_listed, uint64_t digest) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kProducerTokenVersion, absl::Hex(digest, absl::kZeroPad16), ":", last_listed));
}

// The producer id a page starts after: empty for the first page.
absl::StatusOr<std::string> ProducerPageStart(const std::string& token, uint64_t digest) {
  if (token.empty()) return std::string();
  const auto refused = [] {
    return absl::InvalidArgumentError(
        "page_token: not a token returned by this service for these producer_ids");
  };
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(token, &decoded)) return refused();
  const std::string expected =
      absl::StrCat(kProducerTokenVersion, absl::Hex(digest, absl::kZeroPad16), ":");
  if (!absl::StartsWith(decoded, expected) || decoded.size() == expected.size()) return refused();
  return decoded.substr(expected.size());
}

// One page of the producers asked for (all when producer_ids is empty), in producer_id order,
// with the one after the page when there is one.
absl::StatusOr<std::vector<ingest::ProducerStatus>> ProducersPage(
    const ingest::EventLog& log, const v1::GetIngestionStatusRequest& request, size_t page_size,
    uint64_t digest) {
  absl::StatusOr<std::string> start_after = ProducerPageStart(request.page_token(), digest);
  if (!start_after.ok()) return start_after.status();
  if (request.producer_ids_size() == 0) return log.Producers(*start_after, page_size + 1);
  std::vector<std::string> wanted(request.producer_ids().begin(), request.producer_ids().end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<ingest::ProducerStatus> producers;
  for (auto it = std::upper_bound(wanted.begin(), wanted.end(), *start_after);
       it != wanted.end() && producers.size() <= page_size; ++it) {
    if (std::optional<ingest::ProducerStatus> producer = log.Producer(*it)) {
      producers.push_back(*std::move(producer));
    }
  }
  return producers;
}

}  // namespace

absl::Status IngestionStatusToProto(const ingest::EventLog& log,
                                    const v1::GetIngestionStatusRequest& request,
                                    v1::GetIngestionStatusResponse* response) {
  absl::StatusOr<int> page_size = rpc::PageSize(request.page_size(), 100, 1000);
  if (!page_size.ok()) return page_size.status();
  const uint64_t digest = ProducerIdsDigest(request);
  absl::StatusOr<std::vector<ingest::ProducerStatus>> producers =
      ProducersPage(log, request, static_cast<size_t>(*page_size), digest);
  if (!producers.ok()) return producers.status();
  if (producers->size() > static_cast<size_t>(*page_size)) {
    producers->pop_back();
    response->set_next_page_token(ProducerPageToken(producers->back().producer_id, digest));
  }
  const ingest::LogStatus status = log.Status();
  response->set_events_accepted(status.events_accepted);
  response->set_events_duplicate(status.events_duplicate);
  response->set_events_rejected(status.events_rejected);
  response->set_batches_accepted(status.batches_accepted);
  response->set_batches_duplicate(status.batches_duplicate);
  response->set_batches_rejected(status.batches_rejected);
  response->set_published_reports_imported(status.published_reports_imported);
  response->set_raw_event_files_imported(status.raw_event_files_imported);
  response->set_last_log_sequence(status.last_log_sequence);
  response->set_applied_log_sequence(status.applied_log_sequence);
  response->set_backlog_entries(status.backlog_entries);
  response->set_backlog_events(status.backlog_events);
  SetTime(status.last_applied_time, response->mutable_last_applied_time());

  for (const ingest::ProducerStatus& p : *producers) {
    v1::ProducerStatus* out = response->add_producers();
    out->set_producer_id(p.producer_id);
    out->set_last_acknowledged_sequence(p.last_acknowledged_sequence);
    out->set_batches_accepted(p.batches_accepted);
    out->set_events_accepted(p.events_accepted);
    SetTime(p.last_acknowledged_time, out->mutable_last_acknowledged_time());
  }
  return absl::OkStatus();
}

}  // namespace omnia::api

#include "libs/api/event_convert.h"

#include <string>
#include <variant>

#include "absl/time/time.h"
#include "libs/rpc/paging.h"
#include "libs/rpc/status_mapping.h"
#include "libs/rpc/timestamp.h"

namespace omnia::api {
namespace {

domain::Date DateFromProto(const v1::Date& date) {
  return domain::Date{date.year(), date.month(), date.day()};
}

void AssignApplication(const v1::ApplicationAuthorized& a, ingest::RawEvent& slot) {
  if (!std::holds_alternative<domain::ApplicationAuthorized>(slot)) {
    slot.emplace<domain::ApplicationAuthorized>();
  }
  auto& out = std::get<domain::ApplicationAuthorized>(slot);
  out.application_id.assign(a.application_id());
  out.authorized_on = DateFromProto(a.authorized_on());
  out.region.assign(a.region());
  out.intervention_type.assign(a.intervention_type());
}

void AssignPayment(const v1::PaymentIssued& p, ingest::RawEvent& slot) {
  if (!std::holds_alternative<domain::PaymentIssued>(slot)) slot.emplace<domain::PaymentIssued>();
  auto& out = std::get<domain::PaymentIssued>(slot);
  out.payment_id.assign(p.payment_id());
  out.worker_id.assign(p.worker_id());
  out.paid_on = DateFromProto(p.paid_on());
  out.region.assign(p.region());
  out.intervention_type.assign(p.intervention_type());
  out.months_covered = p.months_covered();
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

void EventsFromProto(const v1::EventBatch& batch, std::vector<ingest::RawEvent>& events,
                     std::vector<uint64_t>& without_kind) {
  size_t n = 0;
  for (int i = 0; i < batch.events_size(); ++i) {
    const v1::Event& event = batch.events(i);
    if (!event.has_application_authorized() && !event.has_payment_issued()) {
      without_kind.push_back(static_cast<uint64_t>(i));
      continue;
    }
    if (n == events.size()) events.emplace_back();
    if (event.has_application_authorized()) {
      AssignApplication(event.application_authorized(), events[n++]);
    } else {
      AssignPayment(event.payment_issued(), events[n++]);
    }
  }
  events.resize(n);
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

}  // namespace

absl::Status IngestionStatusToProto(const ingest::EventLog& log,
                                    const v1::GetIngestionStatusRequest& request,
                                    v1::GetIngestionStatusResponse* response) {
  absl::StatusOr<int> page_size = rpc::PageSize(request.page_size(), 100, 1000);
  if (!page_size.ok()) return page_size.status();
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

  std::vector<ingest::ProducerStatus> producers;
  if (request.producer_ids_size() > 0) {
    for (const std::string& id : request.producer_ids()) {
      if (auto p = log.Producer(id)) producers.push_back(*p);
    }
  } else {
    producers = log.Producers(request.page_token(), *page_size + 1);
    if (producers.size() > static_cast<size_t>(*page_size)) {
      producers.pop_back();
      response->set_next_page_token(producers.back().producer_id);
    }
  }
  for (const ingest::ProducerStatus& p : producers) {
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

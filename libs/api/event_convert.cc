#include "libs/api/event_convert.h"

#include <string>
#include <variant>

#include "libs/rpc/status_mapping.h"

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

}  // namespace omnia::api

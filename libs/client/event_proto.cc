#include "libs/client/event_proto.h"

namespace omnia::client {
namespace {

void SetDate(const domain::Date& date, v1::Date* out) {
  out->set_year(date.year);
  out->set_month(date.month);
  out->set_day(date.day);
}

}  // namespace

void ToProto(const domain::ApplicationAuthorized& event, v1::ApplicationAuthorized* out) {
  out->set_application_id(event.application_id);
  SetDate(event.authorized_on, out->mutable_authorized_on());
  out->set_region(event.region);
  out->set_intervention_type(event.intervention_type);
}

void ToProto(const domain::PaymentIssued& event, v1::PaymentIssued* out) {
  out->set_payment_id(event.payment_id);
  out->set_worker_id(event.worker_id);
  SetDate(event.paid_on, out->mutable_paid_on());
  out->set_region(event.region);
  out->set_intervention_type(event.intervention_type);
  out->set_months_covered(static_cast<uint32_t>(event.months_covered));
}

}  // namespace omnia::client

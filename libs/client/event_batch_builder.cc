#include "libs/client/event_batch_builder.h"

#include <utility>

namespace omnia::client {
namespace {

uint32_t DateNumber(const domain::Date& date) {
  return static_cast<uint32_t>(date.year * 10000 + date.month * 100 + date.day);
}

// The position of `code` in `codes`, listing it first if it is new.
template <typename Positions>
uint32_t PositionOf(const std::string& code, Positions& positions,
                    google::protobuf::RepeatedPtrField<std::string>* codes) {
  auto [it, added] = positions.try_emplace(code, static_cast<uint32_t>(codes->size()));
  if (added) codes->Add()->assign(code);
  return it->second;
}

// Appends `id` and the line feed that ends it.
void AppendLine(const std::string& id, std::string* column) {
  column->append(id);
  column->push_back('\n');
}

}  // namespace

void EventBatchBuilder::Add(const domain::ApplicationAuthorized& event) {
  v1::ApplicationColumns* columns = batch_.mutable_application_columns();
  AppendLine(event.application_id, columns->mutable_application_ids());
  columns->add_authorized_on(DateNumber(event.authorized_on));
  columns->add_regions(
      PositionOf(event.region, application_regions_, columns->mutable_region_codes()));
  columns->add_intervention_types(PositionOf(event.intervention_type, application_types_,
                                             columns->mutable_intervention_type_codes()));
  ++events_;
}

void EventBatchBuilder::Add(const domain::PaymentIssued& event) {
  v1::PaymentColumns* columns = batch_.mutable_payment_columns();
  AppendLine(event.payment_id, columns->mutable_payment_ids());
  AppendLine(event.worker_id, columns->mutable_worker_ids());
  columns->add_paid_on(DateNumber(event.paid_on));
  columns->add_regions(PositionOf(event.region, payment_regions_, columns->mutable_region_codes()));
  columns->add_intervention_types(PositionOf(event.intervention_type, payment_types_,
                                             columns->mutable_intervention_type_codes()));
  columns->add_months_covered(static_cast<uint32_t>(event.months_covered));
  ++events_;
}

v1::EventBatch EventBatchBuilder::Take(const std::string& producer_id, uint64_t sequence) {
  v1::EventBatch batch = std::move(batch_);
  batch.set_producer_id(producer_id);
  batch.set_sequence(sequence);
  batch_.Clear();
  events_ = 0;
  application_regions_.clear();
  application_types_.clear();
  payment_regions_.clear();
  payment_types_.clear();
  return batch;
}

}  // namespace omnia::client

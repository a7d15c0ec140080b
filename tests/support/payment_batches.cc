#include "tests/support/payment_batches.h"

#include "absl/strings/str_cat.h"

namespace omnia::testing {

v1::EventBatch PaymentBatch(const std::string& producer_id, uint64_t sequence, int first,
                            int count) {
  v1::EventBatch batch;
  batch.set_producer_id(producer_id);
  batch.set_sequence(sequence);
  for (int i = first; i < first + count; ++i) {
    v1::PaymentIssued* p = batch.add_events()->mutable_payment_issued();
    p->set_payment_id(absl::StrCat("P", i));
    p->set_worker_id(absl::StrCat("RSSMRA80A01H50", i % 10, "Z"));
    p->mutable_paid_on()->set_year(2024);
    p->mutable_paid_on()->set_month(1 + i % 12);
    p->mutable_paid_on()->set_day(10);
    p->set_region(i % 2 ? "LAZIO" : "LOMBARDIA");
    p->set_intervention_type("CIGO");
    p->set_months_covered(1);
  }
  return batch;
}

}  // namespace omnia::testing

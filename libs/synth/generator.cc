#include "libs/synth/generator.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/domain/period.h"
#include "libs/synth/internal/format.h"
#include "libs/synth/internal/plan.h"
#include "libs/synth/worker_id.h"

namespace omnia::synth {

GeneratorOptions SmallOptions(uint64_t seed) {
  GeneratorOptions options;
  options.seed = seed;
  options.payments = 20'000;
  options.applications = 2'000;
  options.workers = 2'000;
  return options;
}

GeneratorOptions InpsScaleOptions(uint64_t seed) {
  GeneratorOptions options;
  options.seed = seed;
  options.payments = 3'300'000;
  options.applications = 5'200'000;
  options.workers = 330'000;
  return options;
}

absl::Status ValidateOptions(const GeneratorOptions& options) {
  if (options.first_year < domain::kMinYear || options.first_year > domain::kMaxYear) {
    return absl::InvalidArgumentError(absl::StrCat("first_year must be in ", domain::kMinYear, "..",
                                                   domain::kMaxYear, ", found ",
                                                   options.first_year));
  }
  if (options.last_year < options.first_year || options.last_year > domain::kMaxYear) {
    return absl::InvalidArgumentError(absl::StrCat("last_year must be in first_year (",
                                                   options.first_year, ")..", domain::kMaxYear,
                                                   ", found ", options.last_year));
  }
  if (options.payments > kMaxEvents || options.applications > kMaxEvents) {
    return absl::InvalidArgumentError(absl::StrCat("payments and applications must be at most ",
                                                   kMaxEvents, " (ids have ", kEventIdDigits,
                                                   " digits)"));
  }
  if (options.workers > options.payments) {
    return absl::InvalidArgumentError(absl::StrCat("workers (", options.workers,
                                                   ") must not exceed payments (", options.payments,
                                                   "): every worker gets at least one payment"));
  }
  if (options.payments > 0 && options.workers == 0) {
    return absl::InvalidArgumentError("workers must be at least 1 when there are payments");
  }
  if (options.mobility_percent > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("mobility_percent must be in 0..100, found ", options.mobility_percent));
  }
  if (options.duplicate_per_mille > 1000 || options.lowercase_per_mille > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("duplicate_per_mille and lowercase_per_mille must be in 0..1000, found ",
                     options.duplicate_per_mille, " and ", options.lowercase_per_mille));
  }
  if (options.workers >= kMaxSyntheticWorkers) {
    return absl::InvalidArgumentError(absl::StrCat("workers must be below ", kMaxSyntheticWorkers));
  }
  return absl::OkStatus();
}

absl::Status Generate(const GeneratorOptions& options, EventVisitor* visitor) {
  absl::StatusOr<internal::Plan> plan = internal::Plan::Create(options);
  if (!plan.ok()) return plan.status();
  const WorkerIdFormatter worker_ids(options.seed);
  // One object per kind, refilled in place: strings keep their capacity across events.
  domain::ApplicationAuthorized application;
  domain::PaymentIssued payment;
  payment.worker_id.assign(kWorkerIdLength, ' ');
  char id[1 + kEventIdDigits];
  absl::Status status;
  const auto on_application = [&](const internal::ApplicationRecord& record) {
    internal::PutEventId('A', record.number, id);
    application.application_id.assign(id, sizeof(id));
    application.region.assign(internal::RegionLabel(record.region));
    application.intervention_type.assign(internal::TypeCode(record.type));
    status = visitor->OnApplication(application);
    return status.ok();
  };
  const auto on_payment = [&](const internal::PaymentRecord& record) {
    internal::PutEventId('P', record.number, id);
    payment.payment_id.assign(id, sizeof(id));
    worker_ids.Format(record.worker, payment.worker_id.data());
    if (record.lowercase_worker_id) absl::AsciiStrToLower(&payment.worker_id);
    payment.region.assign(internal::RegionLabel(record.region));
    payment.intervention_type.assign(internal::TypeCode(record.type));
    payment.months_covered = record.months_covered;
    status = visitor->OnPayment(payment);
    if (status.ok() && record.duplicated) status = visitor->OnPayment(payment);
    return status.ok();
  };
  for (const internal::MonthPlan& month : plan->months()) {
    for (int slot = 0; slot < month.workday_count; ++slot) {
      const domain::Date date{month.year_month.year, month.year_month.month, month.workdays[slot]};
      application.authorized_on = date;
      payment.paid_on = date;
      if (!plan->ForEachApplication(month, slot, on_application)) return status;
      if (!plan->ForEachPayment(month, slot, on_payment)) return status;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<GeneratedEvents> GenerateEvents(const GeneratorOptions& options) {
  class Collector : public EventVisitor {
   public:
    explicit Collector(GeneratedEvents* out) : out_(out) {}
    absl::Status OnApplication(const domain::ApplicationAuthorized& event) override {
      out_->applications.push_back(event);
      return absl::OkStatus();
    }
    absl::Status OnPayment(const domain::PaymentIssued& event) override {
      out_->payments.push_back(event);
      return absl::OkStatus();
    }

   private:
    GeneratedEvents* out_;
  };
  if (absl::Status valid = ValidateOptions(options); !valid.ok()) return valid;
  GeneratedEvents events;
  events.applications.reserve(options.applications);
  events.payments.reserve(options.payments);
  Collector collector(&events);
  if (absl::Status status = Generate(options, &collector); !status.ok()) return status;
  return events;
}

}  // namespace omnia::synth

#include "libs/ingest/batch_validation.h"

#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"

namespace omnia::ingest {
namespace {

bool ValidProducer(const std::string& producer) {
  if (producer.empty() || producer.size() > 128) return false;
  for (char c : producer) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The logged form of an event, written in place: a batch's events are built where the batch
// holds them, not built aside and moved there (a copy of every event's id and pseudonym).
void FillLogged(const domain::ApplicationAuthorized& a, const domain::CodeIndices& codes,
                LoggedApplication& out) {
  out.application_id = a.application_id;
  out.authorized_on = a.authorized_on;
  out.region = codes.region;
  out.type = codes.type;
}

void FillLogged(const domain::PaymentIssued& p, const domain::CodeIndices& codes,
                const facts::Pseudonym& worker, LoggedPayment& out) {
  out.payment_id = p.payment_id;
  out.worker = worker;
  out.paid_on = p.paid_on;
  out.region = codes.region;
  out.type = codes.type;
  out.months_covered = static_cast<uint32_t>(p.months_covered);
}

}  // namespace

LoggedEvent ToLogged(const RawEvent& event, const domain::CodeIndices& codes,
                     Pseudonymizer::Session& pseudonymizer) {
  if (const auto* a = std::get_if<domain::ApplicationAuthorized>(&event)) {
    LoggedApplication out;
    FillLogged(*a, codes, out);
    return out;
  }
  const auto& p = std::get<domain::PaymentIssued>(event);
  LoggedPayment out;
  FillLogged(p, codes, pseudonymizer.Pseudonymise(p.worker_id), out);
  return out;
}

LoggedEvent ToLogged(const RawEvent& event, const domain::Codelists& codelists,
                     Pseudonymizer::Session& pseudonymizer) {
  const auto codes = [&](const auto& e) {
    return domain::CodeIndices{codelists.RegionByInputCode(e.region)->index,
                               codelists.InterventionTypeByInputCode(e.intervention_type)->index};
  };
  return ToLogged(event, std::visit(codes, event), pseudonymizer);
}

BatchCheck CheckBatch(const std::string& producer_id, uint64_t sequence,
                      const std::vector<RawEvent>& events, const domain::Codelists& codelists,
                      const Pseudonymizer& pseudonymizer, size_t max_violations,
                      const domain::Date& latest, const FieldPath& field_path,
                      const std::vector<domain::CodeIndices>* resolved) {
  BatchCheck check;
  auto add = [&](uint64_t index, std::string id, std::string field, std::string reason) {
    if (check.violations.size() < max_violations) {
      check.violations.push_back({index, std::move(id), std::move(field), std::move(reason)});
    } else {
      ++check.violations_omitted;
    }
  };
  if (!ValidProducer(producer_id)) {
    add(0, "", "producer_id", "required: 1 to 128 characters from A-Z a-z 0-9 . _ : -");
  }
  if (sequence == 0) add(0, "", "sequence", "must be at least 1");
  if (events.empty() || events.size() > kMaxEventsPerBatch) {
    add(0, "", "events", EventCountReason(events.size()));
  }
  // The codes each event's check found, so that conversion does not look them up again.
  std::vector<domain::CodeIndices> codes = resolved != nullptr && resolved->size() == events.size()
                                               ? *resolved
                                               : std::vector<domain::CodeIndices>(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    std::vector<domain::FieldError> errors;
    std::string id;
    if (const auto* a = std::get_if<domain::ApplicationAuthorized>(&events[i])) {
      errors = domain::Validate(*a, codelists, latest, &codes[i]);
      if (errors.empty()) continue;
      id = a->application_id;
    } else {
      const auto& p = std::get<domain::PaymentIssued>(events[i]);
      errors = domain::Validate(p, codelists, latest, &codes[i]);
      if (errors.empty()) continue;
      id = p.payment_id;
    }
    // An id that is itself invalid is not echoed back beyond its field error.
    for (const domain::FieldError& e : errors) {
      if (e.field == "application_id" || e.field == "payment_id") id.clear();
    }
    for (domain::FieldError& e : errors) {
      add(i, id, field_path ? field_path(i, e.field) : std::move(e.field), std::move(e.reason));
    }
  }
  if (!check.violations.empty()) return check;
  check.batch.producer_id = producer_id;
  check.batch.sequence = sequence;
  // The batch's workers are pseudonymised together (see Pseudonymizer::PseudonymiseAll).
  std::vector<std::string_view> worker_ids;
  worker_ids.reserve(events.size());
  for (const RawEvent& event : events) {
    if (const auto* p = std::get_if<domain::PaymentIssued>(&event)) {
      worker_ids.push_back(p->worker_id);
    }
  }
  std::vector<facts::Pseudonym> workers(worker_ids.size());
  pseudonymizer.PseudonymiseAll(worker_ids, absl::MakeSpan(workers));
  check.batch.events.reserve(events.size());
  size_t next_worker = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (const auto* a = std::get_if<domain::ApplicationAuthorized>(&events[i])) {
      FillLogged(*a, codes[i],
                 std::get<LoggedApplication>(
                     check.batch.events.emplace_back(std::in_place_type<LoggedApplication>)));
    } else {
      FillLogged(std::get<domain::PaymentIssued>(events[i]), codes[i], workers[next_worker++],
                 std::get<LoggedPayment>(
                     check.batch.events.emplace_back(std::in_place_type<LoggedPayment>)));
    }
  }
  return check;
}

std::string BatchSizeReason(size_t bytes) {
  return absl::StrCat("the encoded batch is ", bytes, " bytes; at most ", kMaxBatchBytes,
                      " (4 MiB): send fewer events per batch");
}

std::string EventCountReason(uint64_t events) {
  return absl::StrCat("a batch holds 1 to ", kMaxEventsPerBatch, " events, got ", events);
}

std::string DescribeViolations(const std::vector<Violation>& violations, uint64_t omitted) {
  std::string out;
  for (const Violation& v : violations) {
    if (!out.empty()) out += "; ";
    absl::StrAppend(&out, "events[", v.event_index, "].", v.field, ": ", v.reason);
  }
  if (omitted > 0) absl::StrAppend(&out, "; and ", omitted, " more");
  return out;
}

}  // namespace omnia::ingest

// Fuzzes ingest::CheckBatch with events whose every field comes from the input: it must never
// crash, must name only real event indexes, must never echo a worker id, and when it accepts a
// batch every event must carry valid codelist indexes and the pseudonym of its worker.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "libs/ingest/batch_validation.h"

namespace {

const omnia::domain::Codelists& Lists() {
  static const auto* lists = new omnia::domain::Codelists(omnia::domain::Codelists::Builtin());
  return *lists;
}

const omnia::ingest::Pseudonymizer& Keyed() {
  static const auto* p =
      omnia::ingest::Pseudonymizer::Create("fuzz-key-0123456789abcdef0123456789").value().release();
  return *p;
}

// Half the time a real code, otherwise fuzzer bytes, so both paths get explored.
std::string Code(FuzzedDataProvider& in, const std::vector<std::string>& valid) {
  if (in.ConsumeBool()) return valid[in.ConsumeIntegralInRange<size_t>(0, valid.size() - 1)];
  return in.ConsumeRandomLengthString(24);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  std::vector<std::string> regions;
  for (const auto& r : Lists().regions()) regions.push_back(r.inps_label);
  std::vector<std::string> types;
  for (const auto& t : Lists().intervention_types()) types.push_back(t.code);

  std::vector<omnia::ingest::RawEvent> events;
  std::vector<std::string> worker_ids;
  const size_t count = in.ConsumeIntegralInRange<size_t>(0, 40);
  for (size_t i = 0; i < count && in.remaining_bytes() > 0; ++i) {
    omnia::domain::Date date{in.ConsumeIntegralInRange<int>(2015, 2105),
                             in.ConsumeIntegralInRange<int>(0, 13),
                             in.ConsumeIntegralInRange<int>(0, 32)};
    if (in.ConsumeBool()) {
      events.push_back(omnia::domain::ApplicationAuthorized{in.ConsumeRandomLengthString(70), date,
                                                            Code(in, regions), Code(in, types)});
    } else {
      std::string worker = in.ConsumeBool() ? "RSSMRA85T10A562S" : in.ConsumeRandomLengthString(20);
      worker_ids.push_back(worker);
      events.push_back(omnia::domain::PaymentIssued{in.ConsumeRandomLengthString(70), worker, date,
                                                    Code(in, regions), Code(in, types),
                                                    in.ConsumeIntegralInRange<int64_t>(-2, 14)});
    }
  }
  const std::string producer = in.ConsumeRandomLengthString(10);
  const uint64_t sequence = in.ConsumeIntegral<uint64_t>();
  const omnia::ingest::BatchCheck check =
      omnia::ingest::CheckBatch(producer, sequence, events, Lists(), Keyed(), 8);

  const std::string description = omnia::ingest::DescribeViolations(check);
  for (const std::string& worker : worker_ids) {
    if (omnia::domain::LooksLikeWorkerId(worker) && description.find(worker) != std::string::npos) {
      __builtin_trap();  // personal data in an error message
    }
  }
  for (const omnia::ingest::Violation& v : check.violations) {
    if (v.event_index >= events.size() && !events.empty()) __builtin_trap();
  }
  if (!check.violations.empty()) return 0;
  if (check.batch.events.size() != events.size()) __builtin_trap();
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& logged = check.batch.events[i];
    if (const auto* p = std::get_if<omnia::ingest::LoggedPayment>(&logged)) {
      const auto& raw = std::get<omnia::domain::PaymentIssued>(events[i]);
      if (p->worker != Keyed().Pseudonymise(raw.worker_id)) __builtin_trap();
      if (p->region < 0 || p->region >= 20 || p->type < 0 || p->type >= 6) __builtin_trap();
    } else {
      const auto& a = std::get<omnia::ingest::LoggedApplication>(logged);
      if (a.region < 0 || a.region >= 20 || a.type < 0 || a.type >= 6) __builtin_trap();
    }
  }
  return 0;
}

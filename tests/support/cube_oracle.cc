#include "tests/support/cube_oracle.h"

#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/domain/codelists.h"

namespace omnia::testing {

std::string CodiceFiscale(int n) {
  // 6 letters, 2 digits, letter, 2 digits, letter, 3 digits, letter.
  std::string cf = "RSSMRA00A00H000Z";
  const std::string letters = "ABCDEFGHLMNPRSTVZ";
  int x = n;
  for (int i = 0; i < 6; ++i, x /= 17) cf[i] = letters[x % 17];
  cf[6] = static_cast<char>('0' + (n / 7) % 10);
  cf[7] = static_cast<char>('0' + (n / 3) % 10);
  cf[9] = static_cast<char>('0' + n % 10);
  cf[12] = static_cast<char>('0' + (n / 11) % 10);
  cf[13] = static_cast<char>('0' + (n / 13) % 10);
  cf[14] = static_cast<char>('0' + (n / 17) % 10);
  return cf;
}

std::vector<Event> MakeEvents(int count, int workers, uint64_t seed, const std::string& id_prefix) {
  const domain::Codelists codelists = domain::Codelists::Builtin();
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<Event> events;
  for (int i = 0; i < count; ++i) {
    Event e;
    e.payment = pick(0, 3) != 0;
    e.id = absl::StrCat(id_prefix, e.payment ? "P" : "A", i);
    e.worker = CodiceFiscale(pick(0, workers - 1));
    e.year = pick(2022, 2023);
    e.month = pick(1, 12);
    e.day = pick(1, 28);
    e.region = codelists.regions()[pick(0, 19)].inps_label;
    e.type = codelists.intervention_types()[pick(0, 5)].code;
    e.months = pick(0, 2);
    events.push_back(e);
  }
  return events;
}

v1::EventBatch ToBatch(const std::vector<Event>& events, size_t begin, size_t end,
                       uint64_t sequence, const std::string& producer) {
  v1::EventBatch batch;
  batch.set_producer_id(producer);
  batch.set_sequence(sequence);
  for (size_t i = begin; i < end; ++i) {
    const Event& e = events[i];
    v1::Event* out = batch.add_events();
    if (e.payment) {
      v1::PaymentIssued* p = out->mutable_payment_issued();
      p->set_payment_id(e.id);
      p->set_worker_id(e.worker);
      p->mutable_paid_on()->set_year(e.year);
      p->mutable_paid_on()->set_month(e.month);
      p->mutable_paid_on()->set_day(e.day);
      p->set_region(e.region);
      p->set_intervention_type(e.type);
      p->set_months_covered(e.months);
    } else {
      v1::ApplicationAuthorized* a = out->mutable_application_authorized();
      a->set_application_id(e.id);
      a->mutable_authorized_on()->set_year(e.year);
      a->mutable_authorized_on()->set_month(e.month);
      a->mutable_authorized_on()->set_day(e.day);
      a->set_region(e.region);
      a->set_intervention_type(e.type);
    }
  }
  return batch;
}

std::map<CellKey, uint64_t> Recompute(const std::vector<Event>& events) {
  const domain::Codelists codelists = domain::Codelists::Builtin();
  std::map<CellKey, uint64_t> sums;
  std::map<CellKey, std::set<std::string>> workers;
  for (const Event& e : events) {
    const domain::Region& region = **codelists.FindRegion(e.region);
    const domain::InterventionType& type = **codelists.FindInterventionType(e.type);
    const int period[3] = {e.month, (e.month - 1) / 3 + 1, 0};
    const std::string regions[3] = {region.inps_label, region.macro_area_code, "ITALY"};
    const std::string types[3] = {type.code, type.family_code, "ALL"};
    for (int p = 0; p < 3; ++p) {
      for (int r = 0; r < 3; ++r) {
        for (int t = 0; t < 3; ++t) {
          auto key = [&](const std::string& m) {
            return CellKey(m, p, e.year, period[p], r, regions[r], t, types[t]);
          };
          if (!e.payment) {
            ++sums[key("APPLICATIONS")];
            continue;
          }
          workers[key("WORKERS")].insert(e.worker);
          if (e.months > 0) sums[key("BENEFIT_MONTHS")] += e.months;
        }
      }
    }
  }
  for (const auto& [k, set] : workers) sums[k] = set.size();
  return sums;
}

absl::StatusOr<std::map<CellKey, uint64_t>> QueryEverything(v1::AggregationService::Stub& stub,
                                                            int first_year, int last_year) {
  std::map<CellKey, uint64_t> cells;
  for (int p = 1; p <= 3; ++p) {
    for (int r = 1; r <= 3; ++r) {
      for (int t = 1; t <= 3; ++t) {
        v1::QueryRequest request;
        v1::CellQuery* q = request.mutable_query();
        for (const char* m : {"APPLICATIONS", "WORKERS", "BENEFIT_MONTHS"}) q->add_measures(m);
        q->set_period_level(static_cast<v1::PeriodLevel>(p));
        q->set_region_level(static_cast<v1::RegionLevel>(r));
        q->set_type_level(static_cast<v1::TypeLevel>(t));
        q->mutable_period_range()->mutable_first()->set_year(first_year);
        q->mutable_period_range()->mutable_first()->set_month(1);
        q->mutable_period_range()->mutable_last()->set_year(last_year);
        q->mutable_period_range()->mutable_last()->set_month(12);
        request.set_page_size(10000);
        while (true) {
          grpc::ClientContext context;
          context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
          v1::QueryResponse response;
          const grpc::Status status = stub.Query(&context, request, &response);
          if (!status.ok()) {
            return absl::UnavailableError(absl::StrCat("Query: ", status.error_message()));
          }
          for (const v1::Cell& c : response.cells()) {
            const int index = p == 1 ? c.period().month() : (p == 2 ? c.period().quarter() : 0);
            cells[CellKey(c.measure(), p - 1, c.period().year(), index, r - 1, c.region().code(),
                          t - 1, c.intervention_type().code())] = c.value();
          }
          if (response.next_page_token().empty()) break;
          request.set_page_token(response.next_page_token());
        }
      }
    }
  }
  return cells;
}

CubeComparison CompareCubes(const std::map<CellKey, uint64_t>& expected,
                            const std::map<CellKey, uint64_t>& actual) {
  CubeComparison out;
  auto note = [&](const CellKey& key, uint64_t want, uint64_t got) {
    ++out.cells_differing;
    const bool base = std::get<1>(key) == 0 && std::get<4>(key) == 0 && std::get<6>(key) == 0;
    if (base && std::get<0>(key) != "WORKERS") {
      if (want > got) out.units_missing += want - got;
      if (got > want) out.units_extra += got - want;
    }
    if (out.first_differences.size() < 5) {
      out.first_differences.push_back(absl::StrCat(
          std::get<0>(key), " ", std::get<2>(key), "/", std::get<3>(key), " ", std::get<5>(key),
          " ", std::get<7>(key), ": expected ", want, ", got ", got));
    }
  };
  for (const auto& [key, value] : expected) {
    auto it = actual.find(key);
    const uint64_t got = it == actual.end() ? 0 : it->second;
    if (got != value) note(key, value, got);
  }
  for (const auto& [key, value] : actual) {
    if (value != 0 && expected.find(key) == expected.end()) note(key, 0, value);
  }
  return out;
}

}  // namespace omnia::testing

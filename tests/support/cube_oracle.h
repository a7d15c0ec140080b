// An independent oracle for the cubes: synthetic events kept in the clear, the value of every
// cell of every level recomputed from them with plain maps and sets, and the same cells read back
// from a running aggregation service, so end-to-end tests and the crash test can compare the two.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "omnia/v1/ingestion.pb.h"

namespace omnia::testing {

struct Event {
  bool payment = false;
  std::string id;
  std::string worker;  // clear codice fiscale (payments)
  int year = 0, month = 0, day = 0;
  std::string region, type;
  int months = 0;
};

// A valid-looking codice fiscale for worker `n`.
std::string CodiceFiscale(int n);

// `count` events (about 3 payments in 4) of `workers` workers in 2022-2023, reproducible from
// `seed`; ids are `id_prefix` + "P"/"A" + their index.
std::vector<Event> MakeEvents(int count, int workers, uint64_t seed,
                              const std::string& id_prefix = "");

// events[begin, end) as one StreamEvents batch.
v1::EventBatch ToBatch(const std::vector<Event>& events, size_t begin, size_t end,
                       uint64_t sequence, const std::string& producer = "e2e-producer");

// (measure, period level, year, period index, region level, region code, type level, type code)
using CellKey = std::tuple<std::string, int, int, int, int, std::string, int, std::string>;

// Every non-empty cell of every level, recomputed from the events.
std::map<CellKey, uint64_t> Recompute(const std::vector<Event>& events);

// Every cell of every level for the three measures in [first_year, last_year], as the service
// answers them.
absl::StatusOr<std::map<CellKey, uint64_t>> QueryEverything(v1::AggregationService::Stub& stub,
                                                            int first_year, int last_year);

// How the served cells differ from the expected ones.
struct CubeComparison {
  uint64_t cells_differing = 0;
  // Over the APPLICATIONS and BENEFIT_MONTHS cells at month x region x type: what the expected
  // cells hold beyond the served ones (lost) and the reverse (doubled).
  uint64_t units_missing = 0;
  uint64_t units_extra = 0;
  std::vector<std::string> first_differences;  // at most 5, readable
};
CubeComparison CompareCubes(const std::map<CellKey, uint64_t>& expected,
                            const std::map<CellKey, uint64_t>& actual);

}  // namespace omnia::testing

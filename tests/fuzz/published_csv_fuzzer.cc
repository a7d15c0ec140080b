// Fuzzes PublishedCsvParser: it must never crash, chunking must not change the outcome, and every
// accepted file must satisfy the reader's guarantees.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "libs/domain/codelists.h"
#include "libs/domain/period.h"
#include "libs/domain/published_csv.h"

namespace {

using omnia::domain::Codelists;
using omnia::domain::PublishedCsvParser;
using omnia::domain::PublishedRow;

struct Outcome {
  absl::Status status;
  std::vector<PublishedRow> rows;
};

// Feeds input cut at the given offsets (ascending, within the input).
Outcome Run(const Codelists& lists, std::string_view input, const std::vector<size_t>& cuts) {
  PublishedCsvParser parser(lists);
  Outcome outcome;
  size_t begin = 0;
  for (size_t cut : cuts) {
    if (!outcome.status.ok()) break;
    outcome.status = parser.Feed(input.substr(begin, cut - begin), &outcome.rows);
    begin = cut;
  }
  if (outcome.status.ok()) outcome.status = parser.Feed(input.substr(begin), &outcome.rows);
  if (outcome.status.ok()) outcome.status = parser.Finish(&outcome.rows);
  if (outcome.status.ok() && (!parser.measure().has_value() ||
                              parser.rows() != static_cast<int64_t>(outcome.rows.size()))) {
    __builtin_trap();
  }
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Built once: the codelists are immutable after construction.
  static const Codelists* const lists = new Codelists(Codelists::Builtin());
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Cut points derived from the input itself, so every run is reproducible.
  uint64_t hash = 1469598103934665603ull;
  for (const uint8_t byte : std::string_view(input).substr(0, 64)) {
    hash = (hash ^ byte) * 1099511628211ull;
  }
  std::vector<size_t> cuts;
  if (size > 0) {
    for (int i = 0; i < 3; ++i) cuts.push_back(static_cast<size_t>((hash >> (i * 16)) % size));
    std::sort(cuts.begin(), cuts.end());
  }

  const Outcome whole = Run(*lists, input, {});
  const Outcome chunked = Run(*lists, input, cuts);
  if (whole.status != chunked.status || whole.rows != chunked.rows) __builtin_trap();
  if (!whole.status.ok()) {
    if (whole.status.code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
    return 0;
  }

  std::set<std::tuple<int, int, int, int>> keys;
  int64_t previous_line = 1;
  for (const PublishedRow& row : whole.rows) {
    if (row.year < omnia::domain::kMinYear || row.year > omnia::domain::kMaxYear) __builtin_trap();
    if (row.month < 1 || row.month > 12) __builtin_trap();
    if (row.type_index < 0 ||
        static_cast<size_t>(row.type_index) >= lists->intervention_types().size()) {
      __builtin_trap();
    }
    if (row.region_index < 0 || static_cast<size_t>(row.region_index) >= lists->regions().size()) {
      __builtin_trap();
    }
    if (row.value > omnia::domain::kMaxPublishedValue) __builtin_trap();
    if (row.line <= previous_line) __builtin_trap();
    previous_line = row.line;
    if (!keys.emplace(row.year, row.month, row.type_index, row.region_index).second) {
      __builtin_trap();
    }
  }
  return 0;
}

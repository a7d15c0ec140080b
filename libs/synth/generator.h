// Deterministic, realistic synthetic raw events (design §2): authorised applications and direct
// payments to workers, for tests, benchmarks and the demo run.
//
// Determinism: the output is a pure function of GeneratorOptions. Only integer arithmetic and a
// counter-based splitmix64 are used, so the same options give byte-identical events on every
// platform and compiler. Payments depend only on (seed, years, payments, workers) and applications
// only on (seed, years, applications): setting one count to 0 does not change the other stream.
//
// Realism (shaped on INPS's published 2023 files in ../shared/data/inps-2023):
// - volumes per month follow a COVID profile (2020 about 6x and 2021 about 3.5x the 2023 level,
//   2022 slightly above it, 2024 and later 5-10% above it) times a seasonality taken from the 2023
//   files;
// - regions are weighted by their workforce (Lombardia largest, about 17%; Valle d'Aosta smallest,
//   about 0.2%); FONDI_Territorio exists only in Trentino-Alto Adige, as the fund does;
// - the type mix changes with the period: CIGO, FIS and CIGD dominate the payments of the COVID
//   months, CIGS and CIGO afterwards; applications are mostly CIGO outside COVID; CIGD and the
//   FONDI_* are small after 2021;
// - each worker has one home region and a fixed position in the type mix, which gives their usual
//   type (92% of their payments; it changes only where the period's mix shifts, e.g. from COVID
//   schemes back to CIGS); a worker gets a first payment in an "anchor" month and further payments
//   in the 13 months around it, so distinct workers per year are a fraction of the payments;
// - months_covered is 1 for about 86% of payments, 2 or 3 for about 10%, 4..12 rarely, and 0 for
//   the about 3% that are adjustments: a second payment to the same worker on the same day (the
//   only way a worker is paid twice in a month, unless a peak month needs more payments than
//   there are workers around it);
// - dates are Italian working days (Monday to Friday, national holidays excluded).
//
// Counts are exact: `payments` payments, `applications` applications and exactly `workers`
// distinct worker ids (each worker gets at least one payment). Duplicate rows
// (duplicate_per_mille) come on top of `payments`: they repeat a payment, id included.
//
// Order: events are chronological. Within a month, the events of each kind are spread evenly over
// its working days; ids are "A"/"P" plus the 1-based position in that kind's stream, zero-padded to
// 10 digits, so they increase with the date. Generate() merges the two kinds day by day (a day's
// applications, then that day's payments).
#ifndef OMNIA_LIBS_SYNTH_GENERATOR_H_
#define OMNIA_LIBS_SYNTH_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/domain/events.h"

namespace omnia::synth {

struct GeneratorOptions {
  uint64_t seed = 1;
  int first_year = 2020;  // >= domain::kMinYear
  int last_year = 2025;   // >= first_year, <= domain::kMaxYear
  uint64_t payments = 10'000'000;
  uint64_t applications = 1'000'000;
  // Distinct workers over the whole dataset: 1..payments when there are payments, else 0.
  uint64_t workers = 1'000'000;
  // The shape of the payments beyond the defaults above (all 0: the realistic shape, unchanged).
  // Mobility: percent (0..100) of payments whose region and intervention type are drawn
  // independently of the worker (workers who move between employers, firms with plants in
  // several regions) instead of the worker's home region and usual type.
  uint32_t mobility_percent = 0;
  // Per mille of payments written twice, as exact duplicate rows (a file sent again in part).
  uint32_t duplicate_per_mille = 0;
  // Per mille of payments whose worker id is written in lower case (the same worker: ids are
  // case-insensitive).
  uint32_t lowercase_per_mille = 0;
};

// Ids are written with this many digits, which bounds the event counts.
inline constexpr int kEventIdDigits = 10;
inline constexpr uint64_t kMaxEvents = 9'999'999'999;

// A small dataset over the default years (20,000 payments, 2,000 applications, 2,000 workers):
// the same generator with small counts, quick enough for unit tests.
GeneratorOptions SmallOptions(uint64_t seed = 1);

// Counts at INPS's own scale over the default years: 5,200,000 applications, 3,300,000 payments
// and 330,000 workers, so that 2023 has about the 370,000 applications and 245,000 benefit months
// of the published 2023 files. For demos that should look like the real statistics.
GeneratorOptions InpsScaleOptions(uint64_t seed = 1);

// OK, or InvalidArgument naming the offending option.
absl::Status ValidateOptions(const GeneratorOptions& options);

// Receives the events one at a time. The event is only valid during the call (the generator reuses
// one object per kind). Returning an error stops the generation, which returns that error.
class EventVisitor {
 public:
  virtual ~EventVisitor() = default;
  virtual absl::Status OnApplication(const domain::ApplicationAuthorized& event) = 0;
  virtual absl::Status OnPayment(const domain::PaymentIssued& event) = 0;
};

// Streams every event, chronologically (see the file comment), without holding them in memory
// (memory is four bytes per worker plus small per-month tables).
absl::Status Generate(const GeneratorOptions& options, EventVisitor* visitor);

// Every event in memory, each kind in stream order: for small datasets.
struct GeneratedEvents {
  std::vector<domain::ApplicationAuthorized> applications;
  std::vector<domain::PaymentIssued> payments;
};
absl::StatusOr<GeneratedEvents> GenerateEvents(const GeneratorOptions& options);

// Writes the two raw-event CSV layouts of the design (header first, LF line ends, no quoting),
// each kind in stream order. Each file is written under a temporary name next to it and renamed
// into place when complete, so a failed run never leaves a truncated file under the final name.
// The two files are written concurrently.
absl::Status WriteRawCsv(const GeneratorOptions& options, const std::string& applications_path,
                         const std::string& payments_path);

// The same bytes as WriteRawCsv, in memory: for small datasets.
absl::Status RenderRawCsv(const GeneratorOptions& options, std::string* applications_csv,
                          std::string* payments_csv);

}  // namespace omnia::synth

#endif  // OMNIA_LIBS_SYNTH_GENERATOR_H_

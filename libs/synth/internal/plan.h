// The shape of a synthetic dataset, computed once from the options: per-month quotas, working
// days, worker anchors and attributes. Individual events are computed on demand from it (see
// random.h), so the dataset is streamed rather than held in memory.
#ifndef OMNIA_LIBS_SYNTH_INTERNAL_PLAN_H_
#define OMNIA_LIBS_SYNTH_INTERNAL_PLAN_H_

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/domain/period.h"
#include "libs/synth/generator.h"
#include "libs/synth/internal/random.h"

namespace omnia::synth::internal {

inline constexpr int kRegionCount = 20;
inline constexpr int kTypeCount = 6;
// Region index of Trentino-Alto Adige, the only region with territorial funds.
inline constexpr int kTrentinoAltoAdige = 3;
// Type index of FONDI_Territorio.
inline constexpr int kFondiTerritorio = 5;

// INPS label of a region (ISTAT order, as in the builtin codelists) and code of an intervention
// type (codelist order).
std::string_view RegionLabel(int region);
std::string_view TypeCode(int type);

// Periods with their own intervention-type mix.
enum Phase : int { kOrdinary = 0, kCovid2020 = 1, kCovid2021 = 2, kRecovery2022 = 3, kPhases = 4 };

// A discrete distribution over up to kRegionCount outcomes with integer weights.
class Distribution {
 public:
  Distribution() = default;
  Distribution(const uint32_t* weights, int count);

  int Sample(SplitMix64* rng) const { return Find(rng->Below(total_)); }

  // The outcome at a fixed quantile (in 1/65536ths): the same quantile gives the same outcome
  // while the weights stay similar.
  int AtQuantile(uint32_t quantile) const { return Find((total_ * quantile) >> 16); }

 private:
  int Find(uint64_t r) const {
    int i = 0;
    while (cumulative_[i] <= r) ++i;
    return i;
  }

  std::array<uint64_t, kRegionCount> cumulative_{};
  uint64_t total_ = 0;
};

struct MonthPlan {
  domain::YearMonth year_month;
  Phase phase = kOrdinary;
  // Working days (Monday to Friday, national holidays excluded), ascending.
  std::array<uint8_t, 31> workdays{};
  int workday_count = 0;
  // 0-based position in its stream of the month's first event, and the month's event count.
  uint64_t first_application = 0;
  uint64_t applications = 0;
  uint64_t first_payment = 0;
  uint64_t payments = 0;
  // Workers whose first payment is in this month: [first_new_worker, + new_workers).
  uint64_t first_new_worker = 0;
  uint64_t new_workers = 0;
  // The other payments go to workers anchored in the 13 months around this one (more in peak
  // months) except this month's new workers, who already have their payment: the pool is
  // [pool_begin, pool_begin + pool_size + pool_skip) without the pool_skip workers from
  // first_new_worker. The month's j-th such payment goes to pool position
  // (pool_offset + j * pool_stride) mod pool_size, with a stride coprime to the size: a random
  // permutation of the pool, so nobody is paid twice in a month before everyone was paid once.
  uint64_t pool_begin = 0;
  uint64_t pool_size = 0;
  uint64_t pool_skip = 0;
  uint64_t pool_offset = 0;
  uint64_t pool_stride = 1;
};

struct ApplicationRecord {
  uint64_t number = 0;  // 1-based position in the application stream
  int day = 0;
  int region = 0;
  int type = 0;
};

struct PaymentRecord {
  uint64_t number = 0;  // 1-based position in the payment stream
  uint64_t worker = 0;  // worker index
  int day = 0;
  int region = 0;
  int type = 0;
  int months_covered = 0;
  bool lowercase_worker_id = false;  // write the worker id in lower case
  bool duplicated = false;           // write the payment twice (an exact duplicate row)
};

// First event index (within a month of `count` events) that falls on working-day slot `slot`:
// event k falls on slot k * slots / count, which spreads events evenly and keeps them sorted.
inline uint64_t SlotBegin(uint64_t count, int slots, int slot) {
  const unsigned __int128 scaled = static_cast<unsigned __int128>(count) * slot;
  return static_cast<uint64_t>((scaled + slots - 1) / slots);
}

class Plan {
 public:
  // InvalidArgument when the options are not valid (see ValidateOptions).
  static absl::StatusOr<Plan> Create(const GeneratorOptions& options);

  const GeneratorOptions& options() const { return options_; }
  const std::vector<MonthPlan>& months() const { return months_; }

  // Calls fn(const ApplicationRecord&) -> bool for each application of `month` on working-day
  // slot `slot`, in stream order, while fn returns true. Returns false when fn stopped it.
  template <typename Fn>
  bool ForEachApplication(const MonthPlan& month, int slot, Fn&& fn) const;

  // The same for payments: fn(const PaymentRecord&) -> bool.
  template <typename Fn>
  bool ForEachPayment(const MonthPlan& month, int slot, Fn&& fn) const;

 private:
  Plan() = default;

  static int MonthsCovered(SplitMix64* rng);

  // The shape options of a payment: a mobile payment's region and type drawn from the month's
  // mix regardless of the worker, then the row options.
  void ApplyShape(const MonthPlan& month, PaymentRecord* record) const {
    SplitMix64 rng = SplitMix64::At(shape_key_, record->number);
    if (rng.Below(100) < options_.mobility_percent) {
      record->region = regions_.Sample(&rng);
      record->type = TypesOf(payment_types_, month.phase, record->region).Sample(&rng);
    }
    ApplyRowShape(record);
  }
  // Duplicate rows and lower-case ids, from a stream of their own (an adjustment keeps the
  // region and type of the payment it corrects).
  void ApplyRowShape(PaymentRecord* record) const {
    SplitMix64 rng = SplitMix64::At(shape_key_ + 1, record->number);
    record->duplicated = rng.Below(1000) < options_.duplicate_per_mille;
    record->lowercase_worker_id = rng.Below(1000) < options_.lowercase_per_mille;
  }

  const Distribution& TypesOf(const std::array<Distribution, 2 * kPhases>& mix, Phase phase,
                              int region) const {
    return mix[2 * phase + (region == kTrentinoAltoAdige ? 1 : 0)];
  }

  GeneratorOptions options_;
  std::vector<MonthPlan> months_;
  // Per worker: home region << 16 | position (quantile) in the type mix. A worker's usual type is
  // the one at that position in the mix of the payment's period: stable within a period and
  // shifting only where the mix itself shifts (e.g. from COVID schemes back to CIGS).
  std::vector<uint32_t> workers_;
  uint64_t application_key_ = 0;
  uint64_t payment_key_ = 0;
  // The stream of the shape options (mobility, duplicates, lower case): separate from the
  // payments' own stream so that the default shape gives the same events as before.
  uint64_t shape_key_ = 0;
  Distribution regions_;
  // Indexed by 2 * phase + (region is Trentino-Alto Adige).
  std::array<Distribution, 2 * kPhases> application_types_;
  std::array<Distribution, 2 * kPhases> payment_types_;
};

// Share (percent) of a worker's payments that are not of their usual type.
inline constexpr uint64_t kOtherTypePercent = 8;
// Share (per mille) of repeat payments that are adjustments of the previous payment.
inline constexpr uint64_t kAdjustmentPerMille = 30;

template <typename Fn>
bool Plan::ForEachApplication(const MonthPlan& month, int slot, Fn&& fn) const {
  const uint64_t end = SlotBegin(month.applications, month.workday_count, slot + 1);
  ApplicationRecord record;
  record.day = month.workdays[slot];
  for (uint64_t k = SlotBegin(month.applications, month.workday_count, slot); k < end; ++k) {
    record.number = month.first_application + k + 1;
    SplitMix64 rng = SplitMix64::At(application_key_, record.number);
    record.region = regions_.Sample(&rng);
    record.type = TypesOf(application_types_, month.phase, record.region).Sample(&rng);
    if (!fn(static_cast<const ApplicationRecord&>(record))) return false;
  }
  return true;
}

template <typename Fn>
bool Plan::ForEachPayment(const MonthPlan& month, int slot, Fn&& fn) const {
  const uint64_t begin = SlotBegin(month.payments, month.workday_count, slot);
  const uint64_t end = SlotBegin(month.payments, month.workday_count, slot + 1);
  if (begin == end) return true;
  // New workers are spread evenly over the month: event k is the first payment of worker
  // first_new_worker + floor(k * new / payments) when that floor steps up at k + 1. `scaled` is
  // k * new_workers, split into quotient and remainder by payments (new_workers <= payments).
  const unsigned __int128 scaled = static_cast<unsigned __int128>(begin) * month.new_workers;
  uint64_t introduced = static_cast<uint64_t>(scaled / month.payments);
  uint64_t remainder = static_cast<uint64_t>(scaled % month.payments);
  const uint64_t pool_size = month.pool_size;
  // Pool position of the first repeat payment at or after `begin`.
  uint64_t cursor = static_cast<uint64_t>(
      (month.pool_offset + static_cast<unsigned __int128>(begin - introduced) * month.pool_stride) %
      pool_size);
  PaymentRecord record;
  record.day = month.workdays[slot];
  for (uint64_t k = begin; k < end; ++k) {
    record.number = month.first_payment + k + 1;
    SplitMix64 rng = SplitMix64::At(payment_key_, record.number);
    remainder += month.new_workers;
    if (remainder >= month.payments) {
      remainder -= month.payments;
      record.worker = month.first_new_worker + introduced;
      ++introduced;
    } else {
      const uint64_t pooled = month.pool_begin + cursor;
      cursor += month.pool_stride;
      if (cursor >= pool_size) cursor -= pool_size;
      if (k > begin && rng.Below(1000) < kAdjustmentPerMille) {
        // A correction or arrears to the previous payment of the day: same worker and scheme, no
        // further benefit months. It also gives months with two payments to one worker, which
        // WORKERS must count once. Its pool position is left unpaid this month.
        record.months_covered = 0;
        ApplyRowShape(&record);
        if (!fn(static_cast<const PaymentRecord&>(record))) return false;
        continue;
      }
      record.worker = pooled >= month.first_new_worker ? pooled + month.pool_skip : pooled;
    }
    const uint32_t attributes = workers_[record.worker];
    record.region = static_cast<int>(attributes >> 16);
    const Distribution& types = TypesOf(payment_types_, month.phase, record.region);
    record.type = rng.Below(100) < kOtherTypePercent ? types.Sample(&rng)
                                                     : types.AtQuantile(attributes & 0xffff);
    record.months_covered = MonthsCovered(&rng);
    ApplyShape(month, &record);
    if (!fn(static_cast<const PaymentRecord&>(record))) return false;
  }
  return true;
}

inline int Plan::MonthsCovered(SplitMix64* rng) {
  const uint64_t roll = rng->Below(1000);
  if (roll < 885) return 1;
  if (roll < 965) return 2;  // a month paid late together with the current one
  if (roll < 990) return 3;
  return 4 + static_cast<int>(rng->Below(9));  // long arrears, up to a year
}

}  // namespace omnia::synth::internal

#endif  // OMNIA_LIBS_SYNTH_INTERNAL_PLAN_H_

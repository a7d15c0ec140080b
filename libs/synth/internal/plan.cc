#include "libs/synth/internal/plan.h"

#include <algorithm>
#include <numeric>

namespace omnia::synth::internal {
namespace {

// Region labels in ISTAT order and their weights: roughly each region's share (per mille) of
// Italian employees, which is what drives wage-supplementation volumes in the long run. The real
// 2023 files rank the same way at both ends (Valle d'Aosta about 0.1%, Lombardia among the top).
struct RegionRow {
  std::string_view label;
  uint32_t weight;
};
constexpr RegionRow kRegions[kRegionCount] = {
    {"PIEMONTE", 75},   {"VALLE_D'AOSTA", 2},
    {"LOMBARDIA", 170}, {"TRENTINO_ALTO_ADIGE", 15},
    {"VENETO", 95},     {"FRIULI_VENEZIA_GIULIA", 20},
    {"LIGURIA", 25},    {"EMILIA_ROMAGNA", 85},
    {"TOSCANA", 70},    {"UMBRIA", 15},
    {"MARCHE", 25},     {"LAZIO", 110},
    {"ABRUZZO", 22},    {"MOLISE", 5},
    {"CAMPANIA", 90},   {"PUGLIA", 75},
    {"BASILICATA", 10}, {"CALABRIA", 22},
    {"SICILIA", 60},    {"SARDEGNA", 20},
};

constexpr std::string_view kTypeCodes[kTypeCount] = {"CIGO", "CIGS",           "CIGD",
                                                     "FIS",  "FONDI_Centrali", "FONDI_Territorio"};

// Type mix per phase, in the order of kTypeCodes. FONDI_Territorio's weight applies only in
// Trentino-Alto Adige. Payments (direct payments to workers) are mostly CIGS outside COVID, as in
// the 2023 files; applications mostly CIGO. COVID brought FIS and CIG in deroga to the front.
constexpr uint32_t kPaymentTypeWeights[kPhases][kTypeCount] = {
    {200, 700, 8, 70, 15, 30},     // ordinary (before March 2020, from 2023)
    {420, 40, 180, 300, 50, 100},  // March-December 2020
    {380, 90, 140, 330, 50, 100},  // 2021
    {400, 380, 20, 160, 30, 50},   // 2022
};
constexpr uint32_t kApplicationTypeWeights[kPhases][kTypeCount] = {
    {970, 10, 1, 12, 2, 5},
    {450, 10, 200, 300, 30, 80},
    {480, 20, 160, 300, 30, 80},
    {850, 30, 20, 90, 10, 20},
};

// Monthly volume relative to an ordinary 2023 month (= 100), before seasonality. The first COVID
// lockdown peaks in April-May 2020; volumes stay high through the 2020-21 winter and fade in 2022.
constexpr uint32_t kCovidLevel[3][12] = {
    {90, 95, 350, 1300, 1200, 900, 650, 450, 400, 380, 550, 600},  // 2020
    {550, 520, 560, 580, 480, 380, 280, 220, 220, 200, 170, 160},  // 2021
    {150, 140, 150, 130, 120, 115, 110, 105, 105, 105, 105, 105},  // 2022
};

// Seasonality: each month's share (per mille) of the 2023 totals, from the published files
// (workers for payments, numero_domande for applications).
constexpr uint32_t kPaymentSeason[12] = {95, 96, 90, 85, 79, 100, 63, 81, 99, 77, 61, 72};
constexpr uint32_t kApplicationSeason[12] = {103, 118, 72, 77, 84, 136, 68, 42, 48, 42, 96, 114};

// Payments may go to workers anchored this many months before or after the payment month.
constexpr int kPoolHalfWidth = 6;
constexpr int kPoolMonths = 2 * kPoolHalfWidth + 1;

uint32_t Level(int year, int month) {
  if (year >= 2020 && year <= 2022) return kCovidLevel[year - 2020][month - 1];
  if (year == 2023) return 100;
  if (year == 2024) return 105;
  return 110;
}

Phase PhaseOf(int year, int month) {
  if (year == 2020) return month >= 3 ? kCovid2020 : kOrdinary;
  if (year == 2021) return kCovid2021;
  if (year == 2022) return kRecovery2022;
  return kOrdinary;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int year, int month, int day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era) * 146097 + doe - 719468;
}

// 0 = Monday ... 6 = Sunday.
int Weekday(int year, int month, int day) {
  const int64_t days = DaysFromCivil(year, month, day);  // 1970-01-01 was a Thursday
  return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

// Easter Sunday (anonymous Gregorian algorithm), as {month, day}.
std::pair<int, int> Easter(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  return {(h + l - 7 * m + 114) / 31, (h + l - 7 * m + 114) % 31 + 1};
}

bool IsNationalHoliday(int year, int month, int day) {
  constexpr std::pair<int, int> kFixed[] = {{1, 1},  {1, 6},  {4, 25}, {5, 1},   {6, 2},
                                            {8, 15}, {11, 1}, {12, 8}, {12, 25}, {12, 26}};
  for (const auto& [m, d] : kFixed) {
    if (m == month && d == day) return true;
  }
  // Easter Monday; Easter is never later than April 25, so only March 31 rolls into April.
  auto [easter_month, easter_day] = Easter(year);
  if (easter_month == 3 && easter_day == 31) return month == 4 && day == 1;
  return month == easter_month && day == easter_day + 1;
}

void FillWorkdays(MonthPlan* month) {
  const int year = month->year_month.year;
  const int number = month->year_month.month;
  for (int day = 1; day <= domain::DaysInMonth(year, number); ++day) {
    if (Weekday(year, number, day) < 5 && !IsNationalHoliday(year, number, day)) {
      month->workdays[month->workday_count++] = static_cast<uint8_t>(day);
    }
  }
}

// Splits `total` into parts proportional to `weights` that sum exactly to `total` (largest
// remainder; ties go to the earlier month), in integers so that every platform agrees.
std::vector<uint64_t> Apportion(uint64_t total, const std::vector<uint64_t>& weights) {
  const uint64_t weight_sum = std::accumulate(weights.begin(), weights.end(), uint64_t{0});
  std::vector<uint64_t> parts(weights.size());
  std::vector<uint64_t> remainders(weights.size());
  uint64_t assigned = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const unsigned __int128 scaled = static_cast<unsigned __int128>(total) * weights[i];
    parts[i] = static_cast<uint64_t>(scaled / weight_sum);
    remainders[i] = static_cast<uint64_t>(scaled % weight_sum);
    assigned += parts[i];
  }
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return remainders[a] != remainders[b] ? remainders[a] > remainders[b] : a < b;
  });
  for (size_t i = 0; assigned < total; ++i, ++assigned) ++parts[order[i]];
  return parts;
}

Distribution TypeDistribution(const uint32_t (&weights)[kTypeCount], bool territorial_funds) {
  uint32_t copy[kTypeCount];
  std::copy(std::begin(weights), std::end(weights), copy);
  if (!territorial_funds) copy[kFondiTerritorio] = 0;
  return Distribution(copy, kTypeCount);
}

}  // namespace

std::string_view RegionLabel(int region) { return kRegions[region].label; }
std::string_view TypeCode(int type) { return kTypeCodes[type]; }

Distribution::Distribution(const uint32_t* weights, int count) {
  // Outcomes past `count` get an unreachable bound so Sample's scan always stops in range.
  cumulative_.fill(UINT64_MAX);
  for (int i = 0; i < count; ++i) {
    total_ += weights[i];
    cumulative_[i] = total_;
  }
}

absl::StatusOr<Plan> Plan::Create(const GeneratorOptions& options) {
  if (absl::Status valid = ValidateOptions(options); !valid.ok()) return valid;
  Plan plan;
  plan.options_ = options;
  plan.application_key_ = StreamKey(options.seed, 1);
  plan.payment_key_ = StreamKey(options.seed, 2);
  plan.shape_key_ = StreamKey(options.seed, 5);
  const uint64_t worker_key = StreamKey(options.seed, 3);
  const uint64_t pool_key = StreamKey(options.seed, 4);

  uint32_t region_weights[kRegionCount];
  for (int r = 0; r < kRegionCount; ++r) region_weights[r] = kRegions[r].weight;
  plan.regions_ = Distribution(region_weights, kRegionCount);
  for (int phase = 0; phase < kPhases; ++phase) {
    for (int taa = 0; taa < 2; ++taa) {
      plan.application_types_[2 * phase + taa] =
          TypeDistribution(kApplicationTypeWeights[phase], taa == 1);
      plan.payment_types_[2 * phase + taa] = TypeDistribution(kPaymentTypeWeights[phase], taa == 1);
    }
  }

  std::vector<uint64_t> payment_weights;
  std::vector<uint64_t> application_weights;
  for (int year = options.first_year; year <= options.last_year; ++year) {
    for (int month = 1; month <= 12; ++month) {
      MonthPlan& plan_month = plan.months_.emplace_back();
      plan_month.year_month = domain::YearMonth{year, month};
      plan_month.phase = PhaseOf(year, month);
      FillWorkdays(&plan_month);
      payment_weights.push_back(uint64_t{Level(year, month)} * kPaymentSeason[month - 1]);
      application_weights.push_back(uint64_t{Level(year, month)} * kApplicationSeason[month - 1]);
    }
  }

  // Every worker's first payment is placed first, then the rest: so no month has fewer payments
  // than new workers, and the totals are exact.
  const std::vector<uint64_t> new_workers = Apportion(options.workers, payment_weights);
  const std::vector<uint64_t> repeat_payments =
      Apportion(options.payments - options.workers, payment_weights);
  const std::vector<uint64_t> applications = Apportion(options.applications, application_weights);

  const int month_count = static_cast<int>(plan.months_.size());
  std::vector<uint64_t> anchor_begin(month_count + 1, 0);  // first worker anchored in month m
  uint64_t next_application = 0;
  uint64_t next_payment = 0;
  for (int m = 0; m < month_count; ++m) {
    MonthPlan& month = plan.months_[m];
    month.first_application = next_application;
    month.applications = applications[m];
    next_application += applications[m];
    month.first_payment = next_payment;
    month.payments = new_workers[m] + repeat_payments[m];
    next_payment += month.payments;
    month.first_new_worker = anchor_begin[m];
    month.new_workers = new_workers[m];
    anchor_begin[m + 1] = anchor_begin[m] + new_workers[m];
  }
  for (int m = 0; m < month_count; ++m) {
    MonthPlan& month = plan.months_[m];
    // A window of kPoolMonths anchor months around m, shifted inward at the ends of the range so
    // the first and last months do not concentrate their payments on fewer workers.
    int first = std::max(0, std::min(m - kPoolHalfWidth, month_count - kPoolMonths));
    int last = std::min(month_count, first + kPoolMonths);
    // Peak months (April 2020) pay more people than were anchored around them: widen the window
    // until everyone in it needs to be paid at most once this month, as far as the range allows.
    while (anchor_begin[last] - anchor_begin[first] - new_workers[m] < repeat_payments[m] &&
           (first > 0 || last < month_count)) {
      if (first > 0) --first;
      if (last < month_count) ++last;
    }
    month.pool_begin = anchor_begin[first];
    month.pool_size = anchor_begin[last] - anchor_begin[first] - month.new_workers;
    month.pool_skip = month.new_workers;
    if (month.pool_size == 0) {
      // Few workers and many months: nobody else is anchored nearby, so any worker may be paid.
      month.pool_begin = 0;
      month.pool_size = options.workers;
      month.pool_skip = 0;
    }
    const uint64_t pool_size = month.pool_size;
    if (pool_size > 0) {
      SplitMix64 rng = SplitMix64::At(pool_key, static_cast<uint64_t>(m));
      month.pool_offset = rng.Below(pool_size);
      month.pool_stride = 1 + rng.Below(pool_size);
      while (std::gcd(month.pool_stride, pool_size) != 1) {
        month.pool_stride = month.pool_stride % pool_size + 1;
      }
    }
  }

  plan.workers_.resize(options.workers);
  for (uint64_t w = 0; w < options.workers; ++w) {
    SplitMix64 rng = SplitMix64::At(worker_key, w);
    const uint32_t region = static_cast<uint32_t>(plan.regions_.Sample(&rng));
    plan.workers_[w] = region << 16 | static_cast<uint32_t>(rng.Next() >> 48);
  }
  return plan;
}

}  // namespace omnia::synth::internal

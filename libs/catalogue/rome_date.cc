#include "libs/catalogue/rome_date.h"

#include "absl/time/civil_time.h"

namespace omnia::catalogue {
namespace {

// 01:00 UTC on the last Sunday of `month` of `year`: when EU summer time starts or ends.
absl::Time LastSundayOneAmUtc(absl::civil_year_t year, int month) {
  absl::CivilDay day = absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1;
  while (absl::GetWeekday(day) != absl::Weekday::sunday) --day;
  return absl::FromCivil(absl::CivilSecond(day) + 3600, absl::UTCTimeZone());
}

domain::Date ToDate(absl::CivilDay day) {
  return domain::Date{static_cast<int>(day.year()), day.month(), day.day()};
}

}  // namespace

domain::Date RomeDateByEuRule(absl::Time time) {
  const absl::civil_year_t year = absl::ToCivilYear(time, absl::UTCTimeZone()).year();
  const bool summer = time >= LastSundayOneAmUtc(year, 3) && time < LastSundayOneAmUtc(year, 10);
  return ToDate(absl::ToCivilDay(time, absl::FixedTimeZone(summer ? 2 * 3600 : 3600)));
}

domain::Date RomeDate(absl::Time time) {
  absl::TimeZone rome;
  if (!absl::LoadTimeZone("Europe/Rome", &rome)) return RomeDateByEuRule(time);
  return ToDate(absl::ToCivilDay(time, rome));
}

}  // namespace omnia::catalogue

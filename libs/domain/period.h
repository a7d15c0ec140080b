// Reference periods: year-months, calendar dates and their quarter and year rollups.
#ifndef OMNIA_LIBS_DOMAIN_PERIOD_H_
#define OMNIA_LIBS_DOMAIN_PERIOD_H_

#include <compare>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace omnia::domain {

// Years the system accepts. The INPS historical series starts in 2020; the upper bound exists so
// that a typo such as 20223 is rejected instead of creating a cell decades away.
inline constexpr int kMinYear = 2020;
inline constexpr int kMaxYear = 2100;

// A calendar month, the finest period of every published cube.
struct YearMonth {
  int year = 0;
  int month = 0;  // 1..12

  friend constexpr auto operator<=>(const YearMonth&, const YearMonth&) = default;
};

// True when year is in [kMinYear, kMaxYear] and month in [1, 12].
bool IsValidYearMonth(const YearMonth& ym);

// Parses exactly "YYYY-MM" (e.g. "2023-04"), within the year range.
absl::StatusOr<YearMonth> ParseIsoYearMonth(std::string_view text);

// "2023-04". Expects a valid YearMonth.
std::string FormatIsoYearMonth(const YearMonth& ym);

// The month after ym (December rolls over to January of the next year).
YearMonth NextMonth(const YearMonth& ym);

// Capitalised Italian month name as INPS writes it ("Gennaio" ... "Dicembre"); empty when month is
// not in [1, 12].
std::string_view ItalianMonthName(int month);

// Month number 1..12 of an Italian month name, ignoring ASCII case ("aprile" -> 4).
absl::StatusOr<int> ParseItalianMonth(std::string_view name);

// Quarter 1..4 of month 1..12; 0 when month is out of range.
int QuarterOf(int month);

// A calendar day, e.g. the day an application was authorised.
struct Date {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..DaysInMonth(year, month)

  friend constexpr auto operator<=>(const Date&, const Date&) = default;
};

// Gregorian leap-year rule (2024 is leap, 2100 is not).
bool IsLeapYear(int year);

// Days in the month, 0 when month is not in [1, 12].
int DaysInMonth(int year, int month);

// True for a real calendar date whose year is in [kMinYear, kMaxYear].
bool IsValidDate(const Date& date);

// The last date the system accepts when no clock says otherwise.
inline constexpr Date kLatestDate{kMaxYear, 12, 31};

// The zone of every date users see: publication dates, "today" for event validation.
inline constexpr char kItalianTimeZone[] = "Europe/Rome";

// A zone from the system's time-zone database (the tzdata package: /usr/share/zoneinfo, or $TZDIR).
// FAILED_PRECONDITION naming the zone when the database lacks it: absl would otherwise answer UTC.
absl::StatusOr<absl::TimeZone> LoadTimeZoneOrError(std::string_view name);

// Checks that Europe/Rome can be loaded; a binary that dates things calls it at start and refuses
// to run without it. Once it succeeded ItalianDate cannot fail: absl keeps a loaded zone for the
// life of the process.
absl::Status CheckItalianTimeZone();

// The calendar date in Italy (Europe/Rome, by the rules of the time-zone database) at `now`. A
// process that skipped CheckItalianTimeZone on a system without the zone is stopped with a message
// naming it: a date computed in UTC would be silently wrong around midnight.
Date ItalianDate(absl::Time now);

// Parses exactly "YYYY-MM-DD" (e.g. "2023-04-17") and checks it is a real calendar date within the
// year range. Does not allocate unless it fails.
absl::StatusOr<Date> ParseIsoDate(std::string_view text);

// "2023-04-17". Out-of-range fields are still printed, zero-padded, so invalid dates can be shown.
std::string FormatIsoDate(const Date& date);

// The month a date falls in.
inline YearMonth YearMonthOf(const Date& date) { return YearMonth{date.year, date.month}; }

// Granularity of a period in queries and rollups.
enum class PeriodLevel { kMonth, kQuarter, kYear };

// "MONTH", "QUARTER", "YEAR".
std::string_view PeriodLevelCode(PeriodLevel level);

// Inverse of PeriodLevelCode, ignoring ASCII case.
absl::StatusOr<PeriodLevel> ParsePeriodLevel(std::string_view code);

// One period at some level: a month (index 1..12), a quarter (index 1..4) or a year (index 0).
// Keys of the same level order chronologically.
struct PeriodKey {
  PeriodLevel level = PeriodLevel::kMonth;
  int year = 0;
  int index = 0;

  friend constexpr auto operator<=>(const PeriodKey&, const PeriodKey&) = default;
};

// The period at `level` that contains ym: the rollup key used by the cubes.
PeriodKey PeriodKeyOf(const YearMonth& ym, PeriodLevel level);

// "2023-04" (month), "2023-Q2" (quarter), "2023" (year).
std::string FormatPeriodKey(const PeriodKey& key);

// Shorthand for FormatPeriodKey(PeriodKeyOf(ym, level)).
std::string FormatPeriod(const YearMonth& ym, PeriodLevel level);

// Parses any of the three forms written by FormatPeriodKey; the level follows from the form.
absl::StatusOr<PeriodKey> ParsePeriodKey(std::string_view text);

// First and last month covered by a period, e.g. 2023-Q2 -> 2023-04 .. 2023-06.
YearMonth FirstMonthOf(const PeriodKey& key);
YearMonth LastMonthOf(const PeriodKey& key);

// True when ym falls within the period.
bool PeriodContains(const PeriodKey& key, const YearMonth& ym);

}  // namespace omnia::domain

#endif  // OMNIA_LIBS_DOMAIN_PERIOD_H_

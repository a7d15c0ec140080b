#include "libs/domain/period.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "libs/domain/internal/text.h"

namespace omnia::domain {
namespace {

using internal::IsAsciiDigit;
using internal::Quote;

constexpr std::array<std::string_view, 12> kItalianMonths = {
    "Gennaio", "Febbraio", "Marzo",     "Aprile",  "Maggio",   "Giugno",
    "Luglio",  "Agosto",   "Settembre", "Ottobre", "Novembre", "Dicembre"};

// Reads a fixed-width run of ASCII digits; returns -1 when any byte is not a digit.
int FixedDigits(std::string_view text) {
  int value = 0;
  for (const char c : text) {
    if (!IsAsciiDigit(c)) return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string YearRangeText() { return internal::Cat("[", kMinYear, ", ", kMaxYear, "]"); }

bool YearInRange(int year) { return year >= kMinYear && year <= kMaxYear; }

}  // namespace

bool IsValidYearMonth(const YearMonth& ym) {
  return YearInRange(ym.year) && ym.month >= 1 && ym.month <= 12;
}

absl::StatusOr<YearMonth> ParseIsoYearMonth(std::string_view text) {
  const int year = text.size() == 7 && text[4] == '-' ? FixedDigits(text.substr(0, 4)) : -1;
  const int month = year < 0 ? -1 : FixedDigits(text.substr(5, 2));
  if (year < 0 || month < 0) {
    return absl::InvalidArgumentError(
        internal::Cat("invalid year-month ", Quote(text), ": expected YYYY-MM"));
  }
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError(
        internal::Cat("invalid year-month ", Quote(text), ": month must be 01..12"));
  }
  if (!YearInRange(year)) {
    return absl::InvalidArgumentError(internal::Cat("invalid year-month ", Quote(text), ": year ",
                                                    year, " out of range ", YearRangeText()));
  }
  return YearMonth{year, month};
}

std::string FormatIsoYearMonth(const YearMonth& ym) {
  return absl::StrFormat("%04d-%02d", ym.year, ym.month);
}

YearMonth NextMonth(const YearMonth& ym) {
  if (ym.month >= 12) return YearMonth{ym.year + 1, 1};
  return YearMonth{ym.year, ym.month + 1};
}

std::string_view ItalianMonthName(int month) {
  if (month < 1 || month > 12) return {};
  return kItalianMonths[static_cast<size_t>(month - 1)];
}

absl::StatusOr<int> ParseItalianMonth(std::string_view name) {
  for (size_t i = 0; i < kItalianMonths.size(); ++i) {
    if (internal::EqualsIgnoreCase(name, kItalianMonths[i])) return static_cast<int>(i) + 1;
  }
  return absl::InvalidArgumentError(internal::Cat("unknown month ", Quote(name),
                                                  "; valid Italian month names: Gennaio, Febbraio, "
                                                  "Marzo, Aprile, Maggio, Giugno, Luglio, Agosto, "
                                                  "Settembre, Ottobre, Novembre, Dicembre"));
}

int QuarterOf(int month) {
  if (month < 1 || month > 12) return 0;
  return (month - 1) / 3 + 1;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[static_cast<size_t>(month - 1)];
}

bool IsValidDate(const Date& date) {
  return YearInRange(date.year) && date.day >= 1 && date.day <= DaysInMonth(date.year, date.month);
}

absl::StatusOr<Date> ParseIsoDate(std::string_view text) {
  Date date{-1, -1, -1};
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    date.year = FixedDigits(text.substr(0, 4));
    date.month = FixedDigits(text.substr(5, 2));
    date.day = FixedDigits(text.substr(8, 2));
  }
  if (date.year < 0 || date.month < 0 || date.day < 0) {
    return absl::InvalidArgumentError(
        internal::Cat("invalid date ", Quote(text), ": expected YYYY-MM-DD"));
  }
  if (date.month < 1 || date.month > 12) {
    return absl::InvalidArgumentError(
        internal::Cat("invalid date ", Quote(text), ": month must be 01..12"));
  }
  const int days = DaysInMonth(date.year, date.month);
  if (date.day < 1 || date.day > days) {
    return absl::InvalidArgumentError(internal::Cat("invalid date ", Quote(text), ": ",
                                                    ItalianMonthName(date.month), " ", date.year,
                                                    " has ", days, " days"));
  }
  if (!YearInRange(date.year)) {
    return absl::InvalidArgumentError(internal::Cat("invalid date ", Quote(text), ": year ",
                                                    date.year, " out of range ", YearRangeText()));
  }
  return date;
}

std::string FormatIsoDate(const Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year, date.month, date.day);
}

std::string_view PeriodLevelCode(PeriodLevel level) {
  switch (level) {
    case PeriodLevel::kMonth:
      return "MONTH";
    case PeriodLevel::kQuarter:
      return "QUARTER";
    case PeriodLevel::kYear:
      return "YEAR";
  }
  return "UNKNOWN";
}

absl::StatusOr<PeriodLevel> ParsePeriodLevel(std::string_view code) {
  for (const PeriodLevel level : {PeriodLevel::kMonth, PeriodLevel::kQuarter, PeriodLevel::kYear}) {
    if (internal::EqualsIgnoreCase(code, PeriodLevelCode(level))) return level;
  }
  return absl::InvalidArgumentError(
      internal::Cat("unknown period level ", Quote(code), "; valid codes: MONTH, QUARTER, YEAR"));
}

PeriodKey PeriodKeyOf(const YearMonth& ym, PeriodLevel level) {
  switch (level) {
    case PeriodLevel::kMonth:
      return PeriodKey{level, ym.year, ym.month};
    case PeriodLevel::kQuarter:
      return PeriodKey{level, ym.year, QuarterOf(ym.month)};
    case PeriodLevel::kYear:
      return PeriodKey{level, ym.year, 0};
  }
  return PeriodKey{level, ym.year, 0};
}

std::string FormatPeriodKey(const PeriodKey& key) {
  switch (key.level) {
    case PeriodLevel::kMonth:
      return absl::StrFormat("%04d-%02d", key.year, key.index);
    case PeriodLevel::kQuarter:
      return absl::StrFormat("%04d-Q%d", key.year, key.index);
    case PeriodLevel::kYear:
      return absl::StrFormat("%04d", key.year);
  }
  return {};
}

std::string FormatPeriod(const YearMonth& ym, PeriodLevel level) {
  return FormatPeriodKey(PeriodKeyOf(ym, level));
}

absl::StatusOr<PeriodKey> ParsePeriodKey(std::string_view text) {
  if (text.size() == 7 && text[4] == '-' && (text[5] == 'Q' || text[5] == 'q')) {
    const int year = FixedDigits(text.substr(0, 4));
    const int quarter = FixedDigits(text.substr(6, 1));
    if (year >= 0 && quarter >= 1 && quarter <= 4 && YearInRange(year)) {
      return PeriodKey{PeriodLevel::kQuarter, year, quarter};
    }
  } else if (text.size() == 7) {
    absl::StatusOr<YearMonth> ym = ParseIsoYearMonth(text);
    if (ym.ok()) return PeriodKeyOf(*ym, PeriodLevel::kMonth);
  } else if (text.size() == 4) {
    const int year = FixedDigits(text);
    if (year >= 0 && YearInRange(year)) return PeriodKey{PeriodLevel::kYear, year, 0};
  }
  return absl::InvalidArgumentError(
      internal::Cat("invalid period ", Quote(text),
                    ": expected YYYY-MM, YYYY-Qn or YYYY with year in ", YearRangeText()));
}

YearMonth FirstMonthOf(const PeriodKey& key) {
  switch (key.level) {
    case PeriodLevel::kMonth:
      return YearMonth{key.year, key.index};
    case PeriodLevel::kQuarter:
      return YearMonth{key.year, (key.index - 1) * 3 + 1};
    case PeriodLevel::kYear:
      return YearMonth{key.year, 1};
  }
  return YearMonth{key.year, 1};
}

YearMonth LastMonthOf(const PeriodKey& key) {
  switch (key.level) {
    case PeriodLevel::kMonth:
      return YearMonth{key.year, key.index};
    case PeriodLevel::kQuarter:
      return YearMonth{key.year, key.index * 3};
    case PeriodLevel::kYear:
      return YearMonth{key.year, 12};
  }
  return YearMonth{key.year, 12};
}

bool PeriodContains(const PeriodKey& key, const YearMonth& ym) {
  return PeriodKeyOf(ym, key.level) == key;
}

absl::StatusOr<absl::TimeZone> LoadTimeZoneOrError(std::string_view name) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(std::string(name), &zone)) {
    return absl::FailedPreconditionError(
        internal::Cat("cannot load the time zone ", name,
                      " from the time-zone database (install the tzdata package, or set TZDIR)"));
  }
  return zone;
}

absl::Status CheckItalianTimeZone() { return LoadTimeZoneOrError(kItalianTimeZone).status(); }

Date ItalianDate(absl::Time now) {
  const absl::StatusOr<absl::TimeZone> italy = LoadTimeZoneOrError(kItalianTimeZone);
  if (!italy.ok()) {
    std::fprintf(stderr, "%s\n", italy.status().ToString().c_str());
    std::abort();
  }
  const absl::CivilDay local = absl::ToCivilDay(now, *italy);
  return Date{static_cast<int>(local.year()), local.month(), local.day()};
}

}  // namespace omnia::domain

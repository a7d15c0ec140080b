#include "libs/domain/period.h"

#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace omnia::domain {
namespace {

using ::testing::HasSubstr;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST(YearMonthTest, ParseAndFormatRoundTrip) {
  absl::StatusOr<YearMonth> ym = ParseIsoYearMonth("2023-04");
  ASSERT_TRUE(ym.ok()) << ym.status();
  EXPECT_EQ(ym->year, 2023);
  EXPECT_EQ(ym->month, 4);
  EXPECT_EQ(FormatIsoYearMonth(*ym), "2023-04");
  EXPECT_EQ(FormatIsoYearMonth(YearMonth{2100, 12}), "2100-12");
  EXPECT_TRUE(ParseIsoYearMonth("2020-01").ok());
  EXPECT_TRUE(ParseIsoYearMonth("2100-12").ok());
}

TEST(YearMonthTest, RejectsMalformedAndOutOfRange) {
  for (const char* text : {"", "2023", "2023-4", "2023-004", "2023/04", "2023-00", "2023-13",
                           "2019-12", "2101-01", "20a3-04", "2023-0x", " 2023-04", "2023-04 "}) {
    SCOPED_TRACE(text);
    absl::StatusOr<YearMonth> ym = ParseIsoYearMonth(text);
    ASSERT_FALSE(ym.ok());
    EXPECT_EQ(ym.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_THAT(Message(ParseIsoYearMonth("2019-12").status()), HasSubstr("out of range"));
}

TEST(YearMonthTest, OrderingAndNext) {
  EXPECT_LT((YearMonth{2022, 12}), (YearMonth{2023, 1}));
  EXPECT_LT((YearMonth{2023, 1}), (YearMonth{2023, 2}));
  EXPECT_EQ((YearMonth{2023, 5}), (YearMonth{2023, 5}));
  EXPECT_EQ(NextMonth(YearMonth{2023, 12}), (YearMonth{2024, 1}));
  EXPECT_EQ(NextMonth(YearMonth{2023, 3}), (YearMonth{2023, 4}));
  EXPECT_TRUE(IsValidYearMonth(YearMonth{2023, 12}));
  EXPECT_FALSE(IsValidYearMonth(YearMonth{2023, 0}));
  EXPECT_FALSE(IsValidYearMonth(YearMonth{2019, 5}));
}

TEST(ItalianMonthTest, NamesAndParsing) {
  EXPECT_EQ(ItalianMonthName(1), "Gennaio");
  EXPECT_EQ(ItalianMonthName(8), "Agosto");
  EXPECT_EQ(ItalianMonthName(12), "Dicembre");
  EXPECT_EQ(ItalianMonthName(0), "");
  EXPECT_EQ(ItalianMonthName(13), "");
  for (int m = 1; m <= 12; ++m) {
    absl::StatusOr<int> parsed = ParseItalianMonth(ItalianMonthName(m));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, m);
  }
  EXPECT_EQ(*ParseItalianMonth("MARZO"), 3);
  EXPECT_EQ(*ParseItalianMonth("aprile"), 4);
  absl::StatusOr<int> bad = ParseItalianMonth("Agostto");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(Message(bad.status()), HasSubstr("'Agostto'"));
  EXPECT_FALSE(ParseItalianMonth("").ok());
  EXPECT_FALSE(ParseItalianMonth("4").ok());
}

TEST(QuarterTest, QuarterOf) {
  const int expected[] = {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4};
  for (int m = 1; m <= 12; ++m) EXPECT_EQ(QuarterOf(m), expected[m - 1]) << m;
  EXPECT_EQ(QuarterOf(0), 0);
  EXPECT_EQ(QuarterOf(13), 0);
}

TEST(DateTest, ParsesRealDates) {
  absl::StatusOr<Date> date = ParseIsoDate("2023-04-17");
  ASSERT_TRUE(date.ok()) << date.status();
  EXPECT_EQ(*date, (Date{2023, 4, 17}));
  EXPECT_EQ(FormatIsoDate(*date), "2023-04-17");
  EXPECT_EQ(YearMonthOf(*date), (YearMonth{2023, 4}));
  EXPECT_TRUE(ParseIsoDate("2020-01-01").ok());
  EXPECT_TRUE(ParseIsoDate("2100-12-31").ok());
  EXPECT_TRUE(ParseIsoDate("2023-01-31").ok());
  EXPECT_TRUE(ParseIsoDate("2023-04-30").ok());
}

TEST(DateTest, LeapYears) {
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_FALSE(IsLeapYear(2023));
  EXPECT_FALSE(IsLeapYear(2100));
  EXPECT_TRUE(ParseIsoDate("2024-02-29").ok());
  EXPECT_TRUE(ParseIsoDate("2096-02-29").ok());
  EXPECT_FALSE(ParseIsoDate("2023-02-29").ok());
  EXPECT_FALSE(ParseIsoDate("2100-02-29").ok());  // divisible by 100, not by 400
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2023, 2), 28);
  EXPECT_EQ(DaysInMonth(2023, 13), 0);
  EXPECT_THAT(Message(ParseIsoDate("2023-02-29").status()), HasSubstr("28 days"));
}

TEST(DateTest, RejectsMalformedImpossibleAndOutOfRange) {
  for (const char* text :
       {"", "2023-4-17", "2023-04-7", "17/04/2023", "2023-04-17T00:00", "2023-04-31", "2023-06-31",
        "2023-00-10", "2023-13-01", "2023-01-00", "2023-01-32", "2019-12-31", "2101-01-01",
        "2023-04-1x", "+023-04-17", "2023_04_17", "2023-04-17 "}) {
    SCOPED_TRACE(text);
    absl::StatusOr<Date> date = ParseIsoDate(text);
    ASSERT_FALSE(date.ok());
    EXPECT_EQ(date.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_THAT(Message(ParseIsoDate("2019-12-31").status()), HasSubstr("out of range"));
  EXPECT_THAT(Message(ParseIsoDate("17/04/2023").status()), HasSubstr("YYYY-MM-DD"));
}

TEST(DateTest, IsValidDate) {
  EXPECT_TRUE(IsValidDate(Date{2024, 2, 29}));
  EXPECT_FALSE(IsValidDate(Date{2023, 2, 29}));
  EXPECT_FALSE(IsValidDate(Date{2023, 0, 1}));
  EXPECT_FALSE(IsValidDate(Date{2019, 1, 1}));
  EXPECT_FALSE(IsValidDate(Date{}));
  EXPECT_LT((Date{2023, 1, 31}), (Date{2023, 2, 1}));
}

TEST(PeriodLevelTest, Codes) {
  EXPECT_EQ(PeriodLevelCode(PeriodLevel::kMonth), "MONTH");
  EXPECT_EQ(PeriodLevelCode(PeriodLevel::kQuarter), "QUARTER");
  EXPECT_EQ(PeriodLevelCode(PeriodLevel::kYear), "YEAR");
  EXPECT_EQ(*ParsePeriodLevel("quarter"), PeriodLevel::kQuarter);
  EXPECT_FALSE(ParsePeriodLevel("WEEK").ok());
}

TEST(PeriodKeyTest, RollupsAndFormatting) {
  const YearMonth may{2023, 5};
  EXPECT_EQ(FormatPeriod(may, PeriodLevel::kMonth), "2023-05");
  EXPECT_EQ(FormatPeriod(may, PeriodLevel::kQuarter), "2023-Q2");
  EXPECT_EQ(FormatPeriod(may, PeriodLevel::kYear), "2023");
  EXPECT_EQ(PeriodKeyOf(may, PeriodLevel::kQuarter), (PeriodKey{PeriodLevel::kQuarter, 2023, 2}));
  EXPECT_EQ(PeriodKeyOf(YearMonth{2023, 12}, PeriodLevel::kQuarter).index, 4);
  EXPECT_EQ(PeriodKeyOf(may, PeriodLevel::kYear), (PeriodKey{PeriodLevel::kYear, 2023, 0}));
}

TEST(PeriodKeyTest, ParseRoundTrip) {
  for (const char* text : {"2023-05", "2023-Q2", "2023", "2020-01", "2100-Q4"}) {
    absl::StatusOr<PeriodKey> key = ParsePeriodKey(text);
    ASSERT_TRUE(key.ok()) << text << ": " << key.status();
    EXPECT_EQ(FormatPeriodKey(*key), text);
  }
  EXPECT_EQ(ParsePeriodKey("2023-Q3")->level, PeriodLevel::kQuarter);
  EXPECT_EQ(ParsePeriodKey("2023")->level, PeriodLevel::kYear);
  for (const char* text :
       {"", "2023-Q0", "2023-Q5", "2019", "2023-13", "23", "2023-Q", "Q2-2023"}) {
    EXPECT_FALSE(ParsePeriodKey(text).ok()) << text;
  }
}

TEST(PeriodKeyTest, MonthsCoveredAndContainment) {
  const PeriodKey q3{PeriodLevel::kQuarter, 2023, 3};
  EXPECT_EQ(FirstMonthOf(q3), (YearMonth{2023, 7}));
  EXPECT_EQ(LastMonthOf(q3), (YearMonth{2023, 9}));
  const PeriodKey year{PeriodLevel::kYear, 2024, 0};
  EXPECT_EQ(FirstMonthOf(year), (YearMonth{2024, 1}));
  EXPECT_EQ(LastMonthOf(year), (YearMonth{2024, 12}));
  const PeriodKey month{PeriodLevel::kMonth, 2024, 6};
  EXPECT_EQ(FirstMonthOf(month), LastMonthOf(month));
  EXPECT_TRUE(PeriodContains(q3, YearMonth{2023, 8}));
  EXPECT_FALSE(PeriodContains(q3, YearMonth{2023, 10}));
  EXPECT_FALSE(PeriodContains(q3, YearMonth{2024, 8}));
  EXPECT_TRUE(PeriodContains(year, YearMonth{2024, 12}));
  // Keys of one level order chronologically.
  EXPECT_LT((PeriodKey{PeriodLevel::kQuarter, 2023, 4}),
            (PeriodKey{PeriodLevel::kQuarter, 2024, 1}));
}

TEST(ItalianDateTest, FollowsRomeTimeAcrossMidnightAndSummerTime) {
  const auto utc = [](int y, int m, int d, int h, int min) {
    return absl::FromCivil(absl::CivilSecond(y, m, d, h, min, 0), absl::UTCTimeZone());
  };
  // Winter (UTC+1): 23:30 UTC on New Year's Eve is already the next day in Rome.
  EXPECT_EQ(ItalianDate(utc(2023, 12, 31, 22, 59)), (Date{2023, 12, 31}));
  EXPECT_EQ(ItalianDate(utc(2023, 12, 31, 23, 0)), (Date{2024, 1, 1}));
  // Summer (UTC+2).
  EXPECT_EQ(ItalianDate(utc(2024, 7, 14, 21, 59)), (Date{2024, 7, 14}));
  EXPECT_EQ(ItalianDate(utc(2024, 7, 14, 22, 0)), (Date{2024, 7, 15}));
  // Summer time starts at 01:00 UTC on the last Sunday of March (2024-03-31) and ends at 01:00
  // UTC on the last Sunday of October (2024-10-27): the evenings around the switches.
  EXPECT_EQ(ItalianDate(utc(2024, 3, 30, 22, 30)), (Date{2024, 3, 30}));
  EXPECT_EQ(ItalianDate(utc(2024, 3, 30, 23, 30)), (Date{2024, 3, 31}));
  EXPECT_EQ(ItalianDate(utc(2024, 3, 31, 22, 30)), (Date{2024, 4, 1}));
  EXPECT_EQ(ItalianDate(utc(2024, 10, 26, 22, 30)), (Date{2024, 10, 27}));
  EXPECT_EQ(ItalianDate(utc(2024, 10, 27, 22, 30)), (Date{2024, 10, 27}));
  EXPECT_EQ(ItalianDate(utc(2024, 10, 27, 23, 0)), (Date{2024, 10, 28}));
  // Leap day, in a year whose last Sunday of March is the 25th.
  EXPECT_EQ(ItalianDate(utc(2029, 3, 24, 23, 30)), (Date{2029, 3, 25}));
  EXPECT_EQ(ItalianDate(utc(2028, 2, 28, 23, 30)), (Date{2028, 2, 29}));
}

TEST(ItalianDateTest, FollowsTheTimeZoneDatabaseNotAFixedRule) {
  const auto utc = [](int y, int m, int d, int h, int min) {
    return absl::FromCivil(absl::CivilSecond(y, m, d, h, min, 0), absl::UTCTimeZone());
  };
  // Until 1995 Italian summer time ended on the last Sunday of September (30 September 1990 at
  // 01:00 UTC): that evening Rome was back on UTC+1, which today's EU rule alone gets wrong.
  EXPECT_EQ(ItalianDate(utc(1990, 9, 30, 22, 30)), (Date{1990, 9, 30}));
  EXPECT_EQ(ItalianDate(utc(1990, 9, 30, 23, 0)), (Date{1990, 10, 1}));
}

TEST(ItalianDateTest, AMissingZoneIsAnErrorThatNamesIt) {
  EXPECT_TRUE(CheckItalianTimeZone().ok()) << CheckItalianTimeZone();
  const absl::StatusOr<absl::TimeZone> missing = LoadTimeZoneOrError("Europe/Atlantide");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find("Europe/Atlantide"), absl::string_view::npos);
  EXPECT_NE(missing.status().message().find("tzdata"), absl::string_view::npos);
}

}  // namespace
}  // namespace omnia::domain

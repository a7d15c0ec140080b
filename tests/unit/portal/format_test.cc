// Numbers, dates and sizes as an Italian reader expects them.
#include "libs/portal/format.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace omnia::portal {
namespace {

TEST(FormatTest, IntegersGroupThousandsWithDots) {
  EXPECT_EQ(FormatInteger(0), "0");
  EXPECT_EQ(FormatInteger(999), "999");
  EXPECT_EQ(FormatInteger(1000), "1.000");
  EXPECT_EQ(FormatInteger(363463), "363.463");
  EXPECT_EQ(FormatInteger(std::numeric_limits<uint64_t>::max()), "18.446.744.073.709.551.615");
  EXPECT_EQ(FormatSignedInteger(-1234), "-1.234");
  EXPECT_EQ(FormatSignedInteger(std::numeric_limits<int64_t>::min()), "-9.223.372.036.854.775.808");
}

TEST(FormatTest, DecimalsUseACommaAndPercentagesASpace) {
  EXPECT_EQ(FormatDecimal(1234.5, 2), "1.234,50");
  EXPECT_EQ(FormatPercent(12.5), "12,5 %");
  EXPECT_EQ(FormatChangePercent(12.54), "+12,5 %");
  EXPECT_EQ(FormatChangePercent(-3), "-3,0 %");
  EXPECT_EQ(FormatChangePercent(-0.01), "0,0 %");
  EXPECT_EQ(FormatChangePercent(std::nan("")), "n.d.");
}

TEST(FormatTest, CompactLabelsForAxes) {
  EXPECT_EQ(FormatCompact(250000), "250.000");
  EXPECT_EQ(FormatCompact(1500000), "1,5 mln");
  EXPECT_EQ(FormatCompact(2000000000), "2 mld");
  EXPECT_EQ(FormatCompact(3.2e15), "3.200 mila mld");
}

TEST(FormatTest, SizesInItalianUnits) {
  EXPECT_EQ(FormatSize(512), "512 byte");
  EXPECT_EQ(FormatSize(12345), "12,3 kB");
  EXPECT_EQ(FormatSize(4500000), "4,5 MB");
  EXPECT_EQ(FormatSize(1200000000), "1,2 GB");
}

TEST(FormatTest, MonthsAndDatesInItalian) {
  v1::YearMonth month;
  month.set_year(2023);
  month.set_month(3);
  EXPECT_EQ(FormatMonth(month), "marzo 2023");
  EXPECT_EQ(IsoMonth(month), "2023-03");
  EXPECT_EQ(MonthAbbreviation(12), "dic");
  EXPECT_EQ(MonthName(13), "");
  v1::Date date;
  date.set_year(2025);
  date.set_month(3);
  date.set_day(1);
  EXPECT_EQ(FormatDate(date), "1 marzo 2025");
  EXPECT_EQ(IsoDate(date), "2025-03-01");
  EXPECT_EQ(FormatDate(v1::Date()), "non ancora pubblicato");
}

TEST(FormatTest, EscapingAndUrlEncoding) {
  EXPECT_EQ(HtmlEscape("<script>alert('x')</script> & \""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;");
  EXPECT_EQ(UrlEncode("VALLE_D'AOSTA"), "VALLE_D%27AOSTA");
  EXPECT_EQ(UrlEncode("a b&c=d"), "a%20b%26c%3Dd");
}

}  // namespace
}  // namespace omnia::portal

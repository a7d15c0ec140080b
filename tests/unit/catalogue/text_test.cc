#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/catalogue/rome_date.h"
#include "libs/catalogue/text_fold.h"

namespace omnia::catalogue {
namespace {

using ::testing::ElementsAre;

TEST(FoldTextTest, LowercasesAndStripsItalianAccents) {
  EXPECT_EQ(FoldText("Numero Mensilità"), "numero mensilita");
  EXPECT_EQ(FoldText("À È É Ì Ò Ù à è é ì ò ù"), "a e e i o u a e e i o u");
  EXPECT_EQ(FoldText("PERCHÉ Sì"), "perche si");
  EXPECT_EQ(FoldText("Vallée d'Aoste/Südtirol"), "vallee d aoste sudtirol");
  EXPECT_EQ(FoldText("Straße Æsir Ñandú ÇA"), "strasse aesir nandu ca");
}

TEST(FoldTextTest, CollapsesPunctuationAndSpaces) {
  EXPECT_EQ(FoldText("  Storico  Numero Domande. Anno 2020, 2021  "),
            "storico numero domande anno 2020 2021");
  // Typographic apostrophe, no-break space, em dash and guillemets separate words.
  EXPECT_EQ(FoldText("dell\u2019INPS\u00a0\u2014 \u00abFIS\u00bb"), "dell inps fis");
  EXPECT_EQ(FoldText(""), "");
  EXPECT_EQ(FoldText("...!?"), "");
}

TEST(FoldTextTest, KeepsOtherCharactersAndInvalidBytes) {
  EXPECT_EQ(FoldText("αβγ €"), "αβγ €");
  EXPECT_EQ(FoldText(std::string("a\xff") + "b"),
            "a\xff"
            "b");
}

TEST(FoldTextTest, Words) {
  EXPECT_THAT(FoldedWords("Numero Mensilità, CIG-in-deroga"),
              ElementsAre("numero", "mensilita", "cig", "in", "deroga"));
  EXPECT_TRUE(FoldedWords("  ,. ").empty());
}

TEST(Utf8Test, ValidatesAndCounts) {
  EXPECT_TRUE(IsValidUtf8("Mensilità €"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_EQ(CodePointCount("Mensilità"), 9u);
  EXPECT_EQ(CodePointCount("€€"), 2u);
}

absl::Time Utc(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), absl::UTCTimeZone());
}

TEST(RomeDateTest, UsesItalianCalendarDay) {
  // Winter: UTC+1.
  EXPECT_EQ(RomeDate(Utc(2025, 12, 31, 22, 59)), (domain::Date{2025, 12, 31}));
  EXPECT_EQ(RomeDate(Utc(2025, 12, 31, 23, 0)), (domain::Date{2026, 1, 1}));
  // Summer: UTC+2.
  EXPECT_EQ(RomeDate(Utc(2025, 6, 30, 21, 59)), (domain::Date{2025, 6, 30}));
  EXPECT_EQ(RomeDate(Utc(2025, 6, 30, 22, 0)), (domain::Date{2025, 7, 1}));
}

TEST(RomeDateTest, EuRuleAgreesWithTheDatabase) {
  absl::TimeZone rome;
  if (!absl::LoadTimeZone("Europe/Rome", &rome)) GTEST_SKIP() << "no time-zone database";
  // Every half hour across three years covers every switch to and from summer time.
  for (absl::Time t = Utc(2024, 1, 1, 0, 0); t < Utc(2027, 1, 1, 0, 0); t += absl::Minutes(30)) {
    const absl::CivilDay day = absl::ToCivilDay(t, rome);
    ASSERT_EQ(RomeDateByEuRule(t),
              (domain::Date{static_cast<int>(day.year()), day.month(), day.day()}))
        << absl::FormatTime(t);
  }
}

}  // namespace
}  // namespace omnia::catalogue

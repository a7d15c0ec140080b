#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/catalogue/text_fold.h"

namespace omnia::catalogue {
namespace {

using ::testing::ElementsAre;

TEST(FoldTextTest, LowercasesAndStripsItalianAccents) {
  EXPECT_EQ(FoldText("Numero Mensilità"), "numero mensilita");
  EXPECT_EQ(FoldText("À È É Ì Ò Ù à è é ì ò ù"), "a e e i o u a e e i o u");
  // catalogue.proto: text search ignores accents, also written decomposed (a letter followed by
  // a combining mark, U+0300 to U+036F).
  EXPECT_EQ(FoldText("Mensilita\u0300 Liberta\u0300 E\u0301"), "mensilita liberta e");
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

}  // namespace
}  // namespace omnia::catalogue

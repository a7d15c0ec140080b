#include "libs/domain/codelists.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace omnia::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

class CodelistsTest : public ::testing::Test {
 protected:
  Codelists lists_ = Codelists::Builtin();
};

TEST_F(CodelistsTest, BuiltinHasExpectedSizesAndVersion) {
  EXPECT_EQ(lists_.version(), "2024-01");
  EXPECT_EQ(lists_.regions().size(), 20u);
  EXPECT_EQ(lists_.macro_areas().size(), 5u);
  EXPECT_EQ(lists_.families().size(), 2u);
  EXPECT_EQ(lists_.intervention_types().size(), 6u);
  EXPECT_EQ(lists_.months().size(), 12u);
}

TEST_F(CodelistsTest, IndicesAreDensePositions) {
  for (size_t i = 0; i < lists_.regions().size(); ++i) {
    EXPECT_EQ(lists_.regions()[i].index, static_cast<int>(i));
  }
  for (size_t i = 0; i < lists_.intervention_types().size(); ++i) {
    EXPECT_EQ(lists_.intervention_types()[i].index, static_cast<int>(i));
  }
  for (size_t i = 0; i < lists_.months().size(); ++i) {
    EXPECT_EQ(lists_.months()[i].number, static_cast<int>(i) + 1);
  }
}

TEST_F(CodelistsTest, RegionsFollowIstatOrderWithNuts2021Codes) {
  struct Expected {
    const char* istat;
    const char* label;
    std::vector<std::string> nuts2;
    const char* macro;
  };
  const std::vector<Expected> expected = {
      {"01", "PIEMONTE", {"ITC1"}, "NORD_OVEST"},
      {"02", "VALLE_D'AOSTA", {"ITC2"}, "NORD_OVEST"},
      {"03", "LOMBARDIA", {"ITC4"}, "NORD_OVEST"},
      {"04", "TRENTINO_ALTO_ADIGE", {"ITH1", "ITH2"}, "NORD_EST"},
      {"05", "VENETO", {"ITH3"}, "NORD_EST"},
      {"06", "FRIULI_VENEZIA_GIULIA", {"ITH4"}, "NORD_EST"},
      {"07", "LIGURIA", {"ITC3"}, "NORD_OVEST"},
      {"08", "EMILIA_ROMAGNA", {"ITH5"}, "NORD_EST"},
      {"09", "TOSCANA", {"ITI1"}, "CENTRO"},
      {"10", "UMBRIA", {"ITI2"}, "CENTRO"},
      {"11", "MARCHE", {"ITI3"}, "CENTRO"},
      {"12", "LAZIO", {"ITI4"}, "CENTRO"},
      {"13", "ABRUZZO", {"ITF1"}, "SUD"},
      {"14", "MOLISE", {"ITF2"}, "SUD"},
      {"15", "CAMPANIA", {"ITF3"}, "SUD"},
      {"16", "PUGLIA", {"ITF4"}, "SUD"},
      {"17", "BASILICATA", {"ITF5"}, "SUD"},
      {"18", "CALABRIA", {"ITF6"}, "SUD"},
      {"19", "SICILIA", {"ITG1"}, "ISOLE"},
      {"20", "SARDEGNA", {"ITG2"}, "ISOLE"},
  };
  ASSERT_EQ(lists_.regions().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const Region& region = lists_.regions()[i];
    SCOPED_TRACE(region.inps_label);
    EXPECT_EQ(region.istat_code, expected[i].istat);
    EXPECT_EQ(region.inps_label, expected[i].label);
    EXPECT_EQ(region.nuts2_codes, expected[i].nuts2);
    EXPECT_EQ(region.macro_area_code, expected[i].macro);
    EXPECT_EQ(lists_.MacroAreaOf(region).code, expected[i].macro);
    // Every NUTS-2 code starts with its macro-area's NUTS-1 code.
    for (const std::string& nuts2 : region.nuts2_codes) {
      EXPECT_EQ(nuts2.substr(0, 3), lists_.MacroAreaOf(region).nuts1_code);
    }
  }
}

TEST_F(CodelistsTest, DisplayNamesAreOfficial) {
  EXPECT_EQ(lists_.regions()[1].display_name, "Valle d'Aosta/Vallée d'Aoste");
  EXPECT_EQ(lists_.regions()[3].display_name, "Trentino-Alto Adige/Südtirol");
  EXPECT_EQ(lists_.regions()[7].display_name, "Emilia-Romagna");
  EXPECT_EQ(lists_.regions()[5].display_name, "Friuli-Venezia Giulia");
}

TEST_F(CodelistsTest, MacroAreas) {
  std::vector<std::string> codes, nuts1;
  for (const MacroArea& area : lists_.macro_areas()) {
    codes.push_back(area.code);
    nuts1.push_back(area.nuts1_code);
  }
  EXPECT_THAT(codes, ElementsAre("NORD_OVEST", "NORD_EST", "CENTRO", "SUD", "ISOLE"));
  EXPECT_THAT(nuts1, ElementsAre("ITC", "ITH", "ITI", "ITF", "ITG"));
  EXPECT_EQ(lists_.macro_areas()[0].name, "Nord-Ovest");
}

TEST_F(CodelistsTest, FindRegionByEveryKind) {
  for (const char* key : {"EMILIA_ROMAGNA", "emilia_romagna", "08", "ITH5", "ith5",
                          "Emilia-Romagna", "Emilia Romagna", "EMILIA-ROMAGNA"}) {
    SCOPED_TRACE(key);
    absl::StatusOr<const Region*> region = lists_.FindRegion(key);
    ASSERT_TRUE(region.ok()) << region.status();
    EXPECT_EQ((*region)->inps_label, "EMILIA_ROMAGNA");
  }
  for (const char* key :
       {"VALLE_D'AOSTA", "Valle d'Aosta", "Valle d'Aosta/Vallée d'Aoste", "02", "ITC2"}) {
    SCOPED_TRACE(key);
    absl::StatusOr<const Region*> region = lists_.FindRegion(key);
    ASSERT_TRUE(region.ok()) << region.status();
    EXPECT_EQ((*region)->istat_code, "02");
  }
}

TEST_F(CodelistsTest, BothTrentinoNuts2CodesMapToTheRegion) {
  for (const char* key : {"ITH1", "ITH2", "Trentino-Alto Adige", "04"}) {
    absl::StatusOr<const Region*> region = lists_.FindRegion(key);
    ASSERT_TRUE(region.ok()) << key;
    EXPECT_EQ((*region)->inps_label, "TRENTINO_ALTO_ADIGE");
  }
}

TEST_F(CodelistsTest, UnknownRegionNamesKindValueAndValidCodes) {
  absl::StatusOr<const Region*> region = lists_.FindRegion("ATLANTIDE");
  ASSERT_FALSE(region.ok());
  EXPECT_EQ(region.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(region.status()), HasSubstr("region"));
  EXPECT_THAT(Message(region.status()), HasSubstr("'ATLANTIDE'"));
  EXPECT_THAT(Message(region.status()), HasSubstr("PIEMONTE"));
  EXPECT_THAT(Message(region.status()), HasSubstr("SARDEGNA"));
  EXPECT_FALSE(lists_.FindRegion("").ok());
  EXPECT_FALSE(lists_.FindRegion("ITH").ok());  // NUTS-1 is a macro-area, not a region
  EXPECT_FALSE(lists_.FindRegion("21").ok());
}

TEST_F(CodelistsTest, UnknownValueIsEscapedAndTruncatedInMessage) {
  const std::string hostile = std::string(500, 'x') + "\n\x01";
  absl::StatusOr<const Region*> region = lists_.FindRegion(hostile);
  ASSERT_FALSE(region.ok());
  EXPECT_LT(Message(region.status()).size(), 500u);
  EXPECT_EQ(Message(region.status()).find('\n'), std::string::npos);
}

TEST_F(CodelistsTest, FindMacroArea) {
  for (const char* key : {"SUD", "sud", "Sud"}) {
    absl::StatusOr<const MacroArea*> area = lists_.FindMacroArea(key);
    ASSERT_TRUE(area.ok());
    EXPECT_EQ((*area)->nuts1_code, "ITF");
  }
  absl::StatusOr<const MacroArea*> area = lists_.FindMacroArea("nord-ovest");
  ASSERT_TRUE(area.ok());
  EXPECT_EQ((*area)->code, "NORD_OVEST");
  absl::StatusOr<const MacroArea*> unknown = lists_.FindMacroArea("MEZZOGIORNO");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(Message(unknown.status()), HasSubstr("macro-area 'MEZZOGIORNO'"));
  EXPECT_THAT(Message(unknown.status()), HasSubstr("NORD_OVEST, NORD_EST, CENTRO, SUD, ISOLE"));
}

TEST_F(CodelistsTest, FindInterventionTypeExactThenIgnoringCase) {
  absl::StatusOr<const InterventionType*> type = lists_.FindInterventionType("FONDI_Centrali");
  ASSERT_TRUE(type.ok());
  EXPECT_EQ((*type)->family_code, "FONDI");
  type = lists_.FindInterventionType("fondi_centrali");
  ASSERT_TRUE(type.ok());
  EXPECT_EQ((*type)->code, "FONDI_Centrali");
  type = lists_.FindInterventionType("CIGO");
  ASSERT_TRUE(type.ok());
  EXPECT_EQ((*type)->description, "Cassa integrazione guadagni ordinaria");
  EXPECT_EQ(lists_.FamilyOf(**type).code, "CIG");
  absl::StatusOr<const InterventionType*> unknown = lists_.FindInterventionType("CIGX");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(unknown.status()),
              HasSubstr("intervention type 'CIGX'; valid codes: CIGO, CIGS, CIGD, FIS, "
                        "FONDI_Centrali, FONDI_Territorio"));
}

TEST_F(CodelistsTest, InputCodesAreInpsLabelsInAnyCaseOrIstatCodes) {
  EXPECT_EQ(lists_.RegionByInputCode("VALLE_D'AOSTA")->istat_code, "02");
  EXPECT_EQ(lists_.RegionByInputCode("valle_d'aosta")->istat_code, "02");
  EXPECT_EQ(lists_.RegionByInputCode("02")->inps_label, "VALLE_D'AOSTA");
  EXPECT_EQ(lists_.RegionByInputCode("20")->inps_label, "SARDEGNA");
  // Names, NUTS codes, macro-areas and near misses are not region codes.
  for (std::string_view other :
       {"Sardegna/Sardigna", "ITG2", "ISOLE", "ITALY", "2", "020", "", "VALLE D'AOSTA"}) {
    EXPECT_EQ(lists_.RegionByInputCode(other), nullptr) << other;
  }
  EXPECT_EQ(lists_.InterventionTypeByInputCode("FONDI_TERRITORIO")->code, "FONDI_Territorio");
  EXPECT_EQ(lists_.InterventionTypeByInputCode("cigo")->code, "CIGO");
  EXPECT_EQ(lists_.InterventionTypeByInputCode("CIG"), nullptr);  // a family
  EXPECT_EQ(lists_.InterventionTypeByInputCode("ALL"), nullptr);
}

TEST_F(CodelistsTest, ExactLookupsAreCaseSensitive) {
  EXPECT_NE(lists_.RegionByInpsLabel("VALLE_D'AOSTA"), nullptr);
  EXPECT_EQ(lists_.RegionByInpsLabel("Valle_d'Aosta"), nullptr);
  EXPECT_NE(lists_.InterventionTypeByCode("FONDI_Territorio"), nullptr);
  EXPECT_EQ(lists_.InterventionTypeByCode("FONDI_TERRITORIO"), nullptr);
}

// Every entry is found by its own key with its index; no prefix of a key (unless itself a key)
// and no extension of one is found.
template <typename Entry, typename KeyOf, typename Lookup>
void ExpectExactLookups(const std::vector<Entry>& entries, KeyOf key_of, Lookup lookup) {
  absl::flat_hash_set<std::string> keys;
  for (const Entry& entry : entries) keys.insert(key_of(entry));
  for (const Entry& entry : entries) {
    const std::string key = key_of(entry);
    const Entry* found = lookup(key);
    ASSERT_NE(found, nullptr) << key;
    EXPECT_EQ(found->index, entry.index);
    for (size_t n = 0; n < key.size(); ++n) {
      const std::string prefix = key.substr(0, n);
      if (!keys.contains(prefix)) {
        EXPECT_EQ(lookup(prefix), nullptr) << prefix;
      }
    }
    EXPECT_EQ(lookup(key + "X"), nullptr) << key;
  }
}

// The exact lookups hash short codes from fixed-size loads; every length from 1 to past 8 bytes
// must still find exactly its own entry.
TEST_F(CodelistsTest, ExactLookupsFindEveryCodeAndNoPrefixOrExtensionOfOne) {
  ExpectExactLookups(
      lists_.regions(), [](const Region& r) { return r.inps_label; },
      [&](std::string_view label) { return lists_.RegionByInpsLabel(label); });
  ExpectExactLookups(
      lists_.intervention_types(), [](const InterventionType& t) { return t.code; },
      [&](std::string_view code) { return lists_.InterventionTypeByCode(code); });
}

TEST_F(CodelistsTest, FamiliesAndRollups) {
  absl::StatusOr<const Family*> family = lists_.FindFamily("cig");
  ASSERT_TRUE(family.ok());
  EXPECT_EQ((*family)->code, "CIG");
  EXPECT_FALSE(lists_.FindFamily("NASPI").ok());

  absl::StatusOr<std::vector<const InterventionType*>> cig = lists_.TypesOfFamily("CIG");
  ASSERT_TRUE(cig.ok());
  std::vector<std::string> codes;
  for (const InterventionType* type : *cig) codes.push_back(type->code);
  EXPECT_THAT(codes, ElementsAre("CIGO", "CIGS", "CIGD"));
  absl::StatusOr<std::vector<const InterventionType*>> fondi = lists_.TypesOfFamily("FONDI");
  ASSERT_TRUE(fondi.ok());
  EXPECT_EQ(fondi->size(), 3u);
  EXPECT_FALSE(lists_.TypesOfFamily("X").ok());
}

TEST_F(CodelistsTest, RegionsOfMacroArea) {
  const std::vector<std::pair<std::string, size_t>> sizes = {
      {"NORD_OVEST", 4}, {"NORD_EST", 4}, {"CENTRO", 4}, {"SUD", 6}, {"ISOLE", 2}};
  size_t total = 0;
  for (const auto& [code, size] : sizes) {
    absl::StatusOr<std::vector<const Region*>> regions = lists_.RegionsOfMacroArea(code);
    ASSERT_TRUE(regions.ok()) << code;
    EXPECT_EQ(regions->size(), size) << code;
    total += regions->size();
  }
  EXPECT_EQ(total, 20u);
  absl::StatusOr<std::vector<const Region*>> isole = lists_.RegionsOfMacroArea("Isole");
  ASSERT_TRUE(isole.ok());
  EXPECT_EQ((*isole)[0]->inps_label, "SICILIA");
  EXPECT_EQ((*isole)[1]->inps_label, "SARDEGNA");
  EXPECT_FALSE(lists_.RegionsOfMacroArea("ITALIA").ok());
}

TEST_F(CodelistsTest, Months) {
  absl::StatusOr<int> month = lists_.FindMonthByItalianName("settembre");
  ASSERT_TRUE(month.ok());
  EXPECT_EQ(*month, 9);
  EXPECT_EQ(lists_.months()[0].italian_name, "Gennaio");
  EXPECT_EQ(lists_.months()[11].italian_name, "Dicembre");
  absl::StatusOr<int> bad = lists_.FindMonthByItalianName("September");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(Message(bad.status()), HasSubstr("month 'September'"));
  EXPECT_THAT(Message(bad.status()), HasSubstr("Gennaio"));
}

TEST_F(CodelistsTest, PointersSurviveMove) {
  Codelists moved = Codelists::Builtin();
  const Region* before = *moved.FindRegion("LAZIO");
  Codelists target = std::move(moved);
  EXPECT_EQ(*target.FindRegion("LAZIO"), before);
}

// Create() validates a new version, so the lists can grow without a code change elsewhere.
class CreateTest : public CodelistsTest {
 protected:
  absl::StatusOr<Codelists> CreateWith(std::vector<Region> regions,
                                       std::vector<InterventionType> types) {
    return Codelists::Create("test", lists_.macro_areas(), std::move(regions), lists_.families(),
                             std::move(types), lists_.months());
  }
};

TEST_F(CreateTest, AcceptsAnExtendedTypeList) {
  std::vector<InterventionType> types = lists_.intervention_types();
  types.push_back(
      InterventionType{6, "CISOA", "Cassa integrazione salariale operai agricoli", "CIG"});
  absl::StatusOr<Codelists> created = CreateWith(lists_.regions(), types);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->version(), "test");
  EXPECT_EQ(created->TypesOfFamily("CIG")->size(), 4u);
}

TEST_F(CreateTest, RejectsInconsistentLists) {
  std::vector<InterventionType> types = lists_.intervention_types();
  types.push_back(InterventionType{6, "cigo", "duplicate ignoring case", "CIG"});
  EXPECT_FALSE(CreateWith(lists_.regions(), types).ok());

  types = lists_.intervention_types();
  types.push_back(InterventionType{6, "NEW", "unknown family", "NOPE"});
  EXPECT_FALSE(CreateWith(lists_.regions(), types).ok());

  types = lists_.intervention_types();
  types.push_back(InterventionType{9, "NEW", "index is not its position", "CIG"});
  EXPECT_FALSE(CreateWith(lists_.regions(), types).ok());

  types = lists_.intervention_types();
  types.push_back(InterventionType{6, "A,B", "a comma would break CSV", "CIG"});
  EXPECT_FALSE(CreateWith(lists_.regions(), types).ok());

  std::vector<Region> regions = lists_.regions();
  regions[1].nuts2_codes = {"ITC1"};  // already Piemonte's
  EXPECT_FALSE(CreateWith(regions, lists_.intervention_types()).ok());

  regions = lists_.regions();
  regions[2].macro_area_code = "ALPI";
  EXPECT_FALSE(CreateWith(regions, lists_.intervention_types()).ok());

  regions = lists_.regions();
  regions[4].display_name = "emilia romagna";  // collides with region 08 under loose matching
  EXPECT_FALSE(CreateWith(regions, lists_.intervention_types()).ok());
}

// The INPS labels must be exactly those of the published files: every label used in the three real
// files resolves, and together they cover all 20 regions.
TEST_F(CodelistsTest, LabelsMatchTheRealFiles) {
  const std::string dir = OMNIA_SHARED_DATA_DIR;
  std::set<std::string> labels;
  bool found_any = false;
  for (const char* name :
       {"integrazioni-salariali-domande-2023.csv", "integrazioni-salariali-lavoratori-2023.csv",
        "integrazioni-salariali-mensilita-2023.csv"}) {
    std::ifstream in(dir + "/" + name);
    if (!in) continue;
    found_any = true;
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::stringstream fields(line);
      std::string field;
      for (int i = 0; i < 4; ++i) std::getline(fields, field, ',');
      labels.insert(field);
    }
  }
  if (!found_any) GTEST_SKIP() << "real INPS files not found in " << dir;
  EXPECT_EQ(labels.size(), 20u);
  for (const std::string& label : labels) {
    EXPECT_NE(lists_.RegionByInpsLabel(label), nullptr) << label;
  }
}

}  // namespace
}  // namespace omnia::domain

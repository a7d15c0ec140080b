#include "libs/catalogue/codelists.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/catalogue/test_config.h"

namespace omnia::catalogue {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CodelistsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<CatalogueConfig> config = LoadDeployedConfig();
    ASSERT_TRUE(config.ok()) << config.status();
    all_ = BuildCodelists(domain::Codelists::Builtin(), *config);
  }

  v1::ListCodelistsResponse all_;
};

TEST_F(CodelistsTest, EveryListWithItsLabels) {
  EXPECT_EQ(all_.version(), domain::Codelists::kBuiltinVersion);
  ASSERT_EQ(all_.regions_size(), 20);
  EXPECT_EQ(all_.regions(0).code(), "PIEMONTE");
  EXPECT_EQ(all_.regions(0).istat_code(), "01");
  const v1::Region& trentino = all_.regions(3);
  EXPECT_EQ(trentino.code(), "TRENTINO_ALTO_ADIGE");
  EXPECT_THAT(trentino.nuts2_codes(), ElementsAre("ITH1", "ITH2"));
  EXPECT_EQ(trentino.macro_area(), "NORD_EST");
  EXPECT_EQ(all_.regions(1).code(), "VALLE_D'AOSTA");
  EXPECT_EQ(all_.regions(1).name(), "Valle d'Aosta/Vallée d'Aoste");

  ASSERT_EQ(all_.macro_areas_size(), 5);
  EXPECT_EQ(all_.macro_areas(0).code(), "NORD_OVEST");
  EXPECT_EQ(all_.macro_areas(0).istat_code(), "1");
  EXPECT_EQ(all_.macro_areas(0).nuts1_code(), "ITC");
  EXPECT_EQ(all_.macro_areas(4).code(), "ISOLE");
  EXPECT_EQ(all_.macro_areas(4).istat_code(), "5");

  ASSERT_EQ(all_.intervention_types_size(), 6);
  EXPECT_EQ(all_.intervention_types(0).code(), "CIGO");
  EXPECT_EQ(all_.intervention_types(0).description(), "Cassa integrazione guadagni ordinaria");
  EXPECT_EQ(all_.intervention_types(0).family(), "CIG");
  EXPECT_EQ(all_.intervention_types(5).code(), "FONDI_Territorio");
  EXPECT_EQ(all_.intervention_types(5).family(), "FONDI");
  ASSERT_EQ(all_.families_size(), 2);
  EXPECT_EQ(all_.families(1).name(), "Fondi di solidarietà");

  ASSERT_EQ(all_.months_size(), 12);
  EXPECT_EQ(all_.months(0).name(), "Gennaio");
  EXPECT_EQ(all_.months(0).quarter(), 1);
  EXPECT_EQ(all_.months(11).name(), "Dicembre");
  EXPECT_EQ(all_.months(11).quarter(), 4);

  ASSERT_EQ(all_.measures_size(), 3);
  EXPECT_EQ(all_.measures(0).code(), "APPLICATIONS");
  EXPECT_TRUE(all_.measures(0).additive());
  EXPECT_EQ(all_.measures(1).code(), "WORKERS");
  EXPECT_FALSE(all_.measures(1).additive());
  EXPECT_THAT(all_.measures(1).additivity_note(), HasSubstr("non sono sommabili"));
  EXPECT_EQ(all_.measures(1).csv_column(), "numero_lavoratori");
  EXPECT_EQ(all_.measures(2).code(), "BENEFIT_MONTHS");
  EXPECT_TRUE(all_.next_page_token().empty());
}

TEST_F(CodelistsTest, OnePageByDefault) {
  absl::StatusOr<v1::ListCodelistsResponse> page = PageCodelists(all_, 0, "");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->SerializeAsString(), all_.SerializeAsString());
}

TEST_F(CodelistsTest, SmallPagesSplitListsAndReassemble) {
  v1::ListCodelistsResponse joined;
  std::string token;
  int pages = 0;
  do {
    absl::StatusOr<v1::ListCodelistsResponse> page = PageCodelists(all_, 7, token);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->version(), all_.version());
    EXPECT_LE(page->regions_size() + page->macro_areas_size() + page->intervention_types_size() +
                  page->families_size() + page->months_size() + page->measures_size(),
              7);
    token = page->next_page_token();
    page->clear_next_page_token();
    joined.MergeFrom(*page);
    ++pages;
  } while (!token.empty() && pages < 100);
  // 20 + 5 + 6 + 2 + 12 + 3 = 48 entries.
  EXPECT_EQ(pages, 7);
  EXPECT_EQ(joined.SerializeAsString(), all_.SerializeAsString());
}

TEST_F(CodelistsTest, BadPagingIsRejected) {
  EXPECT_EQ(PageCodelists(all_, -1, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PageCodelists(all_, 10, "###").status().code(), absl::StatusCode::kInvalidArgument);
  const std::string token = PageCodelists(all_, 10, "")->next_page_token();
  ASSERT_FALSE(token.empty());
  v1::ListCodelistsResponse newer = all_;
  newer.set_version("2099-01");
  const absl::Status status = PageCodelists(newer, 10, token).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("version"));
}

// catalogue.proto: version is the codelists' own (the one Query reports), and measures_version
// changes whenever a measure's text in the configuration does, so a client caching the lists by
// both sees the new text; a page token from before the change is refused.
TEST_F(CodelistsTest, AMeasuresTextChangesItsVersionAndNotTheCodelists) {
  EXPECT_THAT(all_.measures_version(), ::testing::MatchesRegex("[0-9a-f]{16}"));
  absl::StatusOr<CatalogueConfig> config = LoadDeployedConfig();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(BuildCodelists(domain::Codelists::Builtin(), *config).measures_version(),
            all_.measures_version());

  ::omnia::internal::DatasetsConfig edited = config->proto();
  ASSERT_GT(edited.measures_size(), 1);
  edited.mutable_measures(1)->set_definition(edited.measures(1).definition() + " (rivista)");
  absl::StatusOr<CatalogueConfig> changed = CatalogueConfig::FromProto(edited);
  ASSERT_TRUE(changed.ok()) << changed.status();
  const v1::ListCodelistsResponse after = BuildCodelists(domain::Codelists::Builtin(), *changed);
  EXPECT_EQ(after.version(), all_.version());
  EXPECT_NE(after.measures_version(), all_.measures_version());

  absl::StatusOr<v1::ListCodelistsResponse> first = PageCodelists(all_, 10, "");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->measures_version(), all_.measures_version());
  const absl::Status stale = PageCodelists(after, 10, first->next_page_token()).status();
  EXPECT_EQ(stale.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(stale.message(), HasSubstr("page_token"));
}

}  // namespace
}  // namespace omnia::catalogue

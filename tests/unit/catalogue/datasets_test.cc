#include "libs/catalogue/datasets.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/catalogue/test_config.h"

namespace omnia::catalogue {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class DatasetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<CatalogueConfig> config = LoadDeployedConfig();
    ASSERT_TRUE(config.ok()) << config.status();
    config_.emplace(*std::move(config));
  }

  std::vector<std::string> Ids(const std::vector<DatasetSpec>& specs) {
    std::vector<std::string> ids;
    for (const DatasetSpec& spec : specs) ids.push_back(spec.dataset_id);
    return ids;
  }

  std::optional<CatalogueConfig> config_;
};

TEST_F(DatasetsTest, SixYearsOfData) {
  const std::vector<DatasetSpec> specs =
      DatasetsFor(*config_, {2020, 2021, 2022, 2023, 2024, 2025}, 2024);
  // 3 Storico + 3 Annuale of the latest year + 3 per each of the 5 earlier years.
  ASSERT_EQ(specs.size(), 21u);
  const std::vector<std::string> ids = Ids(specs);
  EXPECT_THAT(
      std::vector<std::string>(ids.begin(), ids.begin() + 9),
      ElementsAre("integrazioni-salariali-domande-storico",
                  "integrazioni-salariali-lavoratori-storico",
                  "integrazioni-salariali-mensilita-storico", "integrazioni-salariali-domande-2025",
                  "integrazioni-salariali-lavoratori-2025", "integrazioni-salariali-mensilita-2025",
                  "integrazioni-salariali-domande-2024", "integrazioni-salariali-lavoratori-2024",
                  "integrazioni-salariali-mensilita-2024"));
  EXPECT_EQ(specs.back().dataset_id, "integrazioni-salariali-mensilita-2020");

  const DatasetSpec& storico = specs[0];
  EXPECT_EQ(storico.kind, DatasetKind::kHistorical);
  EXPECT_EQ(storico.measure, domain::Measure::kApplications);
  EXPECT_THAT(storico.years, ElementsAre(2020, 2021, 2022, 2023, 2024));
  EXPECT_EQ(storico.first_year, 2020);
  EXPECT_EQ(storico.last_year, 2024);
  EXPECT_EQ(storico.reference_year, 0);
  EXPECT_EQ(storico.title,
            "Storico Numero Domande per regione e tipo di intervento. Anno 2020, 2021, 2022, "
            "2023, 2024");
  EXPECT_EQ(storico.update_frequency, "ANNUAL");

  const DatasetSpec& latest = specs[3];
  EXPECT_EQ(latest.kind, DatasetKind::kAnnual);
  EXPECT_EQ(latest.reference_year, 2025);
  EXPECT_THAT(latest.years, ElementsAre(2025));
  EXPECT_TRUE(latest.current);
  EXPECT_EQ(latest.update_frequency, "MONTHLY");
  EXPECT_EQ(latest.title, "Numero Domande per regione e tipo di intervento. Anno 2025");

  const DatasetSpec& past = specs[7];
  EXPECT_EQ(past.dataset_id, "integrazioni-salariali-lavoratori-2024");
  EXPECT_FALSE(past.current);
  EXPECT_EQ(past.update_frequency, "IRREG");
  EXPECT_EQ(past.title, "Numero Lavoratori per regione e tipo di intervento. Anno 2024");
}

TEST_F(DatasetsTest, TitlesFollowInpsWording) {
  const std::vector<DatasetSpec> specs = DatasetsFor(*config_, {2020, 2021, 2022, 2023}, 2022);
  ASSERT_EQ(specs.size(), 15u);
  EXPECT_EQ(specs[0].title,
            "Storico Numero Domande per regione e tipo di intervento. Anno 2020, 2021, 2022");
  EXPECT_EQ(specs[1].title,
            "Storico Numero Lavoratori per regione e tipo di intervento. Anno 2020, 2021, 2022");
  EXPECT_EQ(specs[2].title,
            "Storico Numero Mensilità per regione e tipo di intervento. Anno 2020, 2021, 2022");
  EXPECT_EQ(specs[3].title, "Numero Domande per regione e tipo di intervento. Anno 2023");
  EXPECT_EQ(specs[4].title, "Numero Lavoratori per regione e tipo di intervento. Anno 2023");
  EXPECT_EQ(specs[5].title, "Numero Mensilità per regione e tipo di intervento. Anno 2023");
  EXPECT_EQ(specs[3].dataset_id, "integrazioni-salariali-domande-2023");
}

TEST_F(DatasetsTest, StoricoStaysCurrentWithTheYearsCovered) {
  const std::string before = DatasetsFor(*config_, {2020, 2021, 2022, 2023}, 2022).front().title;
  const std::vector<DatasetSpec> after = DatasetsFor(*config_, {2020, 2021, 2022, 2023}, 2023);
  EXPECT_THAT(before, HasSubstr("Anno 2020, 2021, 2022"));
  EXPECT_EQ(after.front().title,
            "Storico Numero Domande per regione e tipo di intervento. Anno 2020, 2021, 2022, 2023");
  // Same id: a Storico is one dataset whose coverage grows.
  EXPECT_EQ(after.front().dataset_id, "integrazioni-salariali-domande-storico");
}

TEST_F(DatasetsTest, OnlyOneYearOfData) {
  // 2023 still in progress: Annuale only.
  std::vector<DatasetSpec> specs = DatasetsFor(*config_, {2023}, 2022);
  EXPECT_THAT(Ids(specs), ElementsAre("integrazioni-salariali-domande-2023",
                                      "integrazioni-salariali-lavoratori-2023",
                                      "integrazioni-salariali-mensilita-2023"));
  EXPECT_TRUE(specs[0].current);

  // 2023 complete: the Storico covers it, and only it (no data before).
  specs = DatasetsFor(*config_, {2023}, 2024);
  ASSERT_EQ(specs.size(), 6u);
  EXPECT_EQ(specs[0].title, "Storico Numero Domande per regione e tipo di intervento. Anno 2023");
  EXPECT_THAT(specs[0].years, ElementsAre(2023));
  EXPECT_EQ(specs[3].title, "Numero Domande per regione e tipo di intervento. Anno 2023");
}

TEST_F(DatasetsTest, YearsAreCleanedUp) {
  EXPECT_TRUE(DatasetsFor(*config_, {}, 2024).empty());
  EXPECT_TRUE(DatasetsFor(*config_, {2019, 2101}, 2024).empty());
  const std::vector<DatasetSpec> specs = DatasetsFor(*config_, {2022, 2019, 2021, 2022}, 2022);
  ASSERT_EQ(specs.size(), 9u);
  EXPECT_THAT(specs[0].years, ElementsAre(2021, 2022));
  EXPECT_EQ(specs[3].reference_year, 2022);
  EXPECT_EQ(specs[6].reference_year, 2021);
}

TEST_F(DatasetsTest, GapsInTheDataAreListed) {
  const std::vector<DatasetSpec> specs = DatasetsFor(*config_, {2020, 2022}, 2022);
  EXPECT_THAT(specs[0].title, HasSubstr("Anno 2020, 2022"));
  EXPECT_EQ(specs[0].first_year, 2020);
  EXPECT_EQ(specs[0].last_year, 2022);
}

TEST_F(DatasetsTest, DescriptionsAndKeywords) {
  const std::vector<DatasetSpec> specs = DatasetsFor(*config_, {2022, 2023}, 2022);
  const DatasetSpec& domande = specs[0];
  const DatasetSpec& lavoratori = specs[1];
  EXPECT_THAT(domande.description, HasSubstr("anni coperti: 2022."));
  // The additivity note is the last paragraph of the workers' descriptions only, and an
  // additive measure leaves no empty paragraph behind.
  EXPECT_THAT(lavoratori.description, HasSubstr("\n\nAttenzione: i valori non sono sommabili."));
  EXPECT_THAT(domande.description, Not(HasSubstr("sommabili")));
  EXPECT_THAT(domande.description, Not(HasSubstr("\n\n\n")));
  EXPECT_NE(domande.description.back(), '\n');

  // Measure, then kind, then common keywords; placeholders expanded; no repeats.
  const DatasetSpec& annuale = specs[3];
  EXPECT_EQ(annuale.keywords.front(), "domande");
  EXPECT_THAT(annuale.keywords, Contains("2023"));
  EXPECT_THAT(annuale.keywords, Contains("annuale"));
  EXPECT_THAT(annuale.keywords, Contains("INPS"));
  const DatasetSpec& mensilita = specs[5];
  EXPECT_EQ(std::count(mensilita.keywords.begin(), mensilita.keywords.end(), "pagamento diretto"),
            1);
}

TEST_F(DatasetsTest, ParseDatasetId) {
  absl::StatusOr<DatasetKey> key =
      ParseDatasetId(*config_, "integrazioni-salariali-lavoratori-storico");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(*key, (DatasetKey{DatasetKind::kHistorical, domain::Measure::kWorkers, 0}));

  key = ParseDatasetId(*config_, "integrazioni-salariali-mensilita-2023");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(*key, (DatasetKey{DatasetKind::kAnnual, domain::Measure::kBenefitMonths, 2023}));

  EXPECT_EQ(ParseDatasetId(*config_, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDatasetId(*config_, "integrazioni-salariali-domande-2019").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ParseDatasetId(*config_, "integrazioni-salariali-domande-20233").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ParseDatasetId(*config_, "storico-numero-domande").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(DatasetsTest, SpecFromIdEqualsDatasetsFor) {
  const std::vector<int> years = {2020, 2021, 2022, 2023, 2024, 2025};
  for (const DatasetSpec& spec : DatasetsFor(*config_, years, 2024)) {
    absl::StatusOr<DatasetSpec> resolved = SpecFromId(*config_, spec.dataset_id, years, 2024);
    ASSERT_TRUE(resolved.ok()) << resolved.status();
    EXPECT_EQ(*resolved, spec) << spec.dataset_id;
  }
  EXPECT_EQ(
      SpecFromId(*config_, "integrazioni-salariali-domande-2026", years, 2024).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(
      SpecFromId(*config_, "integrazioni-salariali-domande-storico", {2025}, 2024).status().code(),
      absl::StatusCode::kNotFound);
}

TEST_F(DatasetsTest, SpecFromIdAloneResolvesAnnuale) {
  absl::StatusOr<DatasetSpec> spec = SpecFromId(*config_, "integrazioni-salariali-domande-2023");
  ASSERT_TRUE(spec.ok()) << spec.status();
  const DatasetSpec expected = DatasetsFor(*config_, {2023}, 2022).front();
  EXPECT_EQ(*spec, expected);

  EXPECT_EQ(SpecFromId(*config_, "integrazioni-salariali-domande-storico").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(DatasetsTest, Metadata) {
  const DatasetSpec storico = DatasetsFor(*config_, {2020, 2021, 2022}, 2022)[1];
  const v1::Dataset dataset = DatasetMetadata(*config_, storico);
  EXPECT_EQ(dataset.dataset_id(), "integrazioni-salariali-lavoratori-storico");
  EXPECT_EQ(dataset.kind(), v1::DATASET_KIND_HISTORICAL);
  EXPECT_EQ(dataset.title(), storico.title);
  EXPECT_EQ(dataset.owner(), "INPS");
  EXPECT_EQ(dataset.license().id(), "CC-BY-4.0");
  EXPECT_EQ(dataset.topic(), "Integrazioni Salariali");
  EXPECT_EQ(dataset.source(), "Ammortizzatori Sociali");
  EXPECT_EQ(dataset.coverage().first().year(), 2020);
  EXPECT_EQ(dataset.coverage().first().month(), 1);
  EXPECT_EQ(dataset.coverage().last().year(), 2022);
  EXPECT_EQ(dataset.coverage().last().month(), 12);
  EXPECT_EQ(dataset.reference_year(), 0);
  EXPECT_EQ(dataset.update_frequency(), "ANNUAL");
  EXPECT_EQ(dataset.keywords_size(), static_cast<int>(storico.keywords.size()));
  EXPECT_EQ(dataset.measure().code(), "WORKERS");
  EXPECT_EQ(dataset.measure().csv_column(), "numero_lavoratori");
  EXPECT_EQ(dataset.measure().name(), "Numero lavoratori pagati (pagamento diretto)");
  EXPECT_EQ(dataset.measure().period_basis(), "mese di pagamento");
  EXPECT_FALSE(dataset.measure().additive());
  EXPECT_FALSE(dataset.measure().additivity_note().empty());
  // The publication state belongs to the store.
  EXPECT_FALSE(dataset.has_published_on());
  EXPECT_FALSE(dataset.has_updated_on());
  EXPECT_TRUE(dataset.release_id().empty());
  EXPECT_EQ(dataset.attachments_size(), 0);

  const v1::Measure domande = MeasureMetadata(*config_, domain::Measure::kApplications);
  EXPECT_TRUE(domande.additive());
  EXPECT_TRUE(domande.additivity_note().empty());
  EXPECT_EQ(domande.period_basis(), "mese di autorizzazione");
}

TEST_F(DatasetsTest, AttachmentFileNames) {
  const std::string id = "integrazioni-salariali-lavoratori-2023";
  EXPECT_EQ(*AttachmentFileName(*config_, id, v1::FORMAT_CSV), id + ".csv");
  EXPECT_EQ(*AttachmentFileName(*config_, id, v1::FORMAT_JSON), id + ".json");
  EXPECT_EQ(*AttachmentFileName(*config_, id, v1::FORMAT_JSON_STAT), id + ".jsonstat.json");
  EXPECT_EQ(*AttachmentFileName(*config_, id, v1::FORMAT_XML), id + ".xml");
  EXPECT_EQ(*AttachmentFileName(*config_, id, v1::FORMAT_XLSX), id + ".xlsx");
  EXPECT_EQ(AttachmentFileName(*config_, id, v1::FORMAT_UNSPECIFIED).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace omnia::catalogue

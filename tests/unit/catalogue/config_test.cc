#include "libs/catalogue/config.h"

#include <fstream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/child_process.h"
#include "tests/unit/catalogue/test_config.h"

namespace omnia::catalogue {
namespace {

using ::omnia::internal::DatasetsConfig;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

DatasetsConfig DeployedProto() {
  absl::StatusOr<CatalogueConfig> config = LoadDeployedConfig();
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? config->proto() : DatasetsConfig();
}

// The message of FromProto(proto), which must fail with INVALID_ARGUMENT.
std::string Rejection(DatasetsConfig proto) {
  absl::StatusOr<CatalogueConfig> config = CatalogueConfig::FromProto(std::move(proto));
  EXPECT_FALSE(config.ok());
  if (config.ok()) return "";
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << config.status();
  return std::string(config.status().message());
}

::omnia::internal::MeasureFamily* Family(DatasetsConfig& proto, const std::string& code) {
  for (auto& family : *proto.mutable_measures()) {
    if (family.measure() == code) return &family;
  }
  ADD_FAILURE() << "no family " << code;
  return proto.mutable_measures(0);
}

TEST(LoadConfigTest, DeployedConfigurationLoads) {
  absl::StatusOr<CatalogueConfig> config = LoadDeployedConfig();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->common().owner(), "INPS");
  EXPECT_EQ(config->common().license().id(), "CC-BY-4.0");
  EXPECT_THAT(config->common().license().name(), HasSubstr("CC BY 4.0"));
  EXPECT_EQ(config->common().license().url(),
            "https://creativecommons.org/licenses/by/4.0/deed.it");
  EXPECT_EQ(config->common().topic(), "Integrazioni Salariali");
  EXPECT_EQ(config->common().source(), "Ammortizzatori Sociali");
  EXPECT_EQ(config->first_year(), 2020);
  ASSERT_EQ(config->measures().size(), 3u);
  EXPECT_EQ(config->family(domain::Measure::kApplications).title_words(), "Numero Domande");
  EXPECT_EQ(config->family(domain::Measure::kWorkers).title_words(), "Numero Lavoratori");
  EXPECT_EQ(config->family(domain::Measure::kBenefitMonths).title_words(), "Numero Mensilità");
  // Titles use the same words as the domain's measure names.
  for (const domain::Measure measure : domain::kAllMeasures) {
    EXPECT_EQ(config->family(measure).title_words(), domain::MeasureItalianName(measure));
  }
  EXPECT_FALSE(config->family(domain::Measure::kWorkers).additivity_note().empty());
  ASSERT_EQ(config->formats().size(), 5u);
  EXPECT_EQ(config->formats()[0].format(), v1::FORMAT_CSV);
  EXPECT_EQ(config->formats()[4].format(), v1::FORMAT_XLSX);
  EXPECT_EQ(config->HistoricalId(domain::Measure::kWorkers),
            "integrazioni-salariali-lavoratori-storico");
  EXPECT_EQ(config->AnnualId(domain::Measure::kApplications, 2023),
            "integrazioni-salariali-domande-2023");
  EXPECT_EQ(config->MatchAnnualId(domain::Measure::kBenefitMonths,
                                  "integrazioni-salariali-mensilita-2024"),
            2024);
  EXPECT_EQ(config->MatchAnnualId(domain::Measure::kBenefitMonths,
                                  "integrazioni-salariali-mensilita-storico"),
            std::nullopt);
}

TEST(LoadConfigTest, MissingFileIsNotFound) {
  testing::TempDir dir;
  absl::StatusOr<CatalogueConfig> config = LoadConfig(dir.path() + "/absent.textproto");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(config.status().message(), HasSubstr("absent.textproto"));
}

TEST(LoadConfigTest, DirectoryIsRejected) {
  testing::TempDir dir;
  EXPECT_EQ(LoadConfig(dir.path()).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ParseConfigTest, SyntaxErrorsNameLineAndColumn) {
  absl::StatusOr<CatalogueConfig> config =
      ParseConfig("first_year: 2020\nfirst_yeer: 2021\n", "bad.textproto");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("bad.textproto:2:"));
  EXPECT_THAT(config.status().message(), HasSubstr("first_yeer"));

  config = ParseConfig("common { owner: \"INPS\" ", "open.textproto");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("open.textproto:1:"));
}

TEST(ParseConfigTest, RuleViolationsNameTheOriginAndField) {
  const std::string text = ReadFile(DeployedConfigPath());
  ASSERT_FALSE(text.empty());
  const std::string broken =
      absl::StrReplaceAll(text, {{"{title_words} per regione", "{titlewords} per regione"}});
  absl::StatusOr<CatalogueConfig> config = ParseConfig(broken, "datasets.textproto");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(),
              HasSubstr("datasets.textproto: historical.title_pattern: unknown placeholder "
                        "{titlewords}"));
}

TEST(ConfigRulesTest, EmptyConfigurationIsRejected) {
  EXPECT_THAT(Rejection(DatasetsConfig()), HasSubstr("common: required"));
}

TEST(ConfigRulesTest, CommonMetadataIsRequired) {
  DatasetsConfig proto = DeployedProto();
  proto.mutable_common()->clear_owner();
  EXPECT_THAT(Rejection(proto), HasSubstr("common.owner: required"));

  proto = DeployedProto();
  proto.mutable_common()->mutable_license()->set_url("creativecommons.org");
  EXPECT_THAT(Rejection(proto), HasSubstr("common.license.url"));

  proto = DeployedProto();
  proto.mutable_common()->add_keywords("anno {year}");
  EXPECT_THAT(Rejection(proto), HasSubstr("takes no placeholders"));
}

TEST(ConfigRulesTest, FirstYearIsInRange) {
  DatasetsConfig proto = DeployedProto();
  proto.set_first_year(2019);
  EXPECT_THAT(Rejection(proto), HasSubstr("first_year"));
}

TEST(ConfigRulesTest, IdPatterns) {
  DatasetsConfig proto = DeployedProto();
  // A Storico id must not change as years are added.
  proto.mutable_historical()->set_id_pattern("integrazioni-salariali-{slug}-{last_year}");
  EXPECT_THAT(Rejection(proto), HasSubstr("historical.id_pattern: unknown placeholder"));

  proto = DeployedProto();
  proto.mutable_annual()->set_id_pattern("integrazioni-salariali-{slug}");
  EXPECT_THAT(Rejection(proto), HasSubstr("annual.id_pattern: must contain {year}"));

  proto = DeployedProto();
  proto.mutable_annual()->set_id_pattern("{slug}-{year}-{year}");
  EXPECT_THAT(Rejection(proto), HasSubstr("exactly once"));

  proto = DeployedProto();
  proto.mutable_historical()->set_id_pattern("Storico_{slug}");
  EXPECT_THAT(Rejection(proto), HasSubstr("lowercase letters, digits and '-'"));

  proto = DeployedProto();
  proto.mutable_annual()->set_id_pattern("{slug}-{year");
  EXPECT_THAT(Rejection(proto), HasSubstr("annual.id_pattern: '{' at offset"));
}

TEST(ConfigRulesTest, IdsMustNotBeAmbiguous) {
  DatasetsConfig proto = DeployedProto();
  proto.mutable_historical()->set_id_pattern("is-{slug}");
  proto.mutable_annual()->set_id_pattern("is-{slug}-{year}");
  // The Storico of slug "domande-2021" would read as the Annuale 2021 of slug "domande".
  Family(proto, "WORKERS")->set_slug("domande-2021");
  EXPECT_THAT(Rejection(proto), HasSubstr("also matches another dataset"));
}

TEST(ConfigRulesTest, TemplatesNeedTextAndAFrequency) {
  DatasetsConfig proto = DeployedProto();
  proto.mutable_annual()->clear_title_pattern();
  EXPECT_THAT(Rejection(proto), HasSubstr("annual.title_pattern: required"));

  proto = DeployedProto();
  proto.mutable_historical()->set_title_pattern("Storico {title_words}. Anno {year}");
  EXPECT_THAT(Rejection(proto), HasSubstr("historical.title_pattern: unknown placeholder {year}"));

  proto = DeployedProto();
  proto.mutable_historical()->set_update_frequency("annual");
  EXPECT_THAT(Rejection(proto), HasSubstr("historical.update_frequency"));

  proto = DeployedProto();
  proto.mutable_historical()->set_past_update_frequency("IRREG");
  EXPECT_THAT(Rejection(proto), HasSubstr("only Annuale"));

  proto = DeployedProto();
  proto.mutable_annual()->set_description_pattern("Dati } dell'anno {year}");
  EXPECT_THAT(Rejection(proto), HasSubstr("annual.description_pattern: '}' at offset 5"));
}

TEST(ConfigRulesTest, MeasureFamilies) {
  DatasetsConfig proto = DeployedProto();
  proto.mutable_measures()->RemoveLast();
  EXPECT_THAT(Rejection(proto), HasSubstr("no family for measure BENEFIT_MONTHS"));

  proto = DeployedProto();
  *proto.add_measures() = proto.measures(0);
  EXPECT_THAT(Rejection(proto), HasSubstr("measures[3] (APPLICATIONS): the measure already"));

  proto = DeployedProto();
  Family(proto, "APPLICATIONS")->set_measure("DOMANDE");
  EXPECT_THAT(Rejection(proto), HasSubstr("measures[0].measure: unknown measure"));

  proto = DeployedProto();
  Family(proto, "WORKERS")->clear_additivity_note();
  EXPECT_THAT(Rejection(proto),
              HasSubstr("(WORKERS).additivity_note: required for a non-additive measure"));

  proto = DeployedProto();
  Family(proto, "APPLICATIONS")->set_additivity_note("Non sommare.");
  EXPECT_THAT(Rejection(proto), HasSubstr("(APPLICATIONS).additivity_note: must be empty"));

  proto = DeployedProto();
  Family(proto, "BENEFIT_MONTHS")->set_slug("Mensilità");
  EXPECT_THAT(Rejection(proto), HasSubstr("(BENEFIT_MONTHS).slug"));

  proto = DeployedProto();
  Family(proto, "BENEFIT_MONTHS")->set_slug("domande");
  EXPECT_THAT(Rejection(proto), HasSubstr("'domande' is used twice"));

  proto = DeployedProto();
  Family(proto, "WORKERS")->clear_title_words();
  EXPECT_THAT(Rejection(proto), HasSubstr("(WORKERS).title_words: required"));

  proto = DeployedProto();
  Family(proto, "WORKERS")->set_description("\xc3");
  EXPECT_THAT(Rejection(proto), HasSubstr("not valid UTF-8"));
}

TEST(ConfigRulesTest, Formats) {
  DatasetsConfig proto = DeployedProto();
  proto.clear_formats();
  EXPECT_THAT(Rejection(proto), HasSubstr("formats: at least one"));

  proto = DeployedProto();
  *proto.add_formats() = proto.formats(0);
  EXPECT_THAT(Rejection(proto), HasSubstr("FORMAT_CSV is listed twice"));

  proto = DeployedProto();
  proto.mutable_formats(0)->set_file_name_pattern("dati.csv");
  EXPECT_THAT(Rejection(proto), HasSubstr("formats[0].file_name_pattern: must contain"));

  proto = DeployedProto();
  proto.mutable_formats(0)->set_file_name_pattern("csv/{dataset_id}.csv");
  EXPECT_THAT(Rejection(proto), HasSubstr("without '/'"));

  proto = DeployedProto();
  proto.mutable_formats(1)->set_format(v1::FORMAT_UNSPECIFIED);
  EXPECT_THAT(Rejection(proto), HasSubstr("formats[1].format: required"));

  proto = DeployedProto();
  proto.mutable_formats(1)->clear_media_type();
  EXPECT_THAT(Rejection(proto), HasSubstr("formats[1].media_type: required"));
}

}  // namespace
}  // namespace omnia::catalogue

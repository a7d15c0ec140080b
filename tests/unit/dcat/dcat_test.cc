#include "libs/dcat/dcat.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/base/string_view.h"
#include "tests/support/child_process.h"
#include "tests/unit/dcat/test_snapshot.h"

namespace omnia::dcat {
namespace {

using ::omnia::dcat::testing::MakeDataset;
using ::omnia::dcat::testing::RealisticSnapshot;
using ::omnia::dcat::testing::TestConfig;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr RdfFormat kAllFormats[] = {RdfFormat::kTurtle, RdfFormat::kRdfXml, RdfFormat::kJsonLd};

// The JSON-LD document's nodes by @id.
std::map<std::string, nlohmann::json> NodesOf(const Document& document) {
  std::map<std::string, nlohmann::json> nodes;
  const nlohmann::json parsed = nlohmann::json::parse(document.body);
  for (const nlohmann::json& node : parsed["@graph"]) {
    nodes[node["@id"].get<std::string>()] = node;
  }
  return nodes;
}

CatalogSnapshot ManyDatasets(int count) {
  CatalogSnapshot snapshot;
  for (int i = 0; i < count; ++i) {
    snapshot.datasets.push_back(
        MakeDataset(absl::StrCat("m", 1000 + i), "Numero Domande", 2023, 2023, false));
  }
  return snapshot;
}

TEST(DcatFormatTest, ExtensionsAndMediaTypes) {
  EXPECT_EQ(RdfFormatForExtension("ttl"), RdfFormat::kTurtle);
  EXPECT_EQ(RdfFormatForExtension("rdf"), RdfFormat::kRdfXml);
  EXPECT_EQ(RdfFormatForExtension("jsonld"), RdfFormat::kJsonLd);
  EXPECT_EQ(RdfFormatForExtension("json"), std::nullopt);
  for (const RdfFormat format : kAllFormats) {
    EXPECT_EQ(RdfFormatForExtension(ExtensionOf(format)), format);
  }
  EXPECT_EQ(MediaTypeOf(RdfFormat::kTurtle), "text/turtle");
  EXPECT_EQ(MediaTypeOf(RdfFormat::kRdfXml), "application/rdf+xml");
  EXPECT_EQ(MediaTypeOf(RdfFormat::kJsonLd), "application/ld+json");
}

TEST(CatalogDocumentTest, ContentTypeFollowsTheFormat) {
  for (const RdfFormat format : kAllFormats) {
    const absl::StatusOr<Document> document =
        CatalogDocument(RealisticSnapshot(), TestConfig(), 1, format);
    ASSERT_TRUE(document.ok()) << document.status();
    EXPECT_EQ(document->content_type, absl::StrCat(AsAbsl(MediaTypeOf(format)), "; charset=utf-8"));
  }
}

TEST(CatalogDocumentTest, ListsEveryPublishedDatasetOnOnePage) {
  const absl::StatusOr<Document> document =
      CatalogDocument(RealisticSnapshot(), TestConfig(), 1, RdfFormat::kJsonLd);
  ASSERT_TRUE(document.ok()) << document.status();
  auto nodes = NodesOf(*document);
  const nlohmann::json& catalog = nodes.at("https://dati.example.it/opendata/catalog");
  EXPECT_EQ(catalog["dcat:dataset"].size(), 21u);  // the unpublished one is left out
  EXPECT_EQ(catalog["dct:modified"][0]["@value"], "2026-03-31");
  EXPECT_EQ(catalog["dct:issued"][0]["@value"], "2021-02-15");  // the 2020 Annuale's
  const nlohmann::json& paging = nodes.at("https://dati.example.it/opendata/catalog.jsonld?page=1");
  EXPECT_EQ(paging["hydra:totalItems"][0]["@value"], "21");
  EXPECT_EQ(paging["hydra:itemsPerPage"][0]["@value"], "100");
  EXPECT_EQ(paging["hydra:lastPage"][0]["@value"],
            "https://dati.example.it/opendata/catalog.jsonld?page=1");
  EXPECT_FALSE(paging.contains("hydra:nextPage"));
  EXPECT_FALSE(paging.contains("hydra:previousPage"));
}

TEST(CatalogDocumentTest, IssuedIsTheFirstKnownPubblicazione) {
  CatalogSnapshot snapshot = RealisticSnapshot();
  for (omnia::v1::Dataset& dataset : snapshot.datasets) {
    if (absl::EndsWith(dataset.dataset_id(), "-2020")) dataset.clear_published_on();
  }
  const absl::StatusOr<Document> document =
      CatalogDocument(snapshot, TestConfig(), 1, RdfFormat::kJsonLd);
  ASSERT_TRUE(document.ok()) << document.status();
  const auto nodes = NodesOf(*document);
  EXPECT_EQ(nodes.at("https://dati.example.it/opendata/catalog")["dct:issued"][0]["@value"],
            "2022-02-15");  // the 2021 Annuale's
}

TEST(CatalogDocumentTest, PagesHundredDatasetsAtATimeLikeCkanextDcat) {
  const CatalogSnapshot snapshot = ManyDatasets(250);
  const absl::StatusOr<Document> middle =
      CatalogDocument(snapshot, TestConfig(), 2, RdfFormat::kJsonLd);
  ASSERT_TRUE(middle.ok()) << middle.status();
  auto nodes = NodesOf(*middle);
  const nlohmann::json& catalog = nodes.at("https://dati.example.it/opendata/catalog");
  ASSERT_EQ(catalog["dcat:dataset"].size(), 100u);
  // Page 2 holds datasets 100..199 by dataset_id.
  std::vector<std::string> ids;
  for (const nlohmann::json& dataset : catalog["dcat:dataset"])
    ids.push_back(dataset["@id"].get<std::string>());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids.front(),
            "https://dati.example.it/opendata/dataset/integrazioni-salariali-m1100-2023");
  EXPECT_EQ(ids.back(),
            "https://dati.example.it/opendata/dataset/integrazioni-salariali-m1199-2023");
  const nlohmann::json& paging = nodes.at("https://dati.example.it/opendata/catalog.jsonld?page=2");
  EXPECT_EQ(paging["hydra:totalItems"][0]["@value"], "250");
  EXPECT_EQ(paging["hydra:firstPage"][0]["@value"],
            "https://dati.example.it/opendata/catalog.jsonld?page=1");
  EXPECT_EQ(paging["hydra:lastPage"][0]["@value"],
            "https://dati.example.it/opendata/catalog.jsonld?page=3");
  EXPECT_EQ(paging["hydra:nextPage"][0]["@value"],
            "https://dati.example.it/opendata/catalog.jsonld?page=3");
  EXPECT_EQ(paging["hydra:previousPage"][0]["@value"],
            "https://dati.example.it/opendata/catalog.jsonld?page=1");

  const absl::StatusOr<Document> last =
      CatalogDocument(snapshot, TestConfig(), 3, RdfFormat::kTurtle);
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_THAT(last->body, Not(HasSubstr("hydra:nextPage")));
  EXPECT_THAT(last->body, HasSubstr("integrazioni-salariali-m1249-2023"));
}

TEST(CatalogDocumentTest, RefusesPagesOutsideTheCatalogue) {
  const CatalogSnapshot snapshot = ManyDatasets(250);
  EXPECT_EQ(CatalogDocument(snapshot, TestConfig(), 0, RdfFormat::kTurtle).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CatalogDocument(snapshot, TestConfig(), 4, RdfFormat::kTurtle).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(CatalogDocumentTest, AnEmptyCatalogueHasOneEmptyPage) {
  const absl::StatusOr<Document> document =
      CatalogDocument(CatalogSnapshot{}, TestConfig(), 1, RdfFormat::kTurtle);
  ASSERT_TRUE(document.ok()) << document.status();
  EXPECT_THAT(document->body, HasSubstr("dcatapit:Catalog"));
  EXPECT_THAT(document->body, Not(HasSubstr("dcat:dataset")));
  EXPECT_EQ(CatalogDocument(CatalogSnapshot{}, TestConfig(), 2, RdfFormat::kTurtle).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(CatalogDocumentTest, NeedsABaseUrl) {
  CatalogConfig config = TestConfig();
  config.public_base_url = "/";
  EXPECT_EQ(CatalogDocument(RealisticSnapshot(), config, 1, RdfFormat::kTurtle).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReleasesFeed(RealisticSnapshot(), config).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DatasetDocumentTest, DescribesTheDatasetAndItsFiles) {
  const absl::StatusOr<Document> document = DatasetDocument(
      RealisticSnapshot(), TestConfig(), "integrazioni-salariali-domande-2023", RdfFormat::kJsonLd);
  ASSERT_TRUE(document.ok()) << document.status();
  auto nodes = NodesOf(*document);
  const std::string base = "https://dati.example.it/opendata";
  const nlohmann::json& dataset = nodes.at(base + "/dataset/integrazioni-salariali-domande-2023");
  EXPECT_EQ(dataset["dct:identifier"][0]["@value"], "inps:integrazioni-salariali-domande-2023");
  EXPECT_EQ(dataset["dct:issued"][0]["@value"], "2024-02-15");
  EXPECT_EQ(dataset["dct:modified"][0]["@value"], "2026-03-31");
  EXPECT_EQ(dataset["dct:accrualPeriodicity"][0]["@id"],
            "http://publications.europa.eu/resource/authority/frequency/MONTHLY");
  EXPECT_EQ(dataset["dcat:distribution"].size(), 5u);
  // The portal page a harvester links to (dcat.h lists dcat:landingPage).
  EXPECT_EQ(dataset["dcat:landingPage"][0]["@id"],
            base + "/dataset/integrazioni-salariali-domande-2023");
  EXPECT_EQ(nodes.count(base + "/catalog"), 0u);

  const nlohmann::json& csv = nodes.at(base +
                                       "/dataset/integrazioni-salariali-domande-2023/resource/"
                                       "integrazioni-salariali-domande-2023.csv");
  EXPECT_EQ(csv["dcat:downloadURL"][0]["@id"],
            base +
                "/releases/2026-03-31/integrazioni-salariali-domande-2023/"
                "integrazioni-salariali-domande-2023.csv");
  EXPECT_EQ(csv["dcat:accessURL"][0]["@id"], base +
                                                 "/dataset/integrazioni-salariali-domande-2023/"
                                                 "integrazioni-salariali-domande-2023.csv");
  EXPECT_EQ(csv["dct:format"][0]["@id"],
            "http://publications.europa.eu/resource/authority/file-type/CSV");
  EXPECT_EQ(csv["dcat:mediaType"][0]["@id"],
            "http://www.iana.org/assignments/media-types/text/csv");
  EXPECT_EQ(csv["dcat:byteSize"][0]["@value"], "123456");
  EXPECT_EQ(csv["dcat:byteSize"][0]["@type"], "xsd:decimal");
  EXPECT_EQ(csv["dct:license"][0]["@id"], "https://creativecommons.org/licenses/by/4.0/deed.it");

  // The coverage: January 2023 to the last day of February 2023.
  const nlohmann::json& period = nodes.at(dataset["dct:temporal"][0]["@id"].get<std::string>());
  EXPECT_EQ(period["dcat:startDate"][0]["@value"], "2023-01-01");
  EXPECT_EQ(period["dcat:endDate"][0]["@value"], "2023-02-28");

  const nlohmann::json& licence = nodes.at("https://creativecommons.org/licenses/by/4.0/deed.it");
  EXPECT_EQ(licence["dct:type"][0]["@id"], "http://purl.org/adms/licencetype/Attribution");
  EXPECT_EQ(licence["owl:versionInfo"][0]["@value"], "4.0");
}

TEST(DatasetDocumentTest, UnknownOrUnpublishedDatasetsAreNotFound) {
  EXPECT_EQ(DatasetDocument(RealisticSnapshot(), TestConfig(), "nope", RdfFormat::kTurtle)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(DatasetDocument(RealisticSnapshot(), TestConfig(),
                            "integrazioni-salariali-domande-2026", RdfFormat::kTurtle)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST(DatasetDocumentTest, TheIpaCodeIsConfigurable) {
  CatalogConfig config = TestConfig();
  config.ipa_code = "m_lps";
  const absl::StatusOr<Document> document = DatasetDocument(
      RealisticSnapshot(), config, "integrazioni-salariali-domande-2023", RdfFormat::kTurtle);
  ASSERT_TRUE(document.ok()) << document.status();
  EXPECT_THAT(document->body, HasSubstr("\"m_lps:integrazioni-salariali-domande-2023\""));
  EXPECT_THAT(document->body, HasSubstr("/organization/m_lps>"));
}

// Writes the three syntaxes of a document and has rdflib check them (see check_dcat.py).
class RdflibCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string probe = absl::StrCat(OMNIA_RDFLIB_PYTHON, " -c 'import rdflib' 2>/dev/null");
    if (std::system(probe.c_str()) != 0) {
      GTEST_SKIP() << OMNIA_RDFLIB_PYTHON << " cannot import rdflib (python3-rdflib)";
    }
  }

  // Runs the checker; returns its exit status, its output in `output`.
  int Check(const std::function<absl::StatusOr<Document>(RdfFormat)>& render, int datasets,
            int distributions, bool paged, std::string& output) {
    std::vector<std::string> paths;
    for (const RdfFormat format : kAllFormats) {
      const absl::StatusOr<Document> document = render(format);
      EXPECT_TRUE(document.ok()) << document.status();
      if (!document.ok()) return -1;
      paths.push_back(absl::StrCat(dir_.path(), "/document.", AsAbsl(ExtensionOf(format))));
      std::ofstream(paths.back(), std::ios::binary) << document->body;
    }
    const std::string log = absl::StrCat(dir_.path(), "/check.log");
    const std::string command = absl::StrCat(
        OMNIA_RDFLIB_PYTHON, " ", OMNIA_DCAT_CHECKER, " ", paths[0], " ", paths[1], " ", paths[2],
        " ", datasets, " ", distributions, " ", paged ? 1 : 0, " > ", log, " 2>&1");
    const int status = std::system(command.c_str());
    std::ifstream in(log);
    output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return status;
  }

  omnia::testing::TempDir dir_;
};

TEST_F(RdflibCheckTest, CatalogueSyntaxesAreIsomorphicAndCompleteForDcatApIt) {
  const CatalogSnapshot snapshot = RealisticSnapshot();
  std::string output;
  const int status =
      Check([&](RdfFormat format) { return CatalogDocument(snapshot, TestConfig(), 1, format); },
            /*datasets=*/21, /*distributions=*/105, /*paged=*/true, output);
  EXPECT_EQ(status, 0) << output;
  EXPECT_THAT(output, HasSubstr(" 0 problems"));
}

TEST_F(RdflibCheckTest, MiddleCataloguePageIsIsomorphicAndComplete) {
  const CatalogSnapshot snapshot = ManyDatasets(250);
  std::string output;
  const int status =
      Check([&](RdfFormat format) { return CatalogDocument(snapshot, TestConfig(), 2, format); },
            /*datasets=*/100, /*distributions=*/500, /*paged=*/true, output);
  EXPECT_EQ(status, 0) << output;
}

TEST_F(RdflibCheckTest, DatasetSyntaxesAreIsomorphicAndCompleteForDcatApIt) {
  const CatalogSnapshot snapshot = RealisticSnapshot();
  std::string output;
  const int status = Check(
      [&](RdfFormat format) {
        return DatasetDocument(snapshot, TestConfig(), "integrazioni-salariali-mensilita-storico",
                               format);
      },
      /*datasets=*/1, /*distributions=*/5, /*paged=*/false, output);
  EXPECT_EQ(status, 0) << output;
}

TEST_F(RdflibCheckTest, TheCheckerCatchesAMissingMandatoryProperty) {
  CatalogSnapshot snapshot = RealisticSnapshot();
  snapshot.datasets[0].clear_coverage();  // no dct:temporal
  std::string output;
  const int status = Check(
      [&](RdfFormat format) {
        return DatasetDocument(snapshot, TestConfig(), snapshot.datasets[0].dataset_id(), format);
      },
      /*datasets=*/1, /*distributions=*/5, /*paged=*/false, output);
  EXPECT_NE(status, 0);
  EXPECT_THAT(output, HasSubstr("no dcterms:temporal"));
}

}  // namespace
}  // namespace omnia::dcat

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cube/lattice.h"
#include "libs/domain/codelists.h"
#include "libs/domain/published_csv.h"
#include "libs/export/writers.h"
#include "tests/unit/export/export_test_util.h"

namespace omnia::exporter {
namespace {

using domain::Measure;
using domain::PeriodKey;
using domain::PeriodLevel;
using ::omnia::exporter::testing::BaseCell;
using ::omnia::exporter::testing::Cell;
using ::testing::HasSubstr;
using ::testing::Not;

class XmlWriterTest : public ::testing::Test {
 protected:
  ExportInput Input(std::vector<cube::QueryCell> cells) const {
    ExportInput input;
    input.codelists = &lists_;
    input.info = testing::Annuale2023Info(Measure::kApplications);
    input.cells = std::move(cells);
    return input;
  }

  std::string Xml(const ExportInput& input) const {
    StringSink sink;
    const absl::StatusOr<WriteStats> stats = WriteXml(input, sink);
    EXPECT_TRUE(stats.ok()) << stats.status();
    if (stats.ok()) {
      EXPECT_EQ(stats->bytes, sink.data().size());
    }
    return sink.data();
  }

  // Runs xmllint against the schema; true when the document validates.
  bool Validates(const std::string& xml, const std::string& name) const {
    const std::string path = dir_.path() + "/" + name + ".xml";
    testing::WriteFileOrDie(path, xml);
    const std::string command = absl::StrCat("xmllint --noout --schema '", OMNIA_EXPORT_XSD, "' '",
                                             path, "' 2>'", path, ".log'");
    const bool ok = std::system(command.c_str()) == 0;
    if (!ok) ADD_FAILURE_AT(__FILE__, __LINE__) << testing::ReadFile(path + ".log");
    return ok;
  }

  const domain::Codelists lists_ = domain::Codelists::Builtin();
  testing::TempDir dir_;
};

// The documented layout, pinned byte for byte.
TEST_F(XmlWriterTest, DocumentLayout) {
  ExportInput input = Input({
      BaseCell(lists_, Measure::kApplications, 2023, 8, "VALLE_D'AOSTA", "CIGO", 5),
  });
  input.info.published_on.clear();
  input.info.first_year = 0;
  EXPECT_EQ(Xml(input),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<export xmlns=\"urn:omnia:export:v1\" formatVersion=\"1\">\n"
            "  <metadata>\n"
            "    <datasetId>integrazioni-salariali-domande-2023</datasetId>\n"
            "    <title>Numero Domande per regione e tipo di intervento. Anno 2023</title>\n"
            "    <description>Dati mensili per regione e tipo di intervento.</description>\n"
            "    <owner>INPS</owner>\n"
            "    <license name=\"CC BY 4.0\" "
            "url=\"https://creativecommons.org/licenses/by/4.0/\"/>\n"
            "    <topic>Integrazioni Salariali</topic>\n"
            "    <source>Ammortizzatori Sociali</source>\n"
            "    <releaseId>2026-01-15</releaseId>\n"
            "    <updatedOn>2026-01-15</updatedOn>\n"
            "    <lastYear>2023</lastYear>\n"
            "    <codelistsVersion>2024-01</codelistsVersion>\n"
            "    <levels period=\"MONTH\" region=\"REGION\" interventionType=\"TYPE\"/>\n"
            "    <measures>\n"
            "      <measure code=\"APPLICATIONS\" name=\"Numero Domande\" "
            "csvColumn=\"numero_domande\" additive=\"true\"><definition>" +
                std::string(domain::MeasureDefinition(Measure::kApplications)) +
                "</definition></measure>\n"
                "    </measures>\n"
                "  </metadata>\n"
                "  <rows count=\"1\">\n"
                "    <row measure=\"APPLICATIONS\" period=\"2023-08\" year=\"2023\" month=\"8\" "
                "region=\"VALLE_D'AOSTA\" regionLabel=\"Valle d'Aosta/Vallée d'Aoste\" "
                "interventionType=\"CIGO\" interventionTypeLabel=\"Cassa integrazione guadagni "
                "ordinaria\" value=\"5\" provenance=\"PUBLISHED\"/>\n"
                "  </rows>\n"
                "</export>\n");
}

TEST_F(XmlWriterTest, MarkupAndForbiddenCharactersAreEscaped) {
  ExportInput input = Input({});
  input.info.title = "<a href=\"x\">R&D</a>\r\n\x01\xFF";
  input.info.license_name = "\"quoted\"\tname";
  const std::string xml = Xml(input);
  EXPECT_THAT(xml, HasSubstr("<title>&lt;a href=&quot;x&quot;&gt;R&amp;D&lt;/a&gt;&#13;&#10;"
                             "\xEF\xBF\xBD\xEF\xBF\xBD</title>"));
  EXPECT_THAT(xml, HasSubstr("<license name=\"&quot;quoted&quot;&#9;name\""));
  EXPECT_THAT(xml, HasSubstr("<rows count=\"0\">\n  </rows>"));
}

// Every kind of output validates against libs/export/omnia-export.xsd.
TEST_F(XmlWriterTest, OutputsValidateAgainstTheSchema) {
  if (!testing::HaveProgram("xmllint")) GTEST_SKIP() << "xmllint not installed";

  EXPECT_TRUE(Validates(Xml(testing::StoricoWorkers(lists_)), "storico"));

  const std::string real =
      std::string(OMNIA_SHARED_DATA_DIR) + "/integrazioni-salariali-domande-2023.csv";
  if (std::filesystem::exists(real)) {
    ExportInput input = Input({});
    ASSERT_TRUE(domain::ReadPublishedCsvFile(
                    real, lists_,
                    [&](const domain::PublishedRow& row) {
                      input.cells.push_back(
                          BaseCell(lists_, Measure::kApplications, row.year, row.month,
                                   lists_.regions()[row.region_index].inps_label,
                                   lists_.intervention_types()[row.type_index].code, row.value));
                      return absl::OkStatus();
                    },
                    nullptr)
                    .ok());
    EXPECT_TRUE(Validates(Xml(input), "domande-2023"));
  }

  const int centro = lists_.FindMacroArea("CENTRO").value()->index;
  ExportInput rollup;
  rollup.codelists = &lists_;
  rollup.cells = {
      Cell(Measure::kWorkers, PeriodKey{PeriodLevel::kQuarter, 2021, 4},
           cube::RegionLevel::kMacroArea, centro, cube::TypeLevel::kFamily, 0, 10),
      Cell(Measure::kApplications, PeriodKey{PeriodLevel::kQuarter, 2021, 4},
           cube::RegionLevel::kMacroArea, centro, cube::TypeLevel::kFamily, 1, 20),
  };
  EXPECT_TRUE(Validates(Xml(rollup), "rollup"));

  ExportInput national;
  national.codelists = &lists_;
  national.cells = {Cell(Measure::kBenefitMonths, PeriodKey{PeriodLevel::kYear, 2100, 0},
                         cube::RegionLevel::kItaly, 0, cube::TypeLevel::kAll, 0, UINT64_MAX)};
  EXPECT_TRUE(Validates(Xml(national), "national"));

  ExportInput empty;
  empty.codelists = &lists_;
  EXPECT_TRUE(Validates(Xml(empty), "empty"));

  ExportInput query = rollup;
  query.info.query.emplace();
  EXPECT_TRUE(Validates(Xml(query), "query without filters"));
  query.info.query->first_month = domain::YearMonth{2021, 10};
  query.info.query->last_month = domain::YearMonth{2021, 12};
  query.info.query->regions = {"CENTRO", "<&\"'>"};
  query.info.query->intervention_types = {"CIG"};
  query.info.query->dense = true;
  const std::string with_filters = Xml(query);
  EXPECT_TRUE(Validates(with_filters, "query with filters"));
  EXPECT_THAT(with_filters, HasSubstr("    <query dense=\"true\">\n"
                                      "      <periodRange first=\"2021-10\" last=\"2021-12\"/>\n"
                                      "      <region code=\"CENTRO\"/>\n"
                                      "      <region code=\"&lt;&amp;&quot;'&gt;\"/>\n"
                                      "      <interventionType code=\"CIG\"/>\n"
                                      "    </query>\n  </metadata>"));
  EXPECT_THAT(Xml(rollup), Not(HasSubstr("<query")));

  ExportInput nasty = Input({});
  nasty.info.title = "<a>&\"'\r\n\t\x01\x1F\xEF\xBF\xBF\xC0\xAF";
  nasty.info.description = "]]> <![CDATA[ x ]]>";
  EXPECT_TRUE(Validates(Xml(nasty), "nasty"));
}

// The schema does check: a document with a negative value, or an unknown provenance, fails.
TEST_F(XmlWriterTest, SchemaRejectsBrokenDocuments) {
  if (!testing::HaveProgram("xmllint")) GTEST_SKIP() << "xmllint not installed";
  const std::string xml =
      Xml(Input({BaseCell(lists_, Measure::kApplications, 2023, 8, "LAZIO", "CIGO", 5)}));
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"value=\"5\"", "value=\"-5\""},
           {"provenance=\"PUBLISHED\"", "provenance=\"GUESSED\""},
           {"period=\"2023-08\"", "period=\"2023-13\""},
           {"<owner>INPS</owner>\n", ""}}) {
    std::string broken = xml;
    const size_t at = broken.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    broken.replace(at, from.size(), to);
    const std::string path = dir_.path() + "/broken.xml";
    testing::WriteFileOrDie(path, broken);
    const std::string command =
        absl::StrCat("xmllint --noout --schema '", OMNIA_EXPORT_XSD, "' '", path, "' 2>/dev/null");
    EXPECT_NE(std::system(command.c_str()), 0) << "accepted: " << to;
  }
}

}  // namespace
}  // namespace omnia::exporter

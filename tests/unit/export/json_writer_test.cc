#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cube/lattice.h"
#include "libs/domain/codelists.h"
#include "libs/domain/period.h"
#include "libs/export/writers.h"
#include "tests/unit/export/export_test_util.h"

namespace omnia::exporter {
namespace {

using domain::Measure;
using domain::PeriodKey;
using domain::PeriodLevel;
using ::omnia::exporter::testing::BaseCell;
using ::omnia::exporter::testing::Cell;
using ::omnia::exporter::testing::Json;
using ::omnia::exporter::testing::ParseJson;
using ::testing::HasSubstr;

class JsonWriterTest : public ::testing::Test {
 protected:
  ExportInput Input(std::vector<cube::QueryCell> cells) const {
    ExportInput input;
    input.codelists = &lists_;
    input.info = testing::Annuale2023Info(Measure::kWorkers);
    input.cells = std::move(cells);
    return input;
  }

  std::string Render(const ExportInput& input, bool json_stat = false) const {
    StringSink sink;
    const absl::StatusOr<WriteStats> stats =
        json_stat ? WriteJsonStat(input, sink) : WriteJson(input, sink);
    EXPECT_TRUE(stats.ok()) << stats.status();
    if (stats.ok()) {
      EXPECT_EQ(stats->bytes, sink.data().size());
    }
    return sink.data();
  }

  Json Parsed(const std::string& text) const {
    absl::StatusOr<Json> json = ParseJson(text);
    EXPECT_TRUE(json.ok()) << json.status() << "\n" << text.substr(0, 2000);
    return json.ok() ? *json : Json{nullptr};
  }

  const domain::Codelists lists_ = domain::Codelists::Builtin();
};

// The documented layout, pinned byte for byte.
TEST_F(JsonWriterTest, DocumentLayout) {
  ExportInput input = Input({
      BaseCell(lists_, Measure::kWorkers, 2023, 2, "VALLE_D'AOSTA", "CIGO", 27),
      BaseCell(lists_, Measure::kWorkers, 2023, 1, "ABRUZZO", "CIGD", 13),
  });
  input.info.description = "Riga 1\nRiga \"2\"";
  EXPECT_EQ(
      Render(input),
      "{\"format\":\"omnia-export\",\"format_version\":1,\n"
      "\"metadata\":{\"dataset_id\":\"integrazioni-salariali-lavoratori-2023\","
      "\"title\":\"Numero Lavoratori per regione e tipo di intervento. Anno 2023\","
      "\"description\":\"Riga 1\\nRiga \\\"2\\\"\",\"owner\":\"INPS\","
      "\"license\":{\"name\":\"CC BY 4.0\",\"url\":\"https://creativecommons.org/licenses/by/"
      "4.0/\"},\"topic\":\"Integrazioni Salariali\",\"source\":\"Ammortizzatori Sociali\","
      "\"release_id\":\"2026-01-15\",\"published_on\":\"2026-01-15\","
      "\"updated_on\":\"2026-01-15\",\"first_year\":2023,\"last_year\":2023,"
      "\"codelists_version\":\"2024-01\",\"levels\":{\"period\":\"MONTH\",\"region\":\"REGION\","
      "\"intervention_type\":\"TYPE\"},\"measures\":[{\"code\":\"WORKERS\","
      "\"name\":\"Numero Lavoratori\",\"csv_column\":\"numero_lavoratori\",\"additive\":false,"
      "\"definition\":\"" +
          std::string(domain::MeasureDefinition(Measure::kWorkers)) +
          "\"}],\"row_count\":2},\n"
          "\"rows\":[\n"
          "{\"measure\":\"WORKERS\",\"period\":\"2023-01\",\"year\":2023,\"month\":1,"
          "\"region\":\"ABRUZZO\",\"region_label\":\"Abruzzo\",\"intervention_type\":\"CIGD\","
          "\"intervention_type_label\":\"Cassa integrazione guadagni in deroga\",\"value\":13,"
          "\"provenance\":\"PUBLISHED\"},\n"
          "{\"measure\":\"WORKERS\",\"period\":\"2023-02\",\"year\":2023,\"month\":2,"
          "\"region\":\"VALLE_D'AOSTA\",\"region_label\":\"Valle d'Aosta/Vallée d'Aoste\","
          "\"intervention_type\":\"CIGO\",\"intervention_type_label\":\"Cassa integrazione "
          "guadagni ordinaria\",\"value\":27,\"provenance\":\"PUBLISHED\"}\n"
          "]}\n");
}

TEST_F(JsonWriterTest, StoricoRowsHoldEveryCellInCalendarOrder) {
  const ExportInput input = testing::StoricoWorkers(lists_);
  const Json doc = Parsed(Render(input));
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["metadata"]["row_count"].uint(), 8640u);
  EXPECT_EQ(doc["metadata"]["first_year"].uint(), 2020u);
  const auto& rows = doc["rows"].array();
  ASSERT_EQ(rows.size(), 8640u);
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> expected;
  for (const cube::QueryCell& cell : input.cells) {
    expected[{domain::FormatPeriodKey(cell.key.period),
              lists_.regions()[cell.key.region].inps_label,
              lists_.intervention_types()[cell.key.type].code}] = cell.value;
  }
  std::tuple<std::string, std::string, std::string> previous;
  for (const Json& row : rows) {
    const std::tuple<std::string, std::string, std::string> key{
        row["period"].str(), row["region"].str(), row["intervention_type"].str()};
    ASSERT_EQ(row["value"].uint(), expected.at(key));
    // period, then type code, then region code
    const auto order = std::make_tuple(std::get<0>(key), std::get<2>(key), std::get<1>(key));
    EXPECT_LT(std::make_tuple(std::get<0>(previous), std::get<2>(previous), std::get<1>(previous)),
              order);
    previous = key;
    EXPECT_EQ(row["provenance"].str(), "MICRO_DATA");
  }
}

TEST_F(JsonWriterTest, TextIsEscapedAndAlwaysValidUtf8) {
  ExportInput input = Input({});
  input.info.title = "Tab\there, quote \" backslash \\ bell \x07 end";
  input.info.description = "città \xC3 broken \xFF\xFE and \xF0\x9F\x98\x80";
  const Json doc = Parsed(Render(input));
  EXPECT_EQ(doc["metadata"]["title"].str(), "Tab\there, quote \" backslash \\ bell \x07 end");
  EXPECT_EQ(doc["metadata"]["description"].str(),
            "città \xEF\xBF\xBD broken \xEF\xBF\xBD\xEF\xBF\xBD and \xF0\x9F\x98\x80");
  EXPECT_TRUE(doc["rows"].array().empty());
}

TEST_F(JsonWriterTest, ValuesAreExactIntegers) {
  const Json doc = Parsed(Render(Input({
      BaseCell(lists_, Measure::kWorkers, 2023, 1, "LAZIO", "CIGO", UINT64_MAX),
      BaseCell(lists_, Measure::kWorkers, 2023, 1, "LAZIO", "CIGS", (uint64_t{1} << 53) + 1),
  })));
  EXPECT_EQ(doc["rows"][0]["value"].number_text(), "18446744073709551615");
  EXPECT_EQ(doc["rows"][1]["value"].number_text(), "9007199254740993");
}

TEST_F(JsonWriterTest, AdHocQueryAtRollupLevels) {
  ExportInput input;
  input.codelists = &lists_;
  const int sud = lists_.FindMacroArea("SUD").value()->index;
  input.cells = {
      Cell(Measure::kBenefitMonths, PeriodKey{PeriodLevel::kQuarter, 2024, 3},
           cube::RegionLevel::kMacroArea, sud, cube::TypeLevel::kAll, 0, 77),
      Cell(Measure::kApplications, PeriodKey{PeriodLevel::kQuarter, 2024, 3},
           cube::RegionLevel::kMacroArea, sud, cube::TypeLevel::kAll, 0, 7),
  };
  const Json doc = Parsed(Render(input));
  const Json& metadata = doc["metadata"];
  EXPECT_TRUE(metadata["published_on"].is_null());
  EXPECT_TRUE(metadata["first_year"].is_null());
  EXPECT_EQ(metadata["dataset_id"].str(), "");
  EXPECT_EQ(metadata["levels"]["period"].str(), "QUARTER");
  EXPECT_EQ(metadata["levels"]["region"].str(), "MACRO_AREA");
  EXPECT_EQ(metadata["levels"]["intervention_type"].str(), "ALL");
  ASSERT_EQ(metadata["measures"].array().size(), 2u);
  EXPECT_EQ(metadata["measures"][0]["code"].str(), "BENEFIT_MONTHS");
  EXPECT_TRUE(metadata["measures"][0]["additive"].boolean());
  ASSERT_EQ(doc["rows"].array().size(), 2u);
  const Json& row = doc["rows"][0];
  EXPECT_EQ(row["measure"].str(), "BENEFIT_MONTHS");
  EXPECT_EQ(row["period"].str(), "2024-Q3");
  EXPECT_EQ(row["quarter"].uint(), 3u);
  EXPECT_FALSE(row.has("month"));
  EXPECT_EQ(row["region"].str(), "SUD");
  EXPECT_EQ(row["region_label"].str(), "Sud");
  EXPECT_EQ(row["intervention_type"].str(), "ALL");
  EXPECT_EQ(row["intervention_type_label"].str(), "Tutti gli interventi");
  EXPECT_EQ(row["value"].uint(), 77u);
  EXPECT_EQ(doc["rows"][1]["measure"].str(), "APPLICATIONS");
}

TEST_F(JsonWriterTest, MalformedDatesAreRejected) {
  ExportInput input = Input({});
  input.info.updated_on = "15/01/2026";
  StringSink sink;
  const absl::StatusOr<WriteStats> stats = WriteJson(input, sink);
  EXPECT_EQ(stats.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(stats.status().message()), HasSubstr("info.updated_on"));
  EXPECT_EQ(sink.chunks(), 0u);
}

// ---- JSON-stat ----

// Checks the JSON-stat 2.0 dataset rules every consumer relies on and returns the value at each
// (period, region, type, measure) code tuple.
std::map<std::vector<std::string>, Json> CheckJsonStat(const Json& doc) {
  std::map<std::vector<std::string>, Json> values;
  EXPECT_EQ(doc["version"].str(), "2.0");
  EXPECT_EQ(doc["class"].str(), "dataset");
  const auto& ids = doc["id"].array();
  const auto& sizes = doc["size"].array();
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(sizes.size(), ids.size());
  std::vector<std::vector<std::string>> categories;
  size_t total = 1;
  for (size_t d = 0; d < ids.size(); ++d) {
    const Json& dimension = doc["dimension"][ids[d].str()];
    EXPECT_TRUE(dimension["label"].is_string());
    const Json& category = dimension["category"];
    std::vector<std::string> codes;
    for (const Json& code : category["index"].array()) {
      codes.push_back(code.str());
      EXPECT_TRUE(category["label"][code.str()].is_string());
    }
    EXPECT_EQ(codes.size(), sizes[d].uint());
    EXPECT_EQ(category["label"].object().size(), codes.size());
    total *= codes.size();
    categories.push_back(std::move(codes));
  }
  const auto& value = doc["value"].array();
  EXPECT_EQ(value.size(), total);
  if (value.size() != total) return values;
  // Row-major: the last dimension varies fastest.
  for (size_t i = 0; i < total; ++i) {
    std::vector<std::string> key(ids.size());
    size_t rest = i;
    for (size_t d = ids.size(); d-- > 0;) {
      key[d] = categories[d][rest % categories[d].size()];
      rest /= categories[d].size();
    }
    EXPECT_TRUE(value[i].is_null() || value[i].is_number());
    values[key] = value[i];
  }
  return values;
}

TEST_F(JsonWriterTest, JsonStatIsAValidDatasetWithRowMajorValues) {
  ExportInput input = Input({
      BaseCell(lists_, Measure::kWorkers, 2023, 2, "VENETO", "CIGO", 5),
      BaseCell(lists_, Measure::kWorkers, 2023, 1, "PIEMONTE", "FIS", 3),
      BaseCell(lists_, Measure::kWorkers, 2023, 1, "VENETO", "CIGO", 4,
               cube::Provenance::kMicroData),
  });
  const Json doc = Parsed(Render(input, /*json_stat=*/true));
  EXPECT_EQ(doc["label"].str(), input.info.title);
  EXPECT_EQ(doc["updated"].str(), "2026-01-15");
  EXPECT_EQ(doc["id"][0].str(), "period");
  EXPECT_EQ(doc["role"]["geo"][0].str(), "region");
  EXPECT_EQ(doc["role"]["metric"][0].str(), "measure");
  const Json& periods = doc["dimension"]["period"]["category"];
  EXPECT_EQ(periods["index"][0].str(), "2023-01");
  EXPECT_EQ(periods["label"]["2023-02"].str(), "Febbraio 2023");
  // Regions in ISTAT order: Piemonte (01) before Veneto (05).
  EXPECT_EQ(doc["dimension"]["region"]["category"]["index"][0].str(), "PIEMONTE");
  EXPECT_EQ(doc["dimension"]["region"]["category"]["label"]["VENETO"].str(), "Veneto");
  EXPECT_EQ(doc["dimension"]["measure"]["category"]["unit"]["WORKERS"]["decimals"].uint(), 0u);

  const auto values = CheckJsonStat(doc);
  EXPECT_EQ(values.size(), 2u * 2 * 2 * 1);
  EXPECT_EQ(values.at({"2023-02", "VENETO", "CIGO", "WORKERS"}).uint(), 5u);
  EXPECT_EQ(values.at({"2023-01", "PIEMONTE", "FIS", "WORKERS"}).uint(), 3u);
  EXPECT_EQ(values.at({"2023-01", "VENETO", "CIGO", "WORKERS"}).uint(), 4u);
  EXPECT_TRUE(values.at({"2023-02", "PIEMONTE", "FIS", "WORKERS"}).is_null());

  // Mixed provenance: an array aligned with "value".
  const Json& provenance = doc["extension"]["provenance"];
  ASSERT_TRUE(provenance.is_array());
  ASSERT_EQ(provenance.array().size(), doc["value"].array().size());
  for (size_t i = 0; i < provenance.array().size(); ++i) {
    EXPECT_EQ(provenance[i].is_null(), doc["value"][i].is_null());
  }
  EXPECT_EQ(doc["extension"]["metadata"]["dataset_id"].str(), input.info.dataset_id);
}

TEST_F(JsonWriterTest, JsonStatOfTheStoricoReport) {
  const ExportInput input = testing::StoricoWorkers(lists_);
  const Json doc = Parsed(Render(input, /*json_stat=*/true));
  const auto values = CheckJsonStat(doc);
  EXPECT_EQ(doc["size"][0].uint(), 72u);
  EXPECT_EQ(doc["size"][1].uint(), 20u);
  EXPECT_EQ(doc["size"][2].uint(), 6u);
  EXPECT_EQ(doc["size"][3].uint(), 1u);
  for (const cube::QueryCell& cell : input.cells) {
    const std::vector<std::string> key = {
        domain::FormatPeriodKey(cell.key.period), lists_.regions()[cell.key.region].inps_label,
        lists_.intervention_types()[cell.key.type].code, "WORKERS"};
    ASSERT_EQ(values.at(key).uint(), cell.value);
  }
  EXPECT_EQ(doc["extension"]["provenance"].str(), "MICRO_DATA");
}

TEST_F(JsonWriterTest, JsonStatOfNothingIsStillValid) {
  ExportInput input;
  input.codelists = &lists_;
  const Json doc = Parsed(Render(input, /*json_stat=*/true));
  CheckJsonStat(doc);
  EXPECT_FALSE(doc.has("label"));
  EXPECT_TRUE(doc["value"].array().empty());
  EXPECT_TRUE(doc["extension"]["provenance"].is_null());
}

TEST_F(JsonWriterTest, SameInputSameBytes) {
  ExportInput input = testing::StoricoWorkers(lists_);
  const std::string json = Render(input);
  const std::string json_stat = Render(input, true);
  std::reverse(input.cells.begin(), input.cells.end());
  EXPECT_EQ(Render(input), json);
  EXPECT_EQ(Render(input, true), json_stat);
}

}  // namespace
}  // namespace omnia::exporter

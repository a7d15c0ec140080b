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
#include "nlohmann/json.hpp"
#include "tests/unit/export/export_test_util.h"

namespace omnia::exporter {
namespace {

using domain::Measure;
using domain::PeriodKey;
using domain::PeriodLevel;
using ::omnia::exporter::testing::BaseCell;
using ::omnia::exporter::testing::Cell;
using ::omnia::exporter::testing::ParseJsonOrFail;
using Json = nlohmann::json;
using ::testing::HasSubstr;

// The value of an unsigned integer member; fails the test when the writer wrote anything else
// (a fraction, an exponent, a string): counts must survive exactly.
uint64_t Uint(const Json& value) {
  EXPECT_TRUE(value.is_number_unsigned()) << value;
  return value.is_number_unsigned() ? value.get<uint64_t>() : 0;
}

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
  const Json doc = ParseJsonOrFail(Render(input));
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(Uint(doc.at("metadata").at("row_count")), 8640u);
  EXPECT_EQ(Uint(doc.at("metadata").at("first_year")), 2020u);
  const auto& rows = doc.at("rows");
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
        row.at("period").get<std::string>(), row.at("region").get<std::string>(),
        row.at("intervention_type").get<std::string>()};
    ASSERT_EQ(Uint(row.at("value")), expected.at(key));
    // period, then type code, then region code
    const auto order = std::make_tuple(std::get<0>(key), std::get<2>(key), std::get<1>(key));
    EXPECT_LT(std::make_tuple(std::get<0>(previous), std::get<2>(previous), std::get<1>(previous)),
              order);
    previous = key;
    EXPECT_EQ(row.at("provenance").get<std::string>(), "MICRO_DATA");
  }
}

TEST_F(JsonWriterTest, TextIsEscapedAndAlwaysValidUtf8) {
  ExportInput input = Input({});
  input.info.title = "Tab\there, quote \" backslash \\ bell \x07 end";
  input.info.description = "città \xC3 broken \xFF\xFE and \xF0\x9F\x98\x80";
  const Json doc = ParseJsonOrFail(Render(input));
  EXPECT_EQ(doc.at("metadata").at("title").get<std::string>(),
            "Tab\there, quote \" backslash \\ bell \x07 end");
  EXPECT_EQ(doc.at("metadata").at("description").get<std::string>(),
            "città \xEF\xBF\xBD broken \xEF\xBF\xBD\xEF\xBF\xBD and \xF0\x9F\x98\x80");
  EXPECT_TRUE(doc.at("rows").empty());
}

TEST_F(JsonWriterTest, ValuesAreExactIntegers) {
  const Json doc = ParseJsonOrFail(Render(Input({
      BaseCell(lists_, Measure::kWorkers, 2023, 1, "LAZIO", "CIGO", UINT64_MAX),
      BaseCell(lists_, Measure::kWorkers, 2023, 1, "LAZIO", "CIGS", (uint64_t{1} << 53) + 1),
  })));
  // Both beyond a double's 53-bit mantissa: only integer parsing gives them back.
  EXPECT_EQ(Uint(doc.at("rows").at(0).at("value")), UINT64_MAX);
  EXPECT_EQ(Uint(doc.at("rows").at(1).at("value")), (uint64_t{1} << 53) + 1);
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
  const Json doc = ParseJsonOrFail(Render(input));
  const Json& metadata = doc.at("metadata");
  EXPECT_TRUE(metadata.at("published_on").is_null());
  EXPECT_TRUE(metadata.at("first_year").is_null());
  EXPECT_EQ(metadata.at("dataset_id").get<std::string>(), "");
  EXPECT_EQ(metadata.at("levels").at("period").get<std::string>(), "QUARTER");
  EXPECT_EQ(metadata.at("levels").at("region").get<std::string>(), "MACRO_AREA");
  EXPECT_EQ(metadata.at("levels").at("intervention_type").get<std::string>(), "ALL");
  ASSERT_EQ(metadata.at("measures").size(), 2u);
  EXPECT_EQ(metadata.at("measures").at(0).at("code").get<std::string>(), "BENEFIT_MONTHS");
  EXPECT_TRUE(metadata.at("measures").at(0).at("additive").get<bool>());
  ASSERT_EQ(doc.at("rows").size(), 2u);
  const Json& row = doc.at("rows").at(0);
  EXPECT_EQ(row.at("measure").get<std::string>(), "BENEFIT_MONTHS");
  EXPECT_EQ(row.at("period").get<std::string>(), "2024-Q3");
  EXPECT_EQ(Uint(row.at("quarter")), 3u);
  EXPECT_FALSE(row.contains("month"));
  EXPECT_EQ(row.at("region").get<std::string>(), "SUD");
  EXPECT_EQ(row.at("region_label").get<std::string>(), "Sud");
  EXPECT_EQ(row.at("intervention_type").get<std::string>(), "ALL");
  EXPECT_EQ(row.at("intervention_type_label").get<std::string>(), "Tutti gli interventi");
  EXPECT_EQ(Uint(row.at("value")), 77u);
  EXPECT_EQ(doc.at("rows").at(1).at("measure").get<std::string>(), "APPLICATIONS");
}

// writers.h: an ad-hoc query's file says what the query selected, as asked; a dataset's file has
// no "query".
TEST_F(JsonWriterTest, AnAdHocQuerysFiltersAreInItsMetadata) {
  ExportInput input;
  input.codelists = &lists_;
  QueryFilters& query = input.info.query.emplace();
  query.first_month = domain::YearMonth{2023, 1};
  query.last_month = domain::YearMonth{2023, 6};
  query.regions = {"LAZIO", "ITG1"};
  query.dense = true;
  const std::string text = Render(input);
  EXPECT_TRUE(ParseJsonOrFail(text).at("metadata").contains("query"));
  EXPECT_THAT(text, HasSubstr(R"("query":{"period_range":{"first":"2023-01","last":"2023-06"},)"
                              R"("regions":["LAZIO","ITG1"],"intervention_types":[],"dense":true},)"
                              R"("row_count":0})"));

  input.info.query = QueryFilters{};
  input.info.query->intervention_types = {"CIGO"};
  const Json metadata = ParseJsonOrFail(Render(input)).at("metadata");
  EXPECT_TRUE(metadata.at("query").at("period_range").is_null());
  EXPECT_EQ(metadata.at("query").at("intervention_types").dump(), R"(["CIGO"])");
  EXPECT_FALSE(metadata.at("query").at("dense").get<bool>());

  EXPECT_FALSE(ParseJsonOrFail(Render(Input({}))).at("metadata").contains("query"));
  // JSON-stat carries the same metadata in its extension.
  const Json stat = ParseJsonOrFail(Render(input, /*json_stat=*/true));
  EXPECT_EQ(stat.at("extension").at("metadata").at("query"), metadata.at("query"));
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
  EXPECT_EQ(doc.at("version").get<std::string>(), "2.0");
  EXPECT_EQ(doc.at("class").get<std::string>(), "dataset");
  const auto& ids = doc.at("id");
  const auto& sizes = doc.at("size");
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(sizes.size(), ids.size());
  std::vector<std::vector<std::string>> categories;
  size_t total = 1;
  for (size_t d = 0; d < ids.size(); ++d) {
    const Json& dimension = doc.at("dimension").at(ids.at(d).get<std::string>());
    EXPECT_TRUE(dimension.at("label").is_string());
    const Json& category = dimension.at("category");
    std::vector<std::string> codes;
    for (const Json& code : category.at("index")) {
      codes.push_back(code.get<std::string>());
      EXPECT_TRUE(category.at("label").at(code.get<std::string>()).is_string());
    }
    EXPECT_EQ(codes.size(), Uint(sizes.at(d)));
    EXPECT_EQ(category.at("label").size(), codes.size());
    total *= codes.size();
    categories.push_back(std::move(codes));
  }
  const auto& value = doc.at("value");
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
    EXPECT_TRUE(value.at(i).is_null() || value.at(i).is_number());
    values[key] = value.at(i);
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
  const Json doc = ParseJsonOrFail(Render(input, /*json_stat=*/true));
  EXPECT_EQ(doc.at("label").get<std::string>(), input.info.title);
  EXPECT_EQ(doc.at("updated").get<std::string>(), "2026-01-15");
  EXPECT_EQ(doc.at("id").at(0).get<std::string>(), "period");
  EXPECT_EQ(doc.at("role").at("geo").at(0).get<std::string>(), "region");
  EXPECT_EQ(doc.at("role").at("metric").at(0).get<std::string>(), "measure");
  const Json& periods = doc.at("dimension").at("period").at("category");
  EXPECT_EQ(periods.at("index").at(0).get<std::string>(), "2023-01");
  EXPECT_EQ(periods.at("label").at("2023-02").get<std::string>(), "Febbraio 2023");
  // Regions in ISTAT order: Piemonte (01) before Veneto (05).
  EXPECT_EQ(doc.at("dimension").at("region").at("category").at("index").at(0).get<std::string>(),
            "PIEMONTE");
  EXPECT_EQ(
      doc.at("dimension").at("region").at("category").at("label").at("VENETO").get<std::string>(),
      "Veneto");
  EXPECT_EQ(
      Uint(
          doc.at("dimension").at("measure").at("category").at("unit").at("WORKERS").at("decimals")),
      0u);

  const auto values = CheckJsonStat(doc);
  EXPECT_EQ(values.size(), 2u * 2 * 2 * 1);
  EXPECT_EQ(Uint(values.at({"2023-02", "VENETO", "CIGO", "WORKERS"})), 5u);
  EXPECT_EQ(Uint(values.at({"2023-01", "PIEMONTE", "FIS", "WORKERS"})), 3u);
  EXPECT_EQ(Uint(values.at({"2023-01", "VENETO", "CIGO", "WORKERS"})), 4u);
  EXPECT_TRUE(values.at({"2023-02", "PIEMONTE", "FIS", "WORKERS"}).is_null());

  // Mixed provenance: an array aligned with "value".
  const Json& provenance = doc.at("extension").at("provenance");
  ASSERT_TRUE(provenance.is_array());
  ASSERT_EQ(provenance.size(), doc.at("value").size());
  for (size_t i = 0; i < provenance.size(); ++i) {
    EXPECT_EQ(provenance.at(i).is_null(), doc.at("value").at(i).is_null());
  }
  EXPECT_EQ(doc.at("extension").at("metadata").at("dataset_id").get<std::string>(),
            input.info.dataset_id);
}

TEST_F(JsonWriterTest, JsonStatOfTheStoricoReport) {
  const ExportInput input = testing::StoricoWorkers(lists_);
  const Json doc = ParseJsonOrFail(Render(input, /*json_stat=*/true));
  const auto values = CheckJsonStat(doc);
  EXPECT_EQ(Uint(doc.at("size").at(0)), 72u);
  EXPECT_EQ(Uint(doc.at("size").at(1)), 20u);
  EXPECT_EQ(Uint(doc.at("size").at(2)), 6u);
  EXPECT_EQ(Uint(doc.at("size").at(3)), 1u);
  for (const cube::QueryCell& cell : input.cells) {
    const std::vector<std::string> key = {
        domain::FormatPeriodKey(cell.key.period), lists_.regions()[cell.key.region].inps_label,
        lists_.intervention_types()[cell.key.type].code, "WORKERS"};
    ASSERT_EQ(Uint(values.at(key)), cell.value);
  }
  EXPECT_EQ(doc.at("extension").at("provenance").get<std::string>(), "MICRO_DATA");
}

TEST_F(JsonWriterTest, JsonStatOfNothingIsStillValid) {
  ExportInput input;
  input.codelists = &lists_;
  const Json doc = ParseJsonOrFail(Render(input, /*json_stat=*/true));
  CheckJsonStat(doc);
  EXPECT_FALSE(doc.contains("label"));
  EXPECT_TRUE(doc.at("value").empty());
  EXPECT_TRUE(doc.at("extension").at("provenance").is_null());
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

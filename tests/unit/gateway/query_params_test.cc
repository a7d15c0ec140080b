#include "libs/gateway/query_params.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "absl/strings/match.h"

namespace omnia::gateway {
namespace {

using Params = std::multimap<std::string, std::string>;

TEST(QueryParamsTest, EveryParameterMapsOntoTheExportRequest) {
  const Params params = {{"measures", "applications,WORKERS"},
                         {"regions", "LOMBARDIA,NORD_EST"},
                         {"regions", "VALLE_D'AOSTA"},
                         {"types", "CIGO,FONDI_Territorio"},
                         {"from", "2023-01"},
                         {"to", "2023-12"},
                         {"period_level", "quarter"},
                         {"region_level", "macro_area"},
                         {"type_level", "family"},
                         {"dense", "true"},
                         {"release", "r1"},
                         {"format", "jsonstat"}};
  absl::StatusOr<v1::ExportRequest> request = ExportRequestFromQuery(params);
  ASSERT_TRUE(request.ok()) << request.status();
  const v1::CellQuery& query = request->query();
  ASSERT_EQ(query.measures_size(), 2);
  EXPECT_EQ(query.measures(0), "APPLICATIONS");
  EXPECT_EQ(query.measures(1), "WORKERS");
  ASSERT_EQ(query.regions_size(), 3);
  EXPECT_EQ(query.regions(2), "VALLE_D'AOSTA");
  ASSERT_EQ(query.intervention_types_size(), 2);
  EXPECT_EQ(query.intervention_types(1), "FONDI_Territorio");
  EXPECT_EQ(query.period_range().first().year(), 2023);
  EXPECT_EQ(query.period_range().first().month(), 1);
  EXPECT_EQ(query.period_range().last().month(), 12);
  EXPECT_EQ(query.period_level(), v1::PERIOD_LEVEL_QUARTER);
  EXPECT_EQ(query.region_level(), v1::REGION_LEVEL_MACRO_AREA);
  EXPECT_EQ(query.type_level(), v1::TYPE_LEVEL_FAMILY);
  EXPECT_TRUE(query.dense());
  EXPECT_EQ(request->release_id(), "r1");
  EXPECT_EQ(request->format(), v1::FORMAT_JSON_STAT);
}

TEST(QueryParamsTest, DefaultsAreTheFinestLevelsSparseCsvOfTheLiveCubes) {
  absl::StatusOr<v1::ExportRequest> request = ExportRequestFromQuery({{"measures", "WORKERS"}});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_FALSE(request->query().has_period_range());
  EXPECT_EQ(request->query().period_level(), v1::PERIOD_LEVEL_MONTH);
  EXPECT_EQ(request->query().region_level(), v1::REGION_LEVEL_REGION);
  EXPECT_EQ(request->query().type_level(), v1::TYPE_LEVEL_TYPE);
  EXPECT_FALSE(request->query().dense());
  EXPECT_EQ(request->release_id(), "");
  EXPECT_EQ(request->format(), v1::FORMAT_CSV);
}

TEST(QueryParamsTest, EachFormatAndLevelName) {
  const std::map<std::string, v1::Format> formats = {{"csv", v1::FORMAT_CSV},
                                                     {"json", v1::FORMAT_JSON},
                                                     {"jsonstat", v1::FORMAT_JSON_STAT},
                                                     {"xml", v1::FORMAT_XML},
                                                     {"XLSX", v1::FORMAT_XLSX}};
  for (const auto& [name, format] : formats) {
    absl::StatusOr<v1::ExportRequest> request =
        ExportRequestFromQuery({{"measures", "WORKERS"}, {"format", name}});
    ASSERT_TRUE(request.ok()) << name;
    EXPECT_EQ(request->format(), format) << name;
  }
  absl::StatusOr<v1::ExportRequest> coarsest = ExportRequestFromQuery({{"measures", "WORKERS"},
                                                                       {"period_level", "year"},
                                                                       {"region_level", "italy"},
                                                                       {"type_level", "all"},
                                                                       {"dense", ""}});
  ASSERT_TRUE(coarsest.ok());
  EXPECT_EQ(coarsest->query().period_level(), v1::PERIOD_LEVEL_YEAR);
  EXPECT_EQ(coarsest->query().region_level(), v1::REGION_LEVEL_ITALY);
  EXPECT_EQ(coarsest->query().type_level(), v1::TYPE_LEVEL_ALL);
  EXPECT_TRUE(coarsest->query().dense());
}

// The parameter a refusal names, "" when the request is accepted.
std::string RefusedParameter(const Params& params) {
  absl::StatusOr<v1::ExportRequest> request = ExportRequestFromQuery(params);
  if (request.ok()) return "";
  EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(request.status().message());
  return message.substr(0, message.find(':'));
}

TEST(QueryParamsTest, EveryRefusalNamesItsParameter) {
  EXPECT_EQ(RefusedParameter({}), "measures");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS,"}}), "measures");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"regions", "LOMBARDIA;DROP"}}), "regions");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"types", std::string(65, 'A')}}), "types");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"from", "2023-01"}}), "to");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"to", "2023-01"}}), "from");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"from", "2023-13"}, {"to", "2023-12"}}),
            "from");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"from", "2019-12"}, {"to", "2023-12"}}),
            "from");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"from", "2023-05"}, {"to", "2023-4"}}),
            "to");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"from", "2023-05"}, {"to", "2023-04"}}),
            "to");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"period_level", "week"}}), "period_level");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"region_level", "city"}}), "region_level");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"type_level", "x"}}), "type_level");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"dense", "maybe"}}), "dense");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"release", "../etc"}}), "release");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"format", "pdf"}}), "format");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"format", "csv"}, {"format", "xml"}}),
            "format");
  EXPECT_EQ(RefusedParameter({{"measures", "WORKERS"}, {"region", "LOMBARDIA"}}), "region");
}

TEST(QueryParamsTest, RefusalsNeverQuoteWhatWasTyped) {
  // A codice fiscale typed into any parameter, or as a parameter's name.
  const std::string typed = "RSSMRA80A01H501U";
  for (const char* name :
       {"regions", "types", "from", "period_level", "dense", "release", "format", "measures"}) {
    Params params = {{"measures", "WORKERS"}};
    params.erase(name);
    params.emplace(name, typed + "!");
    absl::StatusOr<v1::ExportRequest> request = ExportRequestFromQuery(params);
    ASSERT_FALSE(request.ok()) << name;
    EXPECT_FALSE(absl::StrContains(request.status().message(), typed)) << request.status();
  }
  absl::StatusOr<v1::ExportRequest> unknown =
      ExportRequestFromQuery({{"measures", "WORKERS"}, {typed, "1"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_FALSE(absl::StrContains(unknown.status().message(), typed)) << unknown.status();
}

}  // namespace
}  // namespace omnia::gateway

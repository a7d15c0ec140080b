// The Solr query subset package_search understands, on hand-made package dicts.
#include "libs/ckan/search.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace omnia::ckan {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Json Package(std::string name, std::string title, std::string modified,
             std::vector<std::string> tags) {
  Json tag_dicts = Json::array();
  for (const std::string& tag : tags) tag_dicts.push_back(Json{{"name", tag}});
  return Json{{"name", name},
              {"id", name},
              {"title", title},
              {"notes", "Descrizione di " + title},
              {"metadata_modified", modified},
              {"metadata_created", modified},
              {"organization", Json{{"name", "inps"}, {"title", "INPS"}}},
              {"groups", Json::array()},
              {"tags", tag_dicts},
              {"resources", Json::array({Json{{"format", "CSV"}, {"name", name + ".csv"}}})},
              {"extras", Json::array({Json{{"key", "frequency"}, {"value", "ANNUAL"}}})},
              {"num_resources", 1},
              {"num_tags", tags.size()}};
}

class SearchTest : public ::testing::Test {
 protected:
  std::vector<std::string> Find(std::string q, std::string fq = "", std::string sort = "name asc") {
    SearchParams params;
    params.q = std::move(q);
    if (!fq.empty()) params.filter_queries.push_back(std::move(fq));
    params.sort = std::move(sort);
    params.rows = 100;
    absl::StatusOr<SearchResult> result = SearchPackages(packages_, params);
    EXPECT_TRUE(result.ok()) << result.status();
    std::vector<std::string> names;
    if (!result.ok()) return names;
    for (size_t index : result->page) names.push_back(packages_[index]["name"]);
    return names;
  }

  std::vector<Json> packages_ = {
      Package("alfa", "Numero Mensilità", "2024-01-10T00:00:00", {"storico", "CIGO"}),
      Package("beta", "Numero Domande", "2024-03-01T00:00:00", {"annuale", "2023"}),
      Package("gamma", "Lavoratori pagati", "2023-12-31T00:00:00", {"annuale", "2024"}),
  };
};

TEST_F(SearchTest, EmptyQueriesMatchEverything) {
  EXPECT_THAT(Find(""), ElementsAre("alfa", "beta", "gamma"));
  EXPECT_THAT(Find("\"\""), ElementsAre("alfa", "beta", "gamma"));
  EXPECT_THAT(Find("*:*"), ElementsAre("alfa", "beta", "gamma"));
}

TEST_F(SearchTest, BooleanOperatorsAndGroups) {
  EXPECT_THAT(Find("", "tags:annuale AND NOT tags:2024"), ElementsAre("beta"));
  EXPECT_THAT(Find("", "(tags:storico OR tags:2024) && res_format:CSV"),
              ElementsAre("alfa", "gamma"));
  EXPECT_THAT(Find("", "tags:storico || name:beta"), ElementsAre("alfa", "beta"));
  EXPECT_THAT(Find("", "extras_frequency:ANNUAL"), ElementsAre("alfa", "beta", "gamma"));
  EXPECT_THAT(Find("", "res_name:beta.csv"), ElementsAre("beta"));
}

TEST_F(SearchTest, RangesCompareTimestamps) {
  EXPECT_THAT(Find("", "metadata_modified:[2024-01-01T00:00:00 TO *]"),
              ElementsAre("alfa", "beta"));
  EXPECT_THAT(Find("", "metadata_modified:{2024-01-10T00:00:00 TO *]"), ElementsAre("beta"));
}

TEST_F(SearchTest, FreeTextAndTextFields) {
  EXPECT_THAT(Find("mensilita"), ElementsAre("alfa"));
  EXPECT_THAT(Find("numero -domande"), ElementsAre("alfa"));
  EXPECT_THAT(Find("\"numero domande\""), ElementsAre("beta"));
  EXPECT_THAT(Find("title:lavoratori"), ElementsAre("gamma"));
  EXPECT_THAT(Find("notes:\"descrizione di numero\""), ElementsAre("alfa", "beta"));
}

TEST_F(SearchTest, SortsByEveryKeyWithNameAsTieBreak) {
  EXPECT_THAT(Find("", "", "metadata_modified desc"), ElementsAre("beta", "alfa", "gamma"));
  EXPECT_THAT(Find("", "", "metadata_modified asc"), ElementsAre("gamma", "alfa", "beta"));
  EXPECT_THAT(Find("", "", "title_string asc"), ElementsAre("gamma", "beta", "alfa"));
  EXPECT_THAT(Find("", "", "name desc"), ElementsAre("gamma", "beta", "alfa"));
  EXPECT_THAT(Find("", "", "score desc, num_tags asc"), ElementsAre("alfa", "beta", "gamma"));
}

TEST_F(SearchTest, MalformedQueriesFailWithTheReason) {
  SearchParams params;
  params.filter_queries = {"tags:(a OR b"};
  EXPECT_THAT(SearchPackages(packages_, params).status().message(), HasSubstr("missing ')'"));
  params.filter_queries = {"tags:\"open"};
  EXPECT_THAT(SearchPackages(packages_, params).status().message(), HasSubstr("unterminated"));
  params.filter_queries = {};
  params.facet_fields = {"colour"};
  EXPECT_THAT(SearchPackages(packages_, params).status().message(),
              HasSubstr("undefined field colour"));
}

TEST_F(SearchTest, FacetMincountZeroListsValuesWithoutMatches) {
  SearchParams params;
  params.filter_queries = {"tags:storico"};
  params.facet_fields = {"tags"};
  params.facet_mincount = 0;
  absl::StatusOr<SearchResult> result = SearchPackages(packages_, params);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->facets.size(), 1u);
  const auto& counts = result->facets[0].counts;
  ASSERT_EQ(counts.size(), 5u);
  EXPECT_EQ(counts[0].second, 1);
  EXPECT_EQ(counts[4].second, 0);
}

}  // namespace
}  // namespace omnia::ckan

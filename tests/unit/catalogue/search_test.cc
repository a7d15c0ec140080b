#include "libs/catalogue/search.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/catalogue/datasets.h"
#include "tests/unit/catalogue/test_config.h"

namespace omnia::catalogue {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::Date Day(int y, int m, int d) {
  v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<CatalogueConfig> config = LoadDeployedConfig();
    ASSERT_TRUE(config.ok()) << config.status();
    // 21 datasets: Storico 2020-2024 and Annuale 2020..2025 for the three measures.
    for (const DatasetSpec& spec :
         DatasetsFor(*config, {2020, 2021, 2022, 2023, 2024, 2025}, 2024)) {
      v1::Dataset dataset = DatasetMetadata(*config, spec);
      // Older years were last updated earlier; 2025 is not published yet.
      if (spec.reference_year != 2025) {
        *dataset.mutable_published_on() = Day(2026, 1, 15);
        *dataset.mutable_updated_on() =
            spec.reference_year == 0 ? Day(2026, 3, 1) : Day(spec.reference_year + 1, 2, 1);
      }
      datasets_.push_back(dataset);
    }
    // One dataset of another topic and source, to exercise those filters and facets.
    v1::Dataset other = datasets_.front();
    other.set_dataset_id("pensioni-vigenti-2023");
    other.set_title("Pensioni vigenti. Anno 2023");
    other.set_description("Numero di pensioni vigenti.");
    other.clear_keywords();
    other.add_keywords("pensioni");
    other.set_topic("Pensioni");
    other.set_source("Casellario dei pensionati");
    other.mutable_coverage()->mutable_first()->set_year(2023);
    other.mutable_coverage()->mutable_last()->set_year(2023);
    *other.mutable_updated_on() = Day(2024, 5, 5);
    datasets_.push_back(other);
  }

  v1::ListDatasetsResponse MustList(const v1::ListDatasetsRequest& request) {
    absl::StatusOr<v1::ListDatasetsResponse> response = ListDatasets(datasets_, request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : v1::ListDatasetsResponse();
  }

  std::vector<std::string> Ids(const v1::ListDatasetsResponse& response) {
    std::vector<std::string> ids;
    for (const v1::Dataset& d : response.datasets()) ids.push_back(d.dataset_id());
    return ids;
  }

  v1::ListDatasetsRequest Query(const std::string& text) {
    v1::ListDatasetsRequest request;
    request.set_query(text);
    request.set_page_size(100);
    return request;
  }

  // Every page of `request`, following tokens.
  std::vector<std::string> AllPages(v1::ListDatasetsRequest request) {
    std::vector<std::string> ids;
    for (int pages = 0; pages < 100; ++pages) {
      const v1::ListDatasetsResponse response = MustList(request);
      for (const std::string& id : Ids(response)) ids.push_back(id);
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return ids;
  }

  std::map<std::string, uint64_t> Facets(
      const google::protobuf::RepeatedPtrField<v1::FacetCount>& facets) {
    std::map<std::string, uint64_t> out;
    for (const v1::FacetCount& facet : facets) out[facet.value()] = facet.count();
    return out;
  }

  std::vector<v1::Dataset> datasets_;
};

TEST_F(SearchTest, NoFiltersDefaultPageByTitle) {
  const v1::ListDatasetsResponse response = MustList(v1::ListDatasetsRequest());
  EXPECT_EQ(response.total_size(), 22u);
  EXPECT_EQ(response.datasets_size(), 20);
  EXPECT_FALSE(response.next_page_token().empty());
  // Title order ignores case and accents: "Numero Domande..." < "Numero Lavoratori..." <
  // "Numero Mensilità..." < "Pensioni..." < "Storico...".
  EXPECT_EQ(response.datasets(0).title(),
            "Numero Domande per regione e tipo di intervento. Anno 2020");
  const std::vector<std::string> all = AllPages(v1::ListDatasetsRequest());
  ASSERT_EQ(all.size(), 22u);
  EXPECT_EQ(all[18], "pensioni-vigenti-2023");
  EXPECT_EQ(all.back(), "integrazioni-salariali-mensilita-storico");
}

TEST_F(SearchTest, TextIgnoresCaseAndAccents) {
  for (const std::string query : {"mensilita", "MENSILITÀ", "Mensilità", "mensilità"}) {
    const v1::ListDatasetsResponse response = MustList(Query(query));
    EXPECT_EQ(response.total_size(), 7u) << query;
    for (const v1::Dataset& d : response.datasets()) {
      EXPECT_THAT(d.title(), HasSubstr("Mensilità")) << query;
    }
  }
  // Every word must occur; words may be prefixes; punctuation separates words.
  EXPECT_THAT(
      Ids(MustList(Query("numero domande, 2023"))),
      ElementsAre("integrazioni-salariali-domande-2023", "integrazioni-salariali-domande-storico"));
  EXPECT_EQ(MustList(Query("domand STORIC")).total_size(), 1u);
  // Description and keywords are searched too.
  EXPECT_EQ(MustList(Query("sommabili")).total_size(), 7u);
  EXPECT_EQ(MustList(Query("beneficiari")).total_size(), 7u);
  EXPECT_EQ(MustList(Query("solidarieta")).total_size(), 21u);
  EXPECT_EQ(MustList(Query("inesistente")).total_size(), 0u);
  EXPECT_EQ(MustList(Query("  ")).total_size(), 22u);
}

TEST_F(SearchTest, TopicAndSourceFilters) {
  v1::ListDatasetsRequest request;
  request.set_page_size(100);
  request.add_topics("integrazioni salariali");
  EXPECT_EQ(MustList(request).total_size(), 21u);
  request.add_topics("PENSIONI");
  EXPECT_EQ(MustList(request).total_size(), 22u);

  request.clear_topics();
  request.add_sources("Casellario dei Pensionati");
  EXPECT_THAT(Ids(MustList(request)), ElementsAre("pensioni-vigenti-2023"));
  request.clear_sources();
  request.add_sources("ammortizzatori-sociali");
  EXPECT_EQ(MustList(request).total_size(), 21u);
  request.add_topics("Pensioni");
  EXPECT_EQ(MustList(request).total_size(), 0u);
}

TEST_F(SearchTest, PeriodFilterOverlapsCoverage) {
  v1::ListDatasetsRequest request;
  request.set_page_size(100);
  request.mutable_years()->set_first(2025);
  EXPECT_EQ(MustList(request).total_size(), 3u);
  request.mutable_years()->set_first(2023);
  // Storico (2020-2024), Annuale 2023 and the other dataset.
  EXPECT_EQ(MustList(request).total_size(), 7u);
  request.mutable_years()->set_last(2025);
  EXPECT_EQ(MustList(request).total_size(), 13u);

  for (const auto& [first, last] :
       std::vector<std::pair<int, int>>{{2019, 0}, {0, 2023}, {2024, 2023}, {2024, 2101}}) {
    v1::ListDatasetsRequest bad;
    bad.mutable_years()->set_first(first);
    bad.mutable_years()->set_last(last);
    const absl::Status status = ListDatasets(datasets_, bad).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << first << "-" << last;
    EXPECT_THAT(status.message(), HasSubstr("years.")) << first << "-" << last;
  }
}

TEST_F(SearchTest, FacetsIgnoreTheirOwnFilter) {
  v1::ListDatasetsRequest request;
  v1::ListDatasetsResponse response = MustList(request);
  EXPECT_THAT(Facets(response.topic_facets()),
              (std::map<std::string, uint64_t>{{"Integrazioni Salariali", 21}, {"Pensioni", 1}}));
  EXPECT_THAT(Facets(response.source_facets()),
              (std::map<std::string, uint64_t>{{"Ammortizzatori Sociali", 21},
                                               {"Casellario dei pensionati", 1}}));
  std::map<std::string, uint64_t> years = Facets(response.year_facets());
  EXPECT_EQ(years["2020"], 6u);  // Storico + Annuale 2020
  EXPECT_EQ(years["2023"], 7u);  // Storico + Annuale 2023 + the other dataset
  EXPECT_EQ(years["2025"], 3u);
  EXPECT_EQ(years.size(), 6u);
  EXPECT_EQ(response.year_facets(0).value(), "2020");

  // With a topic selected, the topic facet still offers the other topic; the others narrow.
  request.add_topics("Pensioni");
  response = MustList(request);
  EXPECT_EQ(response.total_size(), 1u);
  EXPECT_THAT(Facets(response.topic_facets()),
              (std::map<std::string, uint64_t>{{"Integrazioni Salariali", 21}, {"Pensioni", 1}}));
  EXPECT_THAT(Facets(response.source_facets()),
              (std::map<std::string, uint64_t>{{"Casellario dei pensionati", 1}}));
  EXPECT_THAT(Facets(response.year_facets()), (std::map<std::string, uint64_t>{{"2023", 1}}));

  // A year selection narrows topic and source counts but not the year facet.
  request.clear_topics();
  request.mutable_years()->set_first(2025);
  response = MustList(request);
  EXPECT_THAT(Facets(response.topic_facets()),
              (std::map<std::string, uint64_t>{{"Integrazioni Salariali", 3}}));
  EXPECT_EQ(Facets(response.year_facets())["2020"], 6u);

  // Text applies to every facet.
  request.clear_years();
  request.set_query("beneficiari");
  response = MustList(request);
  EXPECT_EQ(Facets(response.year_facets())["2020"], 2u);
  EXPECT_EQ(Facets(response.topic_facets())["Integrazioni Salariali"], 7u);
}

TEST_F(SearchTest, OrderByUpdated) {
  v1::ListDatasetsRequest request;
  request.set_order(v1::DATASET_ORDER_UPDATED);
  request.set_page_size(100);
  const std::vector<std::string> ids = Ids(MustList(request));
  ASSERT_EQ(ids.size(), 22u);
  // Storico datasets (2026-03-01), then Annuale 2024 (2025-02-01), then the other dataset
  // (2024-05-05), then Annuale 2023 (2024-02-01) and earlier years ...
  EXPECT_THAT(
      std::vector<std::string>(ids.begin(), ids.begin() + 6),
      ElementsAre(
          "integrazioni-salariali-domande-storico", "integrazioni-salariali-lavoratori-storico",
          "integrazioni-salariali-mensilita-storico", "integrazioni-salariali-domande-2024",
          "integrazioni-salariali-lavoratori-2024", "integrazioni-salariali-mensilita-2024"));
  EXPECT_EQ(ids[6], "pensioni-vigenti-2023");
  EXPECT_EQ(ids[7], "integrazioni-salariali-domande-2023");
  // ... and never-published datasets come last, by title.
  EXPECT_THAT(
      std::vector<std::string>(ids.end() - 3, ids.end()),
      ElementsAre("integrazioni-salariali-domande-2025", "integrazioni-salariali-lavoratori-2025",
                  "integrazioni-salariali-mensilita-2025"));
}

TEST_F(SearchTest, PagingOneByOneGivesEveryDatasetOnce) {
  for (const v1::DatasetOrder order : {v1::DATASET_ORDER_TITLE, v1::DATASET_ORDER_UPDATED}) {
    v1::ListDatasetsRequest whole;
    whole.set_order(order);
    whole.set_page_size(100);
    const std::vector<std::string> expected = Ids(MustList(whole));

    v1::ListDatasetsRequest paged;
    paged.set_order(order);
    paged.set_page_size(1);
    const std::vector<std::string> ids = AllPages(paged);
    EXPECT_EQ(ids, expected) << v1::DatasetOrder_Name(order);
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), datasets_.size());
  }
  // With filters too.
  v1::ListDatasetsRequest filtered = Query("numero");
  filtered.set_page_size(2);
  filtered.mutable_years()->set_first(2024);
  EXPECT_EQ(AllPages(filtered).size(), 6u);
}

TEST_F(SearchTest, PagesDoNotDependOnTheInputOrder) {
  v1::ListDatasetsRequest all;
  all.set_page_size(100);
  const std::vector<std::string> expected = Ids(MustList(all));

  v1::ListDatasetsRequest request;
  request.set_page_size(5);
  const std::string token = MustList(request).next_page_token();
  std::reverse(datasets_.begin(), datasets_.end());
  request.set_page_token(token);
  EXPECT_EQ(Ids(MustList(request)),
            std::vector<std::string>(expected.begin() + 5, expected.begin() + 10));
}

TEST_F(SearchTest, TokenIsTiedToTheRequest) {
  v1::ListDatasetsRequest request = Query("numero");
  request.set_page_size(3);
  request.add_topics("Integrazioni Salariali");
  const std::string token = MustList(request).next_page_token();
  ASSERT_FALSE(token.empty());

  // Same filters spelled differently, or another page size: accepted.
  v1::ListDatasetsRequest same = Query("NUMERO");
  same.set_page_size(10);
  same.add_topics("integrazioni salariali");
  same.set_page_token(token);
  EXPECT_TRUE(ListDatasets(datasets_, same).ok());

  const auto rejected = [&](v1::ListDatasetsRequest changed) {
    changed.set_page_token(token);
    const absl::Status status = ListDatasets(datasets_, changed).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr("page_token"));
  };
  v1::ListDatasetsRequest changed = request;
  changed.set_query("domande");
  rejected(changed);
  changed = request;
  changed.add_sources("Ammortizzatori Sociali");
  rejected(changed);
  changed = request;
  changed.clear_topics();
  rejected(changed);
  changed = request;
  changed.mutable_years()->set_first(2023);
  rejected(changed);
  changed = request;
  changed.set_order(v1::DATASET_ORDER_UPDATED);
  rejected(changed);
  changed = request;
  changed.set_release_id("2026-01-15");
  rejected(changed);

  changed = request;
  changed.set_page_token("garbage!");
  EXPECT_EQ(ListDatasets(datasets_, changed).status().code(), absl::StatusCode::kInvalidArgument);
  changed.set_page_token(token.substr(0, token.size() / 2));
  EXPECT_EQ(ListDatasets(datasets_, changed).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SearchTest, PageSizeRules) {
  v1::ListDatasetsRequest request;
  request.set_page_size(-1);
  EXPECT_EQ(ListDatasets(datasets_, request).status().code(), absl::StatusCode::kInvalidArgument);
  request.set_page_size(1000);
  EXPECT_EQ(MustList(request).datasets_size(), 22);  // capped at 100, all fit
  request.set_page_size(0);
  EXPECT_EQ(MustList(request).datasets_size(), 20);
  request.set_order(static_cast<v1::DatasetOrder>(9));
  EXPECT_EQ(ListDatasets(datasets_, request).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SearchTest, EmptyList) {
  const absl::StatusOr<v1::ListDatasetsResponse> response =
      ListDatasets({}, v1::ListDatasetsRequest());
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->total_size(), 0u);
  EXPECT_TRUE(response->next_page_token().empty());
  EXPECT_EQ(response->topic_facets_size(), 0);
}

}  // namespace
}  // namespace omnia::catalogue

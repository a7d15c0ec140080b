// What a CKAN client relies on: envelopes, every error shape, paging defaults and caps, facet
// counts, filters, orders and complete package and resource dicts.
#include "libs/ckan/ckan_api.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/unit/ckan/test_snapshot.h"

namespace omnia::ckan {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Params = std::vector<std::pair<std::string, std::string>>;

constexpr int kDatasets = 18;  // 3 Storico + 3 measures x 5 years

class CkanApiTest : public ::testing::Test {
 protected:
  CkanResponse Get(std::string_view action, Params params = {}) {
    CkanRequest request;
    request.query_params = std::move(params);
    return HandleAction(action, request, snapshot_);
  }

  CkanResponse Post(std::string_view action, std::string body) {
    CkanRequest request;
    request.body = std::move(body);
    request.is_post = true;
    return HandleAction(action, request, snapshot_);
  }

  // The result of a successful call, after checking the envelope.
  Json Result(std::string_view action, Params params = {}) {
    const CkanResponse response = Get(action, std::move(params));
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.content_type, "application/json;charset=utf-8");
    const Json body = Json::parse(response.body);
    EXPECT_EQ(body["success"], true);
    EXPECT_EQ(body["help"],
              absl::StrCat(kBaseUrl, "/api/3/action/help_show?name=", std::string(action)));
    return body["result"];
  }

  // The "error" object of a failed call, after checking status and envelope.
  Json Error(const CkanResponse& response, int status) {
    EXPECT_EQ(response.status, status) << response.body;
    const Json body = Json::parse(response.body);
    EXPECT_EQ(body["success"], false);
    EXPECT_TRUE(body["help"].is_string());
    EXPECT_FALSE(body.contains("result"));
    return body["error"];
  }

  std::vector<std::string> Names(const Json& packages) {
    std::vector<std::string> names;
    for (const Json& package : packages) names.push_back(package["name"]);
    return names;
  }

  CatalogueSnapshot snapshot_ = TestSnapshot();
};

TEST_F(CkanApiTest, PackageListIsEveryDatasetNameSorted) {
  const Json names = Result("package_list");
  ASSERT_EQ(names.size(), kDatasets);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(names[0], "integrazioni-salariali-domande-2020");
}

TEST_F(CkanApiTest, PackageListPagesWithLimitAndOffset) {
  const Json all = Result("package_list");
  const Json page = Result("package_list", {{"limit", "5"}, {"offset", "3"}});
  ASSERT_EQ(page.size(), 5u);
  EXPECT_EQ(page[0], all[3]);
  EXPECT_EQ(page[4], all[7]);
  EXPECT_EQ(Result("package_list", {{"offset", "17"}}).size(), 1u);
  EXPECT_EQ(Result("package_list", {{"limit", "0"}}).size(), kDatasets) << "0 means no limit";
}

TEST_F(CkanApiTest, UnknownActionIsABareJsonString400) {
  const CkanResponse response = Get("package_delete");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Json::parse(response.body), "Bad request - Action name not known: package_delete");
}

TEST_F(CkanApiTest, BodyThatIsNotAnObjectIsABadRequest) {
  CkanResponse response = Post("package_list", "[1, 2]");
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(Json::parse(response.body).get<std::string>(),
              HasSubstr("Bad request - JSON Error: Request data JSON decoded to [1,2]"));
  response = Post("package_list", "{not json");
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(Json::parse(response.body).get<std::string>(), HasSubstr("Bad request - JSON Error"));
}

TEST_F(CkanApiTest, InvalidIntegersAreValidationErrorsNamingEachField) {
  const Json error = Error(Get("package_search", {{"rows", "ten"}, {"start", "-1"}}), 409);
  EXPECT_EQ(error, Json::parse(R"({"__type": "Validation Error",
                                    "rows": ["Invalid integer"],
                                    "start": ["Must be a natural number"]})"));
  EXPECT_EQ(Error(Get("package_list", {{"limit", "1.5"}}), 409)["limit"],
            Json::array({"Invalid integer"}));
  EXPECT_EQ(Error(Post("package_list", R"({"offset": -3})"), 409)["offset"],
            Json::array({"Must be a natural number"}));
}

TEST_F(CkanApiTest, MissingIdIsAValidationErrorAsGetOrBustReportsIt) {
  EXPECT_EQ(Error(Get("package_show"), 409),
            Json::parse(R"({"__type": "Validation Error", "name_or_id": ["Missing value"]})"));
  EXPECT_EQ(Error(Get("resource_show"), 409),
            Json::parse(R"({"__type": "Validation Error", "id": ["Missing value"]})"));
  EXPECT_EQ(Error(Get("organization_show"), 409)["id"][0], "Missing value");
}

TEST_F(CkanApiTest, UnknownIdsAreNotFoundErrors) {
  const auto not_found = [](const std::string& detail) {
    return Json{{"__type", "Not Found Error"}, {"message", "Not found: " + detail}};
  };
  EXPECT_EQ(Error(Get("package_show", {{"id", "nope"}}), 404), not_found("Dataset not found"));
  EXPECT_EQ(Error(Get("resource_show", {{"id", "nope"}}), 404),
            not_found("Resource was not found."));
  EXPECT_EQ(Error(Get("group_show", {{"id", "nope"}}), 404), not_found("Group was not found."));
  EXPECT_EQ(Error(Get("organization_show", {{"id", "nope"}}), 404),
            not_found("Organization was not found."));
  EXPECT_EQ(Error(Get("help_show", {{"name", "nope"}}), 404)["message"],
            "Not found: Action function not found");
}

TEST_F(CkanApiTest, PackageSearchReturnsTenByDefaultAndTheTotalCount) {
  const Json result = Result("package_search");
  EXPECT_EQ(result["count"], kDatasets);
  EXPECT_EQ(result["results"].size(), 10u);
  EXPECT_EQ(result["sort"], "score desc, metadata_modified desc");
  EXPECT_EQ(result["facets"], Json::object());
  EXPECT_EQ(result["search_facets"], Json::object());
}

TEST_F(CkanApiTest, PackageSearchPagesWithStartAndRows) {
  const Json all = Result("package_search", {{"rows", "100"}, {"sort", "name asc"}})["results"];
  ASSERT_EQ(all.size(), kDatasets);
  const Json page =
      Result("package_search", {{"rows", "4"}, {"start", "16"}, {"sort", "name asc"}});
  EXPECT_EQ(page["count"], kDatasets);
  EXPECT_THAT(Names(page["results"]), ElementsAre(all[16]["name"], all[17]["name"]));
  EXPECT_TRUE(Result("package_search", {{"rows", "0"}})["results"].empty());
}

TEST_F(CkanApiTest, PackageSearchCapsRowsAtOneThousand) {
  const v1::Dataset model = snapshot_.datasets.front();
  for (int i = 0; i < 1100; ++i) {
    v1::Dataset copy = model;
    copy.set_dataset_id(absl::StrCat("copia-", i));
    snapshot_.datasets.push_back(std::move(copy));
  }
  const Json result = Result("package_search", {{"rows", "5000"}});
  EXPECT_EQ(result["count"], kDatasets + 1100);
  EXPECT_EQ(result["results"].size(), 1000u);
  EXPECT_EQ(Result("current_package_list_with_resources", {{"limit", "5000"}}).size(), 1000u);
}

TEST_F(CkanApiTest, FacetCountsMatchTheData) {
  const Json result =
      Result("package_search",
             {{"facet.field", R"(["organization", "groups", "tags", "res_format", "license_id"])"},
              {"rows", "0"}});
  const Json& facets = result["facets"];
  EXPECT_EQ(facets["organization"], Json::parse(R"({"inps": 18})"));
  EXPECT_EQ(facets["groups"], Json::parse(R"({"integrazioni-salariali": 18})"));
  EXPECT_EQ(facets["license_id"], Json::parse(R"({"cc-by": 18})"));
  EXPECT_EQ(facets["res_format"],
            Json::parse(R"({"CSV": 18, "JSON": 18, "JSON-stat": 18, "XML": 18, "XLSX": 18})"));
  EXPECT_EQ(facets["tags"]["storico"], 3);
  EXPECT_EQ(facets["tags"]["2023"], 3);
  EXPECT_EQ(facets["tags"]["CIGO"], 18);

  const Json& organization = result["search_facets"]["organization"];
  EXPECT_EQ(organization["title"], "organization");
  EXPECT_EQ(organization["items"], Json::parse(R"([{"name": "inps", "count": 18,
                "display_name": "INPS - Istituto Nazionale della Previdenza Sociale"}])"));
  EXPECT_EQ(result["search_facets"]["groups"]["items"][0]["display_name"],
            "Integrazioni Salariali");
  // CKAN lists search_facets items by display name, descending.
  const Json& formats = result["search_facets"]["res_format"]["items"];
  ASSERT_EQ(formats.size(), 5u);
  EXPECT_EQ(formats[0]["name"], "XML");
  EXPECT_EQ(formats[4]["name"], "CSV");
}

TEST_F(CkanApiTest, FacetCountsFollowTheQuery) {
  const Json result =
      Result("package_search",
             {{"fq", "tags:storico"}, {"facet.field", R"(["tags"])"}, {"facet.limit", "-1"}});
  EXPECT_EQ(result["count"], 3);
  EXPECT_EQ(result["facets"]["tags"]["storico"], 3);
  EXPECT_FALSE(result["facets"]["tags"].contains("annuale")) << "mincount 1 drops zero counts";
}

TEST_F(CkanApiTest, FacetLimitKeepsTheMostFrequentValues) {
  const Json result =
      Result("package_search", {{"facet.field", R"(["tags"])"}, {"facet.limit", "2"}});
  ASSERT_EQ(result["facets"]["tags"].size(), 2u);
  for (const auto& [tag, count] : result["facets"]["tags"].items()) EXPECT_EQ(count, 18) << tag;
  const Json unlimited = Result("package_search", {{"facet.field", R"(["tags"])"}});
  EXPECT_GT(unlimited["facets"]["tags"].size(), 2u);
}

TEST_F(CkanApiTest, FacetFieldMustBeAJsonListOfStrings) {
  EXPECT_EQ(Error(Get("package_search", {{"facet.field", "[tags"}}), 409)["facet.field"],
            Json::array({"Could not parse as valid JSON"}));
  EXPECT_EQ(Error(Get("package_search", {{"facet.field", R"("tags")"}}), 409)["facet.field"],
            Json::array({"Not a list"}));
  EXPECT_EQ(Error(Post("package_search", R"({"facet.field": [1]})"), 409)["facet.field"],
            Json::array({"Not a string: 1"}));
}

TEST_F(CkanApiTest, FilterQueriesSelectByFieldValues) {
  auto count = [this](std::string fq) {
    return Result("package_search", {{"fq", std::move(fq)}})["count"].get<int>();
  };
  EXPECT_EQ(count("organization:inps"), kDatasets);
  EXPECT_EQ(count("organization:altro"), 0);
  EXPECT_EQ(count("groups:integrazioni-salariali AND res_format:CSV"), kDatasets);
  EXPECT_EQ(count("tags:\"serie storica\""), 3);
  EXPECT_EQ(count("+tags:annuale +tags:2024"), 3);
  EXPECT_EQ(count("tags:annuale tags:2024"), 3) << "space means AND";
  EXPECT_EQ(count("tags:(2023 OR 2024)"), 6);
  EXPECT_EQ(count("tags:2023 OR tags:2024"), 6);
  EXPECT_EQ(count("-tags:storico"), 15);
  EXPECT_EQ(count("license_id:cc-by"), kDatasets);
  EXPECT_EQ(count("res_format:csv"), 0) << "string fields match exactly, as in Solr";
  EXPECT_EQ(count("name:integrazioni-salariali-domande-*"), 6);
}

TEST_F(CkanApiTest, FreeTextSearchIgnoresCaseAndAccents) {
  const Json result = Result("package_search", {{"q", "MENSILITA"}, {"rows", "50"}});
  EXPECT_EQ(result["count"], 6);
  for (const Json& package : result["results"]) {
    EXPECT_THAT(package["name"].get<std::string>(), HasSubstr("mensilita"));
  }
  EXPECT_EQ(Result("package_search", {{"q", "domande 2023"}})["count"], 1 + 1)
      << "every word must occur: the 2023 Annuale and the Storico covering 2023";
  EXPECT_EQ(Result("package_search", {{"q", "tags:storico"}})["count"], 3);
  EXPECT_EQ(Result("package_search", {{"q", "*:*"}})["count"], kDatasets);
}

TEST_F(CkanApiTest, UnknownSearchFieldsAreSearchErrors) {
  const Json error = Error(Get("package_search", {{"fq", "colour:blue"}}), 409);
  EXPECT_EQ(error["__type"], "Search Error");
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("undefined field colour"));
  EXPECT_EQ(Error(Get("package_search", {{"sort", "colour asc"}}), 409)["__type"], "Search Error");
  EXPECT_EQ(Error(Get("package_search", {{"sort", "name"}}), 409)["__type"], "Search Error");
}

TEST_F(CkanApiTest, UnknownSearchParametersAreSearchQueryErrors) {
  const Json error = Error(Get("package_search", {{"colour", "blue"}}), 400);
  EXPECT_EQ(error["__type"], "Search Query Error");
  EXPECT_EQ(error["message"],
            "Search Query is invalid: (\"Invalid search parameters: ['colour']\",)");
  EXPECT_EQ(Get("package_search", {{"ext_bbox", "1,2,3,4"}}).status, 200);
}

TEST_F(CkanApiTest, SortOrders) {
  const Json by_name = Result("package_search", {{"sort", "name asc"}, {"rows", "50"}});
  const std::vector<std::string> names = Names(by_name["results"]);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(by_name["sort"], "name asc");

  const Json by_title = Result("package_search", {{"sort", "title_string asc"}, {"rows", "50"}});
  std::vector<std::string> titles;
  for (const Json& package : by_title["results"]) titles.push_back(package["title"]);
  EXPECT_TRUE(std::is_sorted(titles.begin(), titles.end()));

  const Json by_date =
      Result("package_search", {{"sort", "metadata_modified desc"}, {"rows", "50"}});
  std::vector<std::string> dates;
  for (const Json& package : by_date["results"]) dates.push_back(package["metadata_modified"]);
  EXPECT_TRUE(std::is_sorted(dates.rbegin(), dates.rend()));
  EXPECT_EQ(Names(Result("package_search", {{"rows", "50"}})["results"]), Names(by_date["results"]))
      << "the default order is the most recently modified first";
}

TEST_F(CkanApiTest, PostBodyWorksLikeQueryParameters) {
  const CkanResponse response =
      Post("package_search", R"({"fq": "tags:storico", "rows": 2, "facet.field": ["tags"]})");
  ASSERT_EQ(response.status, 200) << response.body;
  const Json result = Json::parse(response.body)["result"];
  EXPECT_EQ(result["count"], 3);
  EXPECT_EQ(result["results"].size(), 2u);
  EXPECT_EQ(result["facets"]["tags"]["storico"], 3);
}

// `curl -d '{...}'` sends JSON as a form: one field named by the JSON text, with an empty value
// (and "+" read as a space). CKAN reads that field's name as the request; so does this API.
TEST_F(CkanApiTest, JsonPostedAsAFormWorksLikeAJsonBody) {
  CkanRequest request;
  request.is_post = true;
  request.body = R"({"fq": "tags:storico", "rows": 2})";
  request.query_params = {{request.body, ""}};
  const CkanResponse response = HandleAction("package_search", request, snapshot_);
  ASSERT_EQ(response.status, 200) << response.body;
  const Json result = Json::parse(response.body)["result"];
  EXPECT_EQ(result["count"], 3);
  EXPECT_EQ(result["results"].size(), 2u);
  CkanRequest show;
  show.is_post = true;
  show.body = R"({"id": "integrazioni-salariali-domande-storico"})";
  show.query_params = {{show.body, ""}};
  const CkanResponse shown = HandleAction("package_show", show, snapshot_);
  EXPECT_EQ(shown.status, 200) << shown.body;
}

TEST_F(CkanApiTest, PackageShowTakesTheIdentifierWithItsIpaCode) {
  const Json package =
      Result("package_show", {{"id", "inps:integrazioni-salariali-domande-storico"}});
  EXPECT_EQ(package["name"], "integrazioni-salariali-domande-storico");
  Error(Get("package_show", {{"id", "other:integrazioni-salariali-domande-storico"}}), 404);
}

TEST_F(CkanApiTest, PackageShowFillsEveryField) {
  const std::string id = "integrazioni-salariali-lavoratori-2023";
  const Json package = Result("package_show", {{"id", id}});
  for (const char* field : {"id", "name", "title", "notes", "metadata_created", "metadata_modified",
                            "license_id", "license_title", "license_url", "owner_org", "author",
                            "maintainer", "url", "version", "state", "type"}) {
    ASSERT_TRUE(package[field].is_string()) << field;
    EXPECT_FALSE(package[field].get<std::string>().empty()) << field;
  }
  EXPECT_EQ(package["id"], id);
  EXPECT_EQ(package["name"], id);
  EXPECT_EQ(package["license_id"], "cc-by");
  EXPECT_EQ(package["isopen"], true);
  EXPECT_EQ(package["private"], false);
  EXPECT_EQ(package["state"], "active");
  EXPECT_EQ(package["type"], "dataset");
  EXPECT_EQ(package["organization"]["name"], "inps");
  EXPECT_EQ(package["owner_org"], package["organization"]["id"]);
  EXPECT_EQ(package["groups"][0]["name"], "integrazioni-salariali");
  EXPECT_EQ(package["num_resources"], 5);
  EXPECT_EQ(package["num_tags"], package["tags"].size());
  EXPECT_EQ(package["version"], kRelease);
  EXPECT_THAT(package["metadata_created"].get<std::string>(),
              testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T00:00:00"));

  const Json& tag = package["tags"][0];
  EXPECT_TRUE(tag["id"].is_string());
  EXPECT_EQ(tag["display_name"], tag["name"]);
  EXPECT_EQ(tag["state"], "active");
  EXPECT_TRUE(tag["vocabulary_id"].is_null());

  std::map<std::string, std::string> extras;
  for (const Json& extra : package["extras"]) extras[extra["key"]] = extra["value"];
  EXPECT_EQ(extras["identifier"], "inps:" + id);
  EXPECT_EQ(extras["issued"], package["metadata_created"].get<std::string>().substr(0, 10));
  EXPECT_EQ(extras["modified"], package["metadata_modified"].get<std::string>().substr(0, 10));
  EXPECT_EQ(extras["temporal_start"], "2023-01-01");
  EXPECT_EQ(extras["temporal_end"], "2023-12-31");
  EXPECT_EQ(extras["holder_identifier"], "inps");
  EXPECT_EQ(extras["frequency"], "IRREG") << "an earlier year is revised irregularly";
  for (const char* key : {"theme", "holder_name", "publisher_name", "language"}) {
    EXPECT_FALSE(extras[key].empty()) << key;
  }
}

// A harvester asks for what changed since its last run (ckanext-harvest:
// fq=metadata_modified:[<last run - 1 h>Z TO *]): an update published at 10:00 must not read as
// midnight, or a harvest that ran at 02:00 that day skips it for good.
TEST_F(CkanApiTest, MetadataModifiedIsTheTimeOfTheReleaseThatUpdatedTheDataset) {
  const std::string id = "integrazioni-salariali-domande-storico";
  *snapshot_.releases[0].mutable_publication_date() = MakeDate(2025, 3, 1);
  for (v1::Dataset& dataset : snapshot_.datasets) {
    if (dataset.dataset_id() == id) *dataset.mutable_updated_on() = MakeDate(2025, 3, 1);
  }
  const Json package = Result("package_show", {{"id", id}});
  EXPECT_EQ(package["metadata_modified"], "2025-03-01T10:00:00");
  EXPECT_EQ(package["resources"][0]["last_modified"], "2025-03-01T10:00:00");
  const Json since = Result(
      "package_search", {{"fq", "metadata_modified:[2025-03-01T01:00:00Z TO *]"}, {"rows", "100"}});
  EXPECT_THAT(Names(since["results"]), ::testing::Contains(id));
}

TEST_F(CkanApiTest, ResourcesCarrySizeHashDatesAndThePublicUrl) {
  const std::string id = "integrazioni-salariali-domande-storico";
  const Json package = Result("package_show", {{"id", id}});
  std::set<std::string> ids;
  for (int position = 0; position < 5; ++position) {
    const Json& resource = package["resources"][position];
    EXPECT_EQ(resource["package_id"], id);
    EXPECT_EQ(resource["position"], position);
    EXPECT_EQ(resource["state"], "active");
    EXPECT_TRUE(resource["url_type"].is_null());
    EXPECT_GT(resource["size"].get<int64_t>(), 0);
    EXPECT_THAT(resource["hash"].get<std::string>(), testing::MatchesRegex("[0-9a-f]{64}"));
    EXPECT_EQ(resource["created"], package["metadata_created"]);
    EXPECT_EQ(resource["last_modified"], package["metadata_modified"]);
    EXPECT_EQ(resource["metadata_modified"], "2025-03-01T10:00:00");
    EXPECT_EQ(resource["url"], absl::StrCat(kBaseUrl, "/releases/", kRelease, "/", id, "/",
                                            resource["name"].get<std::string>()));
    EXPECT_FALSE(resource["description"].get<std::string>().empty());
    EXPECT_FALSE(resource["mimetype"].get<std::string>().empty());
    ids.insert(resource["id"]);
  }
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(package["resources"][0]["format"], "CSV");
  EXPECT_EQ(package["resources"][0]["mimetype"], "text/csv");
  EXPECT_EQ(package["resources"][4]["format"], "XLSX");
}

TEST_F(CkanApiTest, ResourceShowFindsAResourceByItsId) {
  const Json package = Result("package_show", {{"id", "integrazioni-salariali-domande-2024"}});
  const Json& resource = package["resources"][2];
  EXPECT_EQ(Result("resource_show", {{"id", resource["id"]}}), resource);
  EXPECT_EQ(Result("resource_show", {{"id", resource["name"]}}), resource);
  // Ids are stable: the same dataset and file give the same id in another snapshot.
  EXPECT_EQ(Result("resource_show", {{"id", resource["id"]}})["id"],
            Result("package_show",
                   {{"id", "integrazioni-salariali-domande-2024"}})["resources"][2]["id"]);
}

TEST_F(CkanApiTest, CurrentPackageListWithResourcesPagesByModification) {
  const Json first = Result("current_package_list_with_resources");
  ASSERT_EQ(first.size(), 10u);
  EXPECT_EQ(first[0]["resources"].size(), 5u);
  const Json sorted = Result("package_search", {{"rows", "50"}})["results"];
  EXPECT_EQ(first[0]["name"], sorted[0]["name"]);
  const Json page =
      Result("current_package_list_with_resources", {{"limit", "3"}, {"offset", "4"}});
  EXPECT_THAT(Names(page), ElementsAre(sorted[4]["name"], sorted[5]["name"], sorted[6]["name"]));
  const Json by_page =
      Result("current_package_list_with_resources", {{"limit", "3"}, {"page", "2"}});
  EXPECT_EQ(Names(by_page)[0], sorted[3]["name"]);
  EXPECT_EQ(Error(Get("current_package_list_with_resources", {{"page", "0"}}), 409)["page"],
            Json::array({"Must be a positive integer"}));
}

TEST_F(CkanApiTest, OrganizationsAndGroups) {
  EXPECT_EQ(Result("organization_list"), Json::array({"inps"}));
  EXPECT_EQ(Result("group_list"), Json::array({"integrazioni-salariali"}));

  const Json organization = Result("organization_show", {{"id", "inps"}});
  EXPECT_EQ(organization["package_count"], kDatasets);
  EXPECT_EQ(organization["is_organization"], true);
  EXPECT_EQ(organization["type"], "organization");
  EXPECT_FALSE(organization.contains("packages"));
  EXPECT_EQ(Result("organization_show", {{"id", organization["id"]}})["name"], "inps");
  EXPECT_EQ(Result("organization_show", {{"id", "inps"}, {"include_datasets", "true"}})["packages"]
                .size(),
            kDatasets);

  const Json group = Result("group_show", {{"id", "integrazioni-salariali"}});
  EXPECT_EQ(group["title"], "Integrazioni Salariali");
  EXPECT_EQ(group["package_count"], kDatasets);
  EXPECT_EQ(group["is_organization"], false);

  const Json all_fields = Result("group_list", {{"all_fields", "true"}});
  EXPECT_EQ(all_fields[0]["display_name"], "Integrazioni Salariali");
  EXPECT_EQ(Error(Get("group_list", {{"sort", "colour"}}), 409),
            Json::parse(R"({"__type": "Validation Error",
                            "message": "Cannot sort by field `colour`"})"));
}

TEST_F(CkanApiTest, TagsLicensesAndStatus) {
  const Json tags = Result("tag_list");
  EXPECT_TRUE(std::find(tags.begin(), tags.end(), "CIGO") != tags.end());
  EXPECT_TRUE(std::is_sorted(tags.begin(), tags.end()));
  EXPECT_EQ(Result("tag_list", {{"query", "stor"}}), Json::array({"serie storica", "storico"}));

  const Json licenses = Result("license_list");
  ASSERT_EQ(licenses.size(), 1u);
  EXPECT_EQ(licenses[0]["id"], "cc-by");
  EXPECT_EQ(licenses[0]["url"], "https://creativecommons.org/licenses/by/4.0/deed.it");

  const Json status = Result("status_show");
  EXPECT_THAT(status["ckan_version"].get<std::string>(), testing::StartsWith("2.10."));
  EXPECT_EQ(status["site_url"], kBaseUrl);
  EXPECT_TRUE(status["extensions"].is_array());
}

TEST_F(CkanApiTest, GetWithCallbackIsJsonp) {
  const CkanResponse response = Get("status_show", {{"callback", "cb"}});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/javascript;charset=utf-8");
  EXPECT_TRUE(response.body.starts_with("cb({")) << response.body;
  EXPECT_TRUE(response.body.ends_with("});"));
}

TEST_F(CkanApiTest, EveryActionAnswersWithTheEnvelope) {
  for (const std::string& action : ActionNames()) {
    const CkanResponse response = Get(action, {{"id", "inps"}, {"name", "package_show"}});
    const Json body = Json::parse(response.body);
    EXPECT_TRUE(body.contains("help")) << action;
    EXPECT_TRUE(body.contains("success")) << action;
  }
}

}  // namespace
}  // namespace omnia::ckan

#include "libs/ckan/ckan_api.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/base/string_view.h"
#include "libs/catalogue/text_fold.h"
#include "libs/ckan/package_dict.h"
#include "libs/ckan/params.h"
#include "libs/ckan/search.h"

namespace omnia::ckan {
namespace {

// package_search's rows: CKAN's default and its ckan.search.rows_max default.
constexpr int64_t kDefaultRows = 10;
constexpr int64_t kMaxRows = 1000;
// search.facets.limit's default.
constexpr int64_t kDefaultFacetLimit = 50;
// The CKAN release whose Action API this answers like.
constexpr char kCkanVersion[] = "2.10.4";

// What an action produced: a result, or the "error" object of a failure with its status.
struct Outcome {
  int status = 200;
  Json result;
  Json error;
};

Outcome Ok(Json result) { return Outcome{200, std::move(result), nullptr}; }

// NotFound: "Not found: <detail>", the shape CKAN's API view gives a NotFound with a message. The
// detail names what was looked for, never the id asked (it is not echoed back).
Outcome NotFound(std::string_view detail = "") {
  std::string message = "Not found";
  if (!detail.empty()) absl::StrAppend(&message, ": ", AsAbsl(detail));
  return Outcome{404, nullptr, Json{{"__type", "Not Found Error"}, {"message", message}}};
}

Outcome Invalid(Json fields) {
  fields["__type"] = "Validation Error";
  return Outcome{409, nullptr, std::move(fields)};
}

// CKAN's get_or_bust: the value, or a Validation Error {"<key>": ["Missing value"]} (it validates
// the keys with a schema, whose errors are lists, like every other field error).
std::optional<std::string> Required(const Json& data, std::string_view key, Outcome* error) {
  if (!data.contains(std::string(key))) {
    *error = Invalid(Json{{std::string(key), Json::array({"Missing value"})}});
    return std::nullopt;
  }
  return TextParam(data, key);
}

Outcome FromSearchStatus(const absl::Status& status) {
  return Outcome{409, nullptr,
                 Json{{"__type", "Search Error"},
                      {"message", absl::StrCat("Search error: ('SOLR returned an error running "
                                               "query: ",
                                               status.message(), "',)")}}};
}

// Everything an action reads: the snapshot and its package dicts, built once per call.
class Catalogue {
 public:
  explicit Catalogue(const CatalogueSnapshot& snapshot) : snapshot_(snapshot) {
    for (const v1::Dataset& dataset : snapshot.datasets) {
      if (dataset.release_id().empty()) continue;
      datasets_.push_back(&dataset);
      packages_.push_back(PackageDict(snapshot, dataset));
    }
  }

  const CatalogueSnapshot& snapshot() const { return snapshot_; }
  const CkanSite& site() const { return snapshot_.site; }
  const std::vector<const v1::Dataset*>& datasets() const { return datasets_; }
  const std::vector<Json>& packages() const { return packages_; }

  // By id or name, or by the DCAT-AP_IT identifier "<ipa_code>:<dataset_id>" (the
  // dct:identifier harvesters copy from the catalogue and may ask for).
  const Json* FindPackage(std::string_view id_or_name) const {
    const std::string prefix = site().ipa_code + ":";
    if (!site().ipa_code.empty() && absl::StartsWith(AsAbsl(id_or_name), prefix)) {
      id_or_name.remove_prefix(prefix.size());
    }
    for (const Json& package : packages_) {
      if (package["id"] == id_or_name || package["name"] == id_or_name) return &package;
    }
    return nullptr;
  }

  // Topics (groups) by group name.
  std::map<std::string, std::string> Topics() const {
    std::map<std::string, std::string> topics;
    for (const v1::Dataset* dataset : datasets_) {
      if (!dataset->topic().empty()) topics.emplace(GroupName(dataset->topic()), dataset->topic());
    }
    return topics;
  }

 private:
  const CatalogueSnapshot& snapshot_;
  std::vector<const v1::Dataset*> datasets_;
  std::vector<Json> packages_;
};

// --- package_list, package_search, current_package_list_with_resources ----------------------

template <typename T>
std::vector<T> Page(std::vector<T> all, int64_t offset, std::optional<int64_t> limit) {
  const size_t first = std::min(all.size(), static_cast<size_t>(std::max<int64_t>(0, offset)));
  size_t last = all.size();
  if (limit.has_value()) last = std::min(last, first + static_cast<size_t>(*limit));
  return std::vector<T>(std::make_move_iterator(all.begin() + first),
                        std::make_move_iterator(all.begin() + last));
}

Outcome PackageList(const Json& data, const Catalogue& catalogue) {
  FieldErrors errors;
  const std::optional<int64_t> limit = IntParam(data, "limit", IntRule::kNatural, &errors);
  const std::optional<int64_t> offset = IntParam(data, "offset", IntRule::kNatural, &errors);
  if (!errors.empty()) return Invalid(errors.json());
  std::vector<std::string> names;
  for (const Json& package : catalogue.packages()) names.push_back(package["name"]);
  std::sort(names.begin(), names.end());
  // As CKAN: a limit or offset of 0 means none.
  return Ok(
      Page(std::move(names), offset.value_or(0), limit.value_or(0) > 0 ? limit : std::nullopt));
}

// package_search's parameters (CKAN's default_package_search_schema and the Solr parameters it
// passes through); anything else is a Search Query Error.
bool IsSearchParameter(const std::string& key) {
  static const std::set<std::string> kKnown = {"q",
                                               "fq",
                                               "fq_list",
                                               "rows",
                                               "start",
                                               "sort",
                                               "facet",
                                               "facet.field",
                                               "facet.limit",
                                               "facet.mincount",
                                               "fl",
                                               "qf",
                                               "wt",
                                               "bf",
                                               "boost",
                                               "tie",
                                               "defType",
                                               "mm",
                                               "df",
                                               "extras",
                                               "include_private",
                                               "include_drafts",
                                               "include_deleted",
                                               "use_default_schema",
                                               "callback"};
  return kKnown.count(key) > 0 || absl::StartsWith(key, "ext_");
}

std::string PythonStringList(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const std::string& item : items) quoted.push_back(absl::StrCat("'", item, "'"));
  return absl::StrCat("[", absl::StrJoin(quoted, ", "), "]");
}

Json FacetDisplayName(const Catalogue& catalogue, const std::string& field,
                      const std::string& value) {
  if (field == "organization" && value == catalogue.site().organization_name) {
    return catalogue.site().organization_title;
  }
  if (field == "groups") {
    const auto topics = catalogue.Topics();
    auto it = topics.find(value);
    if (it != topics.end()) return it->second;
  }
  if (field == "license_id") {
    for (const v1::Dataset* dataset : catalogue.datasets()) {
      if (CkanLicenseId(dataset->license()) == value) return dataset->license().name();
    }
  }
  return value;
}

Json PickFields(const Json& package, const std::vector<std::string>& fields) {
  Json picked = Json::object();
  for (const std::string& field : fields) {
    if (package.contains(field)) picked[field] = package[field];
  }
  return picked;
}

// The search itself, shared by package_search and current_package_list_with_resources.
Outcome RunSearch(const Catalogue& catalogue, const SearchParams& params,
                  const std::vector<std::string>& fields) {
  absl::StatusOr<SearchResult> found = SearchPackages(catalogue.packages(), params);
  if (!found.ok()) return FromSearchStatus(found.status());
  Json results = Json::array();
  for (size_t index : found->page) {
    const Json& package = catalogue.packages()[index];
    results.push_back(fields.empty() ? package : PickFields(package, fields));
  }
  Json facets = Json::object();
  Json search_facets = Json::object();
  for (const FacetCounts& facet : found->facets) {
    Json counts = Json::object();
    std::vector<Json> items;
    for (const auto& [value, count] : facet.counts) {
      counts[value] = count;
      items.push_back(Json{{"name", value},
                           {"display_name", FacetDisplayName(catalogue, facet.field, value)},
                           {"count", count}});
    }
    // CKAN orders search_facets items by display name, descending.
    std::stable_sort(items.begin(), items.end(), [](const Json& a, const Json& b) {
      return a["display_name"].get<std::string>() > b["display_name"].get<std::string>();
    });
    facets[facet.field] = std::move(counts);
    search_facets[facet.field] = Json{{"title", facet.field}, {"items", items}};
  }
  return Ok(Json{{"count", found->count},
                 {"results", std::move(results)},
                 {"sort", params.sort},
                 {"facets", std::move(facets)},
                 {"search_facets", std::move(search_facets)}});
}

Outcome PackageSearch(const Json& data, const Catalogue& catalogue) {
  FieldErrors errors;
  SearchParams params;
  const std::optional<int64_t> rows = IntParam(data, "rows", IntRule::kNatural, &errors);
  const std::optional<int64_t> start = IntParam(data, "start", IntRule::kNatural, &errors);
  const std::optional<int64_t> mincount =
      IntParam(data, "facet.mincount", IntRule::kNatural, &errors);
  const std::optional<int64_t> facet_limit =
      IntParam(data, "facet.limit", IntRule::kInteger, &errors);
  std::optional<std::vector<std::string>> facet_fields =
      StringListParam(data, "facet.field", &errors);
  if (!errors.empty()) return Invalid(errors.json());

  std::vector<std::string> unknown;
  for (const auto& [key, value] : data.items()) {
    if (!IsSearchParameter(key)) unknown.push_back(key);
  }
  if (!unknown.empty()) {
    return Outcome{400, nullptr,
                   Json{{"__type", "Search Query Error"},
                        {"message", absl::StrCat("Search Query is invalid: (\"Invalid search "
                                                 "parameters: ",
                                                 PythonStringList(unknown), "\",)")}}};
  }

  params.q = TextParam(data, "q");
  if (data.contains("fq")) params.filter_queries.push_back(TextParam(data, "fq"));
  if (data.contains("fq_list")) {
    const Json& list = data["fq_list"];
    if (list.is_array()) {
      for (const Json& item : list) {
        if (item.is_string()) params.filter_queries.push_back(item.get<std::string>());
      }
    } else {
      params.filter_queries.push_back(TextParam(data, "fq_list"));
    }
  }
  params.rows = std::min(rows.value_or(kDefaultRows), kMaxRows);
  params.start = start.value_or(0);
  const std::string sort = TextParam(data, "sort");
  params.sort = sort.empty() || sort == "rank" ? std::string(kDefaultSort) : sort;
  const std::string facet = absl::AsciiStrToLower(TextParam(data, "facet"));
  params.facet = !(facet == "false" || facet == "off" || facet == "no" || facet == "0");
  params.facet_fields = facet_fields.value_or(std::vector<std::string>());
  params.facet_limit = facet_limit.value_or(kDefaultFacetLimit);
  params.facet_mincount = mincount.value_or(1);

  std::vector<std::string> fields;
  if (data.contains("fl")) {
    const Json& fl = data["fl"];
    std::vector<std::string> parts;
    if (fl.is_array()) {
      for (const Json& item : fl) parts.push_back(item.is_string() ? item.get<std::string>() : "");
    } else {
      parts.push_back(TextParam(data, "fl"));
    }
    for (const std::string& part : parts) {
      for (absl::string_view name :
           absl::StrSplit(part, absl::ByAnyChar(", "), absl::SkipEmpty())) {
        fields.emplace_back(name);
      }
    }
  }
  return RunSearch(catalogue, params, fields);
}

Outcome CurrentPackageListWithResources(const Json& data, const Catalogue& catalogue) {
  FieldErrors errors;
  const std::optional<int64_t> limit = IntParam(data, "limit", IntRule::kNatural, &errors);
  std::optional<int64_t> offset = IntParam(data, "offset", IntRule::kNatural, &errors);
  const std::optional<int64_t> page = IntParam(data, "page", IntRule::kPositive, &errors);
  if (!errors.empty()) return Invalid(errors.json());
  if (!data.contains("offset") && page.has_value()) {
    offset = limit.value_or(0) > 0 ? (*page - 1) * *limit : 0;
  }
  SearchParams params;
  params.rows = std::min(limit.value_or(kDefaultRows), kMaxRows);
  params.start = offset.value_or(0);
  Outcome outcome = RunSearch(catalogue, params, {});
  if (outcome.status == 200) outcome.result = std::move(outcome.result["results"]);
  return outcome;
}

// --- package_show, resource_show ---------------------------------------------------------------

Outcome PackageShow(const Json& data, const Catalogue& catalogue) {
  Outcome error;
  std::string id = TextParam(data, "id");
  if (id.empty()) {
    std::optional<std::string> name_or_id = Required(data, "name_or_id", &error);
    if (!name_or_id.has_value()) return error;
    id = *name_or_id;
  }
  const Json* package = catalogue.FindPackage(id);
  if (package == nullptr) return NotFound("Dataset not found");
  return Ok(*package);
}

Outcome ResourceShow(const Json& data, const Catalogue& catalogue) {
  Outcome error;
  const std::optional<std::string> id = Required(data, "id", &error);
  if (!id.has_value()) return error;
  for (const Json& package : catalogue.packages()) {
    for (const Json& resource : package["resources"]) {
      // The file name is accepted too: it is as stable and unique as the id.
      if (resource["id"] == *id || resource["name"] == *id) return Ok(resource);
    }
  }
  return NotFound("Resource was not found.");
}

// --- organizations and groups ------------------------------------------------------------------

struct GroupEntry {
  Json dict;  // as embedded in package dicts
  int64_t package_count = 0;
  std::vector<const Json*> packages;
};

std::vector<GroupEntry> GroupEntries(const Catalogue& catalogue, bool organizations) {
  std::vector<GroupEntry> entries;
  if (organizations) {
    GroupEntry organization{OrganizationDict(catalogue.site()), 0, {}};
    for (const Json& package : catalogue.packages()) organization.packages.push_back(&package);
    organization.package_count = static_cast<int64_t>(organization.packages.size());
    entries.push_back(std::move(organization));
    return entries;
  }
  for (const auto& [name, topic] : catalogue.Topics()) {
    GroupEntry group{GroupDict(catalogue.site(), topic), 0, {}};
    for (const Json& package : catalogue.packages()) {
      for (const Json& member : package["groups"]) {
        if (member["name"] == name) group.packages.push_back(&package);
      }
    }
    group.package_count = static_cast<int64_t>(group.packages.size());
    entries.push_back(std::move(group));
  }
  return entries;
}

// The dict of group_show / organization_show.
Json FullGroupDict(const GroupEntry& entry, bool organization, bool include_datasets) {
  Json dict = entry.dict;
  dict["display_name"] = dict["title"];
  dict["image_display_url"] = "";
  dict["image_url"] = "";
  dict["package_count"] = entry.package_count;
  dict["num_followers"] = 0;
  dict["is_organization"] = organization;
  dict["type"] = organization ? "organization" : "group";
  dict["state"] = "active";
  dict["approval_status"] = "approved";
  if (!dict.contains("created")) dict["created"] = "2020-01-01T00:00:00";
  dict["extras"] = Json::array();
  dict["tags"] = Json::array();
  dict["groups"] = Json::array();
  dict["users"] = Json::array();
  if (include_datasets) {
    Json packages = Json::array();
    for (const Json* package : entry.packages) packages.push_back(*package);
    dict["packages"] = std::move(packages);
  }
  return dict;
}

Outcome GroupList(const Json& data, const Catalogue& catalogue, bool organizations) {
  FieldErrors errors;
  const std::optional<int64_t> limit = IntParam(data, "limit", IntRule::kNatural, &errors);
  const std::optional<int64_t> offset = IntParam(data, "offset", IntRule::kNatural, &errors);
  if (!errors.empty()) return Invalid(errors.json());

  std::string sort = TextParam(data, "sort");
  if (sort.empty()) sort = "title";
  const std::string trimmed(absl::StripAsciiWhitespace(sort));
  if (trimmed == "packages" || trimmed == "package_count") sort = "package_count desc";
  const std::vector<std::string> parts = absl::StrSplit(sort, ',', absl::SkipWhitespace());
  if (parts.size() > 1) {
    return Invalid(Json{{"message", "Too many sort criteria provided only 1 allowed"}});
  }
  std::vector<std::string> words =
      absl::StrSplit(parts.empty() ? "title" : parts[0], ' ', absl::SkipEmpty());
  const std::string field = words.empty() ? "title" : words[0];
  const std::string direction = words.size() > 1 ? absl::AsciiStrToLower(words[1]) : "asc";
  if (field != "name" && field != "title" && field != "packages" && field != "package_count") {
    return Invalid(Json{{"message", absl::StrCat("Cannot sort by field `", field, "`")}});
  }
  if (direction != "asc" && direction != "desc") {
    return Invalid(Json{{"message", absl::StrCat("Invalid sort direction `", direction, "`")}});
  }

  std::vector<GroupEntry> entries = GroupEntries(catalogue, organizations);
  const std::string query = catalogue::FoldText(TextParam(data, "q"));
  std::optional<std::vector<std::string>> wanted;
  const char* names_key = organizations ? "organizations" : "groups";
  if (data.contains(names_key)) {
    FieldErrors ignored;
    wanted = StringListParam(data, names_key, &ignored);
    if (!wanted.has_value()) wanted = std::vector<std::string>{TextParam(data, names_key)};
  }
  std::erase_if(entries, [&](const GroupEntry& entry) {
    const std::string name = entry.dict["name"];
    if (wanted.has_value() && std::find(wanted->begin(), wanted->end(), name) == wanted->end()) {
      return true;
    }
    if (query.empty()) return false;
    return !absl::StrContains(
        catalogue::FoldText(absl::StrCat(name, " ", entry.dict["title"].get<std::string>(), " ",
                                         entry.dict["description"].get<std::string>())),
        query);
  });
  std::stable_sort(entries.begin(), entries.end(), [&](const GroupEntry& a, const GroupEntry& b) {
    if (field == "packages" || field == "package_count") {
      return direction == "desc" ? a.package_count > b.package_count
                                 : a.package_count < b.package_count;
    }
    const std::string x = a.dict[field];
    const std::string y = b.dict[field];
    return direction == "desc" ? x > y : x < y;
  });
  entries =
      Page(std::move(entries), offset.value_or(0), limit.value_or(0) > 0 ? limit : std::nullopt);

  const bool all_fields = BoolParam(data, "all_fields");
  Json result = Json::array();
  for (const GroupEntry& entry : entries) {
    result.push_back(all_fields ? FullGroupDict(entry, organizations, false) : entry.dict["name"]);
  }
  return Ok(std::move(result));
}

Outcome GroupShow(const Json& data, const Catalogue& catalogue, bool organization) {
  Outcome error;
  const std::optional<std::string> id = Required(data, "id", &error);
  if (!id.has_value()) return error;
  for (const GroupEntry& entry : GroupEntries(catalogue, organization)) {
    if (entry.dict["id"] == *id || entry.dict["name"] == *id) {
      return Ok(FullGroupDict(entry, organization, BoolParam(data, "include_datasets")));
    }
  }
  return NotFound(organization ? "Organization was not found." : "Group was not found.");
}

// --- tag_list, license_list, status_show, help_show -------------------------------------------

Outcome TagList(const Json& data, const Catalogue& catalogue) {
  const std::string vocabulary = TextParam(data, "vocabulary_id");
  if (!vocabulary.empty()) {
    return NotFound(absl::StrCat("could not find vocabulary '", vocabulary, "'"));
  }
  std::string query = TextParam(data, "query");
  if (query.empty()) query = TextParam(data, "q");
  const std::string folded_query = catalogue::FoldText(query);
  std::set<std::string> names;
  for (const v1::Dataset* dataset : catalogue.datasets()) {
    for (const std::string& keyword : dataset->keywords()) {
      if (folded_query.empty() || absl::StrContains(catalogue::FoldText(keyword), folded_query)) {
        names.insert(keyword);
      }
    }
  }
  const bool all_fields = BoolParam(data, "all_fields");
  Json result = Json::array();
  for (const std::string& name : names) {
    result.push_back(all_fields ? TagDict(name) : Json(name));
  }
  return Ok(std::move(result));
}

Outcome LicenseList(const Catalogue& catalogue) {
  std::map<std::string, Json> licenses;
  for (const v1::Dataset* dataset : catalogue.datasets()) {
    licenses.emplace(CkanLicenseId(dataset->license()), LicenseDict(dataset->license()));
  }
  Json result = Json::array();
  for (auto& [id, license] : licenses) result.push_back(std::move(license));
  return Ok(std::move(result));
}

Outcome StatusShow(const Catalogue& catalogue) {
  const CkanSite& site = catalogue.site();
  return Ok(Json{
      {"ckan_version", kCkanVersion},
      {"site_url", BaseUrl(site)},
      {"site_title", site.site_title},
      {"site_description", site.site_description},
      {"locale_default", "it"},
      {"error_emails_to", nullptr},
      // The catalogue also answers at ckanext-dcat's URLs (/catalog.ttl, /dataset/<id>.rdf).
      {"extensions", Json::array({"dcat", "omnia"})},
  });
}

using ActionFunction = std::function<Outcome(const Json&, const Catalogue&)>;

struct ActionSpec {
  ActionFunction run;
  const char* help;
};

const std::map<std::string, ActionSpec, std::less<>>& Actions();

Outcome HelpShow(const Json& data, const Catalogue&) {
  Outcome error;
  const std::optional<std::string> name = Required(data, "name", &error);
  if (!name.has_value()) return error;
  auto it = Actions().find(*name);
  if (it == Actions().end()) return NotFound("Action function not found");
  return Ok(it->second.help);
}

const std::map<std::string, ActionSpec, std::less<>>& Actions() {
  static const auto* const kActions = new std::map<std::string, ActionSpec, std::less<>>{
      {"package_list",
       {PackageList,
        "Return a list of the names of the site's datasets (packages).\n\n:param limit: at "
        "most this many names (optional)\n:param offset: skip this many names (optional)"}},
      {"package_search",
       {PackageSearch,
        "Search for datasets. Parameters: q (free text or field:value), fq (filters over "
        "organization, groups, tags, res_format, license_id), rows (default 10, at most 1000), "
        "start, sort (metadata_modified desc, title_string asc, name asc), facet.field (a JSON "
        "list), facet.limit (default 50), facet.mincount (default 1). Result: count, results, "
        "facets, search_facets, sort."}},
      {"package_show",
       {PackageShow,
        "Return the metadata of a dataset (package) and its resources.\n\n:param id: "
        "the id or name of the dataset"}},
      {"resource_show",
       {ResourceShow, "Return the metadata of a resource.\n\n:param id: the id of the resource"}},
      {"current_package_list_with_resources",
       {CurrentPackageListWithResources,
        "Return a list of the site's datasets and their resources, most recently modified "
        "first.\n\n:param limit: (optional, default 10)\n:param offset: (optional)"}},
      {"organization_list",
       {[](const Json& data, const Catalogue& catalogue) {
          return GroupList(data, catalogue, true);
        },
        "Return a list of the names of the site's organizations."}},
      {"organization_show",
       {[](const Json& data, const Catalogue& catalogue) {
          return GroupShow(data, catalogue, true);
        },
        "Return the details of an organization.\n\n:param id: the id or name"}},
      {"group_list",
       {[](const Json& data, const Catalogue& catalogue) {
          return GroupList(data, catalogue, false);
        },
        "Return a list of the names of the site's groups (the Argomento of the datasets)."}},
      {"group_show",
       {[](const Json& data, const Catalogue& catalogue) {
          return GroupShow(data, catalogue, false);
        },
        "Return the details of a group.\n\n:param id: the id or name"}},
      {"tag_list", {TagList, "Return a list of the site's tags.\n\n:param query: (optional)"}},
      {"license_list",
       {[](const Json&, const Catalogue& catalogue) { return LicenseList(catalogue); },
        "Return the list of licenses available for datasets on the site."}},
      {"status_show",
       {[](const Json&, const Catalogue& catalogue) { return StatusShow(catalogue); },
        "Return a dictionary with information about the site's configuration."}},
      {"help_show", {HelpShow, "Return the help string for a particular API action."}},
  };
  return *kActions;
}

// html.escape of a JSONP callback name.
std::string EscapeCallback(std::string_view callback) {
  std::string escaped;
  for (char c : callback) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#x27;";
        break;
      default:
        escaped.push_back(c);
    }
  }
  return escaped;
}

CkanResponse BadRequest(std::string_view detail) {
  return CkanResponse{400, "application/json;charset=utf-8",
                      DumpJson(Json(absl::StrCat("Bad request - ", AsAbsl(detail))))};
}

}  // namespace

CkanResponse HandleAction(std::string_view action, const CkanRequest& request,
                          const CatalogueSnapshot& snapshot) {
  auto it = Actions().find(action);
  if (it == Actions().end())
    return BadRequest(absl::StrCat("Action name not known: ", AsAbsl(action)));

  absl::StatusOr<Json> data = RequestData(request);
  if (!data.ok()) return BadRequest(std::string(data.status().message()));
  std::optional<std::string> callback;
  if (data->contains("callback")) {
    if (!request.is_post) callback = TextParam(*data, "callback");
    data->erase("callback");
  }

  const Catalogue catalogue(snapshot);
  Outcome outcome = it->second.run(*data, catalogue);
  Json envelope = {{"help", absl::StrCat(BaseUrl(snapshot.site),
                                         "/api/3/action/help_show?name=", AsAbsl(action))},
                   {"success", outcome.status == 200}};
  if (outcome.status == 200) {
    envelope["result"] = std::move(outcome.result);
  } else {
    envelope["error"] = std::move(outcome.error);
  }
  CkanResponse response{outcome.status, "application/json;charset=utf-8", DumpJson(envelope)};
  if (callback.has_value() && response.status == 200) {
    response.body = absl::StrCat(EscapeCallback(*callback), "(", response.body, ");");
    response.content_type = "application/javascript;charset=utf-8";
  }
  return response;
}

std::vector<std::string> ActionNames() {
  std::vector<std::string> names;
  for (const auto& [name, spec] : Actions()) names.push_back(name);
  return names;
}

}  // namespace omnia::ckan

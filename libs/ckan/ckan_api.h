// The read-only CKAN 2.10 Action API over the published catalogue, for CKAN clients (ckanapi,
// the dati.gov.it harvester, scripts written against INPS's own CKAN portal).
//
// Pure computation: the HTTP layer collects the catalogue's state into a CatalogueSnapshot (the
// datasets of the latest release with their attachments, the releases) and calls HandleAction
// for every request to /api/3/action/{action} (or /api/action/{action}), then sends back the
// status, content type and body it returns. No network, no clock, no global state.
//
// What CKAN clients see, as CKAN 2.10 answers:
//   success   200 {"help": "<base>/api/3/action/help_show?name=<action>", "success": true,
//                  "result": ...}
//   404       {"help": ..., "success": false,
//              "error": {"__type": "Not Found Error", "message": "Not found"}}
//             (": <detail>" is appended when CKAN gives one, e.g. help_show of an unknown name)
//   409       {"help": ..., "success": false,
//              "error": {"__type": "Validation Error", "<field>": ["<message>"], ...}}
//             (parameter validation, e.g. "rows": ["Invalid integer"]; a missing id is
//             "<field>": ["Missing value"], as CKAN 2.10's get_or_bust reports it)
//   409       {"__type": "Search Error", "message": "Search error: ..."} for a sort or fq field
//             the search index does not have
//   400       {"__type": "Search Query Error", "message": "Search Query is invalid: ..."} for an
//             unknown package_search parameter
//   400       a bare JSON string for an unknown action, "Bad request - Action name not known:
//             <action>", or a body that is not a JSON object, "Bad request - JSON Error: ..."
//
// Parameters follow CKAN's request parsing: query-string parameters when there are any (a name
// given several times becomes a list), otherwise the POST body as a JSON object; integers may be
// JSON numbers or decimal strings; package_search's facet.field is a JSON list or a string
// holding one. A GET with `callback` gets JSONP (application/javascript) on success.
//
// Actions: package_list, package_search, package_show, resource_show,
// current_package_list_with_resources, organization_list, organization_show, group_list,
// group_show, tag_list, license_list, status_show, help_show. Datasets are packages (id = name =
// dataset_id); their attachments are resources; the publisher is the one organization; each
// Argomento (topic) is a group; keywords are tags. See package_dict.h for the dictionaries.
#ifndef OMNIA_LIBS_CKAN_CKAN_API_H_
#define OMNIA_LIBS_CKAN_CKAN_API_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "omnia/v1/catalogue.pb.h"

namespace omnia::ckan {

// Deployment settings that appear in the API's answers.
struct CkanSite {
  // What every URL in a response starts with, e.g. "https://dati.inps.example"; no trailing
  // slash needed (one is removed).
  std::string public_base_url = "http://localhost:8080";
  // IPA code of the publisher: dataset identifiers are "<ipa_code>:<dataset_id>".
  std::string ipa_code = "inps";
  // The organization (CKAN name, a slug) and its display title and description.
  std::string organization_name = "inps";
  std::string organization_title = "INPS - Istituto Nazionale della Previdenza Sociale";
  std::string organization_description =
      "Istituto Nazionale della Previdenza Sociale: dati aperti sulle integrazioni salariali.";
  // Contact address shown as author/maintainer e-mail.
  std::string contact_email = "";
  // EU data-theme code of every dataset (http://publications.europa.eu/resource/authority/
  // data-theme/<code>).
  std::string theme = "ECON";
  // status_show's site_title and site_description.
  std::string site_title = "omnia - Open data INPS sulle integrazioni salariali";
  std::string site_description =
      "Dati aperti INPS sulle integrazioni salariali (CIGO, CIGS, CIG in deroga, FIS, fondi di "
      "solidarietà).";
};

// The catalogue as the API describes it.
struct CatalogueSnapshot {
  CkanSite site;
  // The datasets of the latest release, with their attachments (CatalogueService.ListDatasets or
  // GetDataset). Datasets never published (no release_id) are not listed.
  std::vector<v1::Dataset> datasets;
  // The releases, newest first (CatalogueService.ListReleases). Optional: used for resources'
  // metadata_modified (the time their release was recorded).
  std::vector<v1::Release> releases;
  // The codelists (CatalogueService.ListCodelists). Optional for the Action API; the Data
  // Package (datapackage.h) takes its enums from them.
  v1::ListCodelistsResponse codelists;
};

// One request to the Action API as the HTTP layer received it.
struct CkanRequest {
  // Query-string parameters, percent-decoded, in order; a name may repeat.
  std::vector<std::pair<std::string, std::string>> query_params;
  // The request body of a POST (a JSON object); empty for a GET.
  std::string body;
  // True for POST. A GET with a `callback` parameter is answered as JSONP.
  bool is_post = false;
};

// What to send back.
struct CkanResponse {
  int status = 200;
  std::string content_type = "application/json;charset=utf-8";
  std::string body;
};

// Answers one Action API call. `action` is the last path segment, e.g. "package_search".
// Never fails: every error is a CKAN error response (see the top of this file).
CkanResponse HandleAction(std::string_view action, const CkanRequest& request,
                          const CatalogueSnapshot& snapshot);

// The action names served, sorted.
std::vector<std::string> ActionNames();

}  // namespace omnia::ckan

#endif  // OMNIA_LIBS_CKAN_CKAN_API_H_

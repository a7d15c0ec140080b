// CKAN's dictionaries of the catalogue: a dataset as a package, an attachment as a resource, the
// publisher as the organization, an Argomento (topic) as a group, a keyword as a tag, the
// licence. Field names and value shapes are those of CKAN 2.10's package_show, with the
// DCAT-AP_IT fields (as ckanext-dcatapit names them) in `extras`.
//
// Identifiers are stable across releases: a package's id and name are the dataset id; a
// resource's id is a UUID-shaped digest of dataset id and file name; the organization, groups and
// tags have UUID-shaped digests of their names as ids and slugs as names.
#ifndef OMNIA_LIBS_CKAN_PACKAGE_DICT_H_
#define OMNIA_LIBS_CKAN_PACKAGE_DICT_H_

#include <string>
#include <string_view>

#include "libs/ckan/ckan_api.h"
#include "nlohmann/json.hpp"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::ckan {

using Json = nlohmann::json;

// public_base_url without a trailing slash.
std::string BaseUrl(const CkanSite& site);

// A UUID-shaped (8-4-4-4-12 lowercase hex) digest of kind and key: the same inputs always give
// the same id, different kinds never collide in practice.
std::string StableId(std::string_view kind, std::string_view key);

// CKAN name of a group for a topic: folded to lowercase ASCII letters and digits, words joined by
// '-', e.g. "Integrazioni Salariali" -> "integrazioni-salariali".
std::string GroupName(std::string_view topic);

// CKAN licence id of a licence: "cc-by" for CC-BY-4.0, "cc-by-sa" for CC-BY-SA-4.0, "cc-zero" for
// CC0-1.0, "odc-by" for ODC-By-1.0; otherwise the SPDX id in lowercase.
std::string CkanLicenseId(const v1::License& license);

// The resource format CKAN users filter by (res_format): "CSV", "JSON", "JSON-stat", "XML",
// "XLSX".
std::string ResourceFormat(v1::Format format);

// The resource id of an attachment (StableId of dataset id and file name).
std::string ResourceId(const v1::Dataset& dataset, const v1::Attachment& attachment);

// The public download URL: <base>/releases/<release_id>/<dataset_id>/<file_name>.
std::string ResourceUrl(const CkanSite& site, const v1::Dataset& dataset,
                        const v1::Attachment& attachment);

// A calendar date as CKAN writes timestamps, "2024-03-15T00:00:00".
std::string CkanTimestamp(const v1::Date& date);

// Date as "2024-03-15" (the DCAT-AP_IT extras).
std::string IsoDate(const v1::Date& date);

// The resource dict of dataset.attachments(position).
Json ResourceDict(const CatalogueSnapshot& snapshot, const v1::Dataset& dataset, int position);

// The package dict of a dataset, as package_show returns it.
Json PackageDict(const CatalogueSnapshot& snapshot, const v1::Dataset& dataset);

// The organization as embedded in a package dict (organization_show adds to it).
Json OrganizationDict(const CkanSite& site);

// A group as embedded in a package dict (group_show adds to it).
Json GroupDict(const CkanSite& site, std::string_view topic);

// A tag dict: id, name, display_name, state, vocabulary_id (null).
Json TagDict(std::string_view keyword);

// A licence as license_list returns it.
Json LicenseDict(const v1::License& license);

}  // namespace omnia::ckan

#endif  // OMNIA_LIBS_CKAN_PACKAGE_DICT_H_

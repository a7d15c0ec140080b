#include "libs/ckan/package_dict.h"

#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "libs/base/sha256.h"
#include "libs/base/string_view.h"
#include "libs/catalogue/text_fold.h"

namespace omnia::ckan {
namespace {

// Proprietario del dato and publisher of every dataset when the dataset names no owner.
constexpr std::string_view kDefaultOwner = "INPS";

std::string MonthString(const v1::YearMonth& month, bool last_day) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int day = 1;
  if (last_day && month.month() >= 1 && month.month() <= 12) {
    const int year = month.year();
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    day = kDays[month.month() - 1] + (month.month() == 2 && leap ? 1 : 0);
  }
  return absl::StrFormat("%04d-%02d-%02d", month.year(), month.month(), day);
}

// A Timestamp as CKAN writes them: naive UTC, microseconds when not zero.
std::string TimestampString(const google::protobuf::Timestamp& time) {
  const absl::Time instant =
      absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos());
  const int64_t micros = time.nanos() / 1000;
  std::string text = absl::FormatTime("%Y-%m-%dT%H:%M:%S", instant, absl::UTCTimeZone());
  if (micros != 0) absl::StrAppend(&text, absl::StrFormat(".%06d", micros));
  return text;
}

// The media type without parameters ("text/csv; charset=utf-8" -> "text/csv").
std::string BareMediaType(std::string_view media_type) {
  return std::string(
      absl::StripAsciiWhitespace(AsAbsl(media_type.substr(0, media_type.find(';')))));
}

std::string FormatLabel(v1::Format format) {
  switch (format) {
    case v1::FORMAT_CSV:
      return "CSV";
    case v1::FORMAT_JSON:
      return "JSON";
    case v1::FORMAT_JSON_STAT:
      return "JSON-stat 2.0";
    case v1::FORMAT_XML:
      return "XML";
    case v1::FORMAT_XLSX:
      return "foglio di calcolo XLSX";
    default:
      return "file";
  }
}

// When the release of the dataset was recorded; Aggiornato when the release is not listed.
std::string ReleaseTime(const CatalogueSnapshot& snapshot, const v1::Dataset& dataset) {
  for (const v1::Release& release : snapshot.releases) {
    if (release.release_id() == dataset.release_id() && release.has_create_time()) {
      return TimestampString(release.create_time());
    }
  }
  return CkanTimestamp(dataset.updated_on());
}

// When the dataset's content last changed, to the second: the time of the latest release
// recorded on its updated_on date, up to the release it is shown at. A date alone (midnight)
// would put an update published in the afternoon before a harvester's "modified since the last
// run" bound, and the harvester would never fetch it.
std::string UpdateTime(const CatalogueSnapshot& snapshot, const v1::Dataset& dataset) {
  bool reached = false;
  for (const v1::Release& release : snapshot.releases) {  // newest first
    reached = reached || release.release_id() == dataset.release_id();
    if (!reached || !release.has_create_time()) continue;
    const v1::Date& date = release.publication_date();
    const v1::Date& updated = dataset.updated_on();
    if (date.year() == updated.year() && date.month() == updated.month() &&
        date.day() == updated.day()) {
      return TimestampString(release.create_time());
    }
  }
  return CkanTimestamp(dataset.updated_on());
}

std::string Owner(const v1::Dataset& dataset) {
  return dataset.owner().empty() ? std::string(kDefaultOwner) : dataset.owner();
}

Json Extra(std::string_view key, std::string_view value) {
  return Json{{"key", key}, {"value", value}};
}

// The DCAT-AP_IT fields, named as ckanext-dcatapit names them.
Json Extras(const CatalogueSnapshot& snapshot, const v1::Dataset& dataset) {
  const CkanSite& site = snapshot.site;
  Json extras = Json::array();
  extras.push_back(Extra("identifier", absl::StrCat(site.ipa_code, ":", dataset.dataset_id())));
  extras.push_back(Extra("issued", IsoDate(dataset.published_on())));
  extras.push_back(Extra("modified", IsoDate(dataset.updated_on())));
  extras.push_back(Extra("theme", site.theme));
  extras.push_back(Extra("frequency", dataset.update_frequency()));
  extras.push_back(Extra("temporal_start", MonthString(dataset.coverage().first(), false)));
  extras.push_back(Extra("temporal_end", MonthString(dataset.coverage().last(), true)));
  extras.push_back(Extra("holder_name", Owner(dataset)));
  extras.push_back(Extra("holder_identifier", site.ipa_code));
  extras.push_back(Extra("publisher_name", Owner(dataset)));
  extras.push_back(Extra("publisher_identifier", site.ipa_code));
  extras.push_back(Extra("language", "ITA"));
  extras.push_back(Extra("geographical_name", "ITA"));
  extras.push_back(Extra("geographical_geonames_url", "http://www.geonames.org/3175395"));
  extras.push_back(Extra("topic", dataset.topic()));
  extras.push_back(Extra("source", dataset.source()));
  extras.push_back(Extra("measure", dataset.measure().code()));
  extras.push_back(Extra("release_id", dataset.release_id()));
  return extras;
}

}  // namespace

std::string BaseUrl(const CkanSite& site) {
  std::string_view base = site.public_base_url;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  return std::string(base);
}

std::string StableId(std::string_view kind, std::string_view key) {
  const std::string hex = Sha256Hex(absl::StrCat(AsAbsl(kind), "\n", AsAbsl(key)));
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20, 12));
}

std::string GroupName(std::string_view topic) {
  std::string name;
  for (const std::string& word : catalogue::FoldedWords(topic)) {
    std::string kept;
    for (char c : word) {
      if (absl::ascii_isalnum(static_cast<unsigned char>(c))) kept.push_back(c);
    }
    if (kept.empty()) continue;
    if (!name.empty()) name.push_back('-');
    name += kept;
  }
  return name;
}

std::string CkanLicenseId(const v1::License& license) {
  const std::string spdx = absl::AsciiStrToUpper(license.id());
  if (spdx == "CC-BY-4.0") return "cc-by";
  if (spdx == "CC-BY-SA-4.0") return "cc-by-sa";
  if (spdx == "CC0-1.0") return "cc-zero";
  if (spdx == "ODC-BY-1.0") return "odc-by";
  return absl::AsciiStrToLower(license.id());
}

std::string ResourceFormat(v1::Format format) {
  switch (format) {
    case v1::FORMAT_CSV:
      return "CSV";
    case v1::FORMAT_JSON:
      return "JSON";
    case v1::FORMAT_JSON_STAT:
      return "JSON-stat";
    case v1::FORMAT_XML:
      return "XML";
    case v1::FORMAT_XLSX:
      return "XLSX";
    default:
      return "";
  }
}

std::string ResourceId(const v1::Dataset& dataset, const v1::Attachment& attachment) {
  return StableId("resource", absl::StrCat(dataset.dataset_id(), "/", attachment.file_name()));
}

std::string ResourceUrl(const CkanSite& site, const v1::Dataset& dataset,
                        const v1::Attachment& attachment) {
  return absl::StrCat(BaseUrl(site), "/releases/", dataset.release_id(), "/", dataset.dataset_id(),
                      "/", attachment.file_name());
}

std::string CkanTimestamp(const v1::Date& date) { return absl::StrCat(IsoDate(date), "T00:00:00"); }

std::string IsoDate(const v1::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

Json ResourceDict(const CatalogueSnapshot& snapshot, const v1::Dataset& dataset, int position) {
  const v1::Attachment& attachment = dataset.attachments(position);
  return Json{
      {"id", ResourceId(dataset, attachment)},
      {"package_id", dataset.dataset_id()},
      {"url", ResourceUrl(snapshot.site, dataset, attachment)},
      {"url_type", nullptr},
      {"name", attachment.file_name()},
      {"description",
       absl::StrCat(dataset.title(), ". File ", FormatLabel(attachment.format()), ", ",
                    attachment.rows(), " righe di dati; release ", dataset.release_id(), ".")},
      {"format", ResourceFormat(attachment.format())},
      {"mimetype", BareMediaType(attachment.media_type())},
      {"mimetype_inner", nullptr},
      {"size", attachment.size_bytes()},
      {"hash", attachment.sha256()},
      {"hash_algorithm", "sha256"},
      {"created", CkanTimestamp(dataset.published_on())},
      {"last_modified", UpdateTime(snapshot, dataset)},
      {"metadata_modified", ReleaseTime(snapshot, dataset)},
      {"position", position},
      {"state", "active"},
      {"resource_type", nullptr},
      {"cache_url", nullptr},
      {"cache_last_updated", nullptr},
      {"datastore_active", false},
      {"rows", attachment.rows()},
  };
}

Json OrganizationDict(const CkanSite& site) {
  return Json{
      {"id", StableId("organization", site.organization_name)},
      {"name", site.organization_name},
      {"title", site.organization_title},
      {"type", "organization"},
      {"description", site.organization_description},
      {"image_url", ""},
      {"created", "2020-01-01T00:00:00"},
      {"is_organization", true},
      {"approval_status", "approved"},
      {"state", "active"},
  };
}

Json GroupDict(const CkanSite& site, std::string_view topic) {
  const std::string name = GroupName(topic);
  return Json{
      {"id", StableId("group", name)},
      {"name", name},
      {"title", topic},
      {"display_name", topic},
      {"description", absl::StrCat("Dati aperti di ", site.organization_title, " sull'argomento ",
                                   AsAbsl(topic), ".")},
      {"image_display_url", ""},
  };
}

Json TagDict(std::string_view keyword) {
  return Json{
      {"id", StableId("tag", keyword)}, {"name", keyword},
      {"display_name", keyword},        {"state", "active"},
      {"vocabulary_id", nullptr},
  };
}

Json LicenseDict(const v1::License& license) {
  return Json{
      {"id", CkanLicenseId(license)},
      {"title", license.name()},
      {"url", license.url()},
      {"status", "active"},
      {"maintainer", ""},
      {"family", ""},
      {"domain_content", true},
      {"domain_data", true},
      {"domain_software", false},
      {"is_generic", false},
      {"od_conformance", "approved"},
      {"osd_conformance", "not reviewed"},
      {"spdx_id", license.id()},
  };
}

Json PackageDict(const CatalogueSnapshot& snapshot, const v1::Dataset& dataset) {
  const CkanSite& site = snapshot.site;
  Json resources = Json::array();
  for (int i = 0; i < dataset.attachments_size(); ++i) {
    resources.push_back(ResourceDict(snapshot, dataset, i));
  }
  Json tags = Json::array();
  for (const std::string& keyword : dataset.keywords()) tags.push_back(TagDict(keyword));
  Json groups = Json::array();
  if (!dataset.topic().empty()) groups.push_back(GroupDict(site, dataset.topic()));
  const Json organization = OrganizationDict(site);
  const std::string& contact = site.contact_email;
  return Json{
      {"id", dataset.dataset_id()},
      {"name", dataset.dataset_id()},
      {"title", dataset.title()},
      {"notes", dataset.description()},
      {"type", "dataset"},
      {"state", "active"},
      {"private", false},
      {"metadata_created", CkanTimestamp(dataset.published_on())},
      {"metadata_modified", UpdateTime(snapshot, dataset)},
      {"license_id", CkanLicenseId(dataset.license())},
      {"license_title", dataset.license().name()},
      {"license_url", dataset.license().url()},
      {"isopen", true},
      {"organization", organization},
      {"owner_org", organization["id"]},
      {"creator_user_id", StableId("user", site.organization_name)},
      {"author", Owner(dataset)},
      {"author_email", contact},
      {"maintainer", Owner(dataset)},
      {"maintainer_email", contact},
      {"url", absl::StrCat(BaseUrl(site), "/dataset/", dataset.dataset_id())},
      {"version", dataset.release_id()},
      {"groups", groups},
      {"tags", tags},
      {"num_tags", tags.size()},
      {"extras", Extras(snapshot, dataset)},
      {"resources", resources},
      {"num_resources", resources.size()},
      {"relationships_as_object", Json::array()},
      {"relationships_as_subject", Json::array()},
  };
}

}  // namespace omnia::ckan

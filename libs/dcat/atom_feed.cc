// The Atom 1.0 feed of releases (RFC 4287).
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "libs/dcat/dcat.h"
#include "libs/dcat/internal/urls.h"
#include "libs/dcat/internal/xml_writer.h"

namespace omnia::dcat {
namespace {

using omnia::v1::DatasetChange;
using omnia::v1::Release;

constexpr absl::string_view kAtomNamespace = "http://www.w3.org/2005/Atom";
constexpr absl::string_view kEpoch = "1970-01-01T00:00:00Z";

bool HasTime(const Release& release) {
  return release.create_time().seconds() != 0 || release.create_time().nanos() != 0;
}

// RFC 3339 in UTC, to the second.
std::string Rfc3339(const Release& release) {
  if (!HasTime(release)) {
    const omnia::v1::Date& date = release.publication_date();
    return absl::StrFormat("%04d-%02d-%02dT00:00:00Z", date.year(), date.month(), date.day());
  }
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(release.create_time().seconds()),
                          absl::UTCTimeZone());
}

// The date part of a tag URI (RFC 4151): the publication date, else the recording date.
std::string TagDate(const Release& release) {
  const omnia::v1::Date& date = release.publication_date();
  if (date.year() != 0) {
    return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
  }
  return Rfc3339(release).substr(0, 10);
}

std::string EntryTitle(const Release& release) {
  std::string title = absl::StrCat("Rilascio ", release.release_id());
  if (!release.description().empty()) absl::StrAppend(&title, ": ", release.description());
  return title;
}

std::string ChangeLine(const DatasetChange& change) {
  const absl::string_view verb =
      change.kind() == omnia::v1::CHANGE_KIND_ADDED ? "Aggiunto" : "Aggiornato";
  return absl::StrCat(verb, ": ", change.title(), " (", change.dataset_id(), ")");
}

// Plain text: how many datasets the release added and updated, then one line per dataset.
std::string Summary(const Release& release) {
  int added = 0;
  int updated = 0;
  for (const DatasetChange& change : release.changes()) {
    (change.kind() == omnia::v1::CHANGE_KIND_ADDED ? added : updated)++;
  }
  std::vector<std::string> lines = {absl::StrCat("Dataset aggiunti: ", added,
                                                 "; aggiornati: ", updated,
                                                 "; nel catalogo: ", release.dataset_count(), ".")};
  for (const DatasetChange& change : release.changes()) lines.push_back(ChangeLine(change));
  return absl::StrJoin(lines, "\n");
}

void Link(internal::XmlWriter& xml, absl::string_view rel, absl::string_view type,
          absl::string_view href, absl::string_view title = "") {
  xml.StartElement("link");
  xml.Attribute("rel", rel);
  xml.Attribute("type", type);
  xml.Attribute("href", href);
  if (!title.empty()) xml.Attribute("title", title);
  xml.EndElement();
}

void WriteEntry(internal::XmlWriter& xml, const internal::Urls& urls, const Release& release) {
  xml.StartElement("entry");
  xml.Element("id", absl::StrCat("tag:", urls.Host(), ",", TagDate(release), ":release/",
                                 release.release_id()));
  xml.Element("title", EntryTitle(release));
  xml.Element("updated", Rfc3339(release));
  xml.Element("published", Rfc3339(release));
  Link(xml, "alternate", "text/plain", urls.ReleaseChecksums(release.release_id()));
  for (const DatasetChange& change : release.changes()) {
    Link(xml, "related", "text/turtle", urls.DatasetDocument(change.dataset_id(), "ttl"),
         change.title());
  }
  xml.StartElement("summary");
  xml.Attribute("type", "text");
  xml.Text(Summary(release));
  xml.EndElement();
  xml.EndElement();
}

}  // namespace

absl::StatusOr<Document> ReleasesFeed(const CatalogSnapshot& snapshot,
                                      const CatalogConfig& config) {
  if (absl::StripSuffix(config.public_base_url, "/").empty()) {
    return absl::InvalidArgumentError("public_base_url is empty");
  }
  const internal::Urls urls(config.public_base_url);
  std::string updated(kEpoch);
  for (const Release& release : snapshot.releases) {
    updated = std::max(updated, Rfc3339(release));
  }
  internal::XmlWriter xml;
  xml.StartElement("feed");
  xml.Attribute("xmlns", kAtomNamespace);
  xml.Attribute("xml:lang", "it");
  xml.Element("id", urls.ReleasesFeed());
  xml.Element("title", absl::StrCat(config.catalog_title, ": rilasci"));
  xml.Element("updated", updated);
  xml.StartElement("author");
  xml.Element("name", config.organisation_name);
  if (!config.contact_url.empty()) xml.Element("uri", config.contact_url);
  if (!config.contact_email.empty()) xml.Element("email", config.contact_email);
  xml.EndElement();
  Link(xml, "self", "application/atom+xml", urls.ReleasesFeed());
  Link(xml, "alternate", "text/turtle", urls.CatalogPage("ttl", 1));
  for (const Release& release : snapshot.releases) WriteEntry(xml, urls, release);
  absl::StatusOr<std::string> body = xml.Finish();
  if (!body.ok()) return body.status();
  return Document{*std::move(body), "application/atom+xml; charset=utf-8"};
}

}  // namespace omnia::dcat

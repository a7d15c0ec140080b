// The public URLs of the catalogue's documents and files, all under the deployment's base URL.
// These must match the routes the HTTP gateway serves.
#ifndef OMNIA_LIBS_DCAT_INTERNAL_URLS_H_
#define OMNIA_LIBS_DCAT_INTERNAL_URLS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace omnia::dcat::internal {

class Urls {
 public:
  // `base_url` without its trailing '/', e.g. "https://dati.inps.it/opendata".
  explicit Urls(absl::string_view base_url);

  // B/ : the catalogue's home page.
  std::string Home() const;
  // B/catalog : the catalogue's identifier.
  std::string Catalog() const;
  // B/catalog.EXT?page=N
  std::string CatalogPage(absl::string_view extension, int page) const;
  // B/dataset/D
  std::string Dataset(absl::string_view dataset_id) const;
  // B/dataset/D.EXT
  std::string DatasetDocument(absl::string_view dataset_id, absl::string_view extension) const;
  // B/dataset/D/resource/F : a distribution's identifier.
  std::string Distribution(absl::string_view dataset_id, absl::string_view file_name) const;
  // B/dataset/D/F : the file at the latest release.
  std::string LatestFile(absl::string_view dataset_id, absl::string_view file_name) const;
  // B/releases/R/D/F : the file of one release (immutable).
  std::string ReleaseFile(absl::string_view release_id, absl::string_view dataset_id,
                          absl::string_view file_name) const;
  // B/releases/R/SHA256SUMS
  std::string ReleaseChecksums(absl::string_view release_id) const;
  // B/releases.atom
  std::string ReleasesFeed() const;
  // B/organization/IPA
  std::string Organisation(absl::string_view ipa_code) const;
  // B/organization/IPA/contact
  std::string ContactPoint(absl::string_view ipa_code) const;
  // The host name of the base URL, without user info or port, e.g. "dati.inps.it".
  std::string Host() const;

 private:
  std::string base_;
};

// Percent-encodes every byte of a path segment outside RFC 3986's unreserved set.
std::string EncodePathSegment(absl::string_view segment);

}  // namespace omnia::dcat::internal

#endif  // OMNIA_LIBS_DCAT_INTERNAL_URLS_H_

#include "libs/dcat/internal/urls.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace omnia::dcat::internal {

Urls::Urls(absl::string_view base_url) : base_(absl::StripSuffix(base_url, "/")) {}

std::string Urls::Home() const { return absl::StrCat(base_, "/"); }
std::string Urls::Catalog() const { return absl::StrCat(base_, "/catalog"); }
std::string Urls::CatalogPage(absl::string_view extension, int page) const {
  return absl::StrCat(base_, "/catalog.", extension, "?page=", page);
}
std::string Urls::Dataset(absl::string_view dataset_id) const {
  return absl::StrCat(base_, "/dataset/", EncodePathSegment(dataset_id));
}
std::string Urls::DatasetDocument(absl::string_view dataset_id, absl::string_view extension) const {
  return absl::StrCat(Dataset(dataset_id), ".", extension);
}
std::string Urls::Distribution(absl::string_view dataset_id, absl::string_view file_name) const {
  return absl::StrCat(Dataset(dataset_id), "/resource/", EncodePathSegment(file_name));
}
std::string Urls::LatestFile(absl::string_view dataset_id, absl::string_view file_name) const {
  return absl::StrCat(Dataset(dataset_id), "/", EncodePathSegment(file_name));
}
std::string Urls::ReleaseFile(absl::string_view release_id, absl::string_view dataset_id,
                              absl::string_view file_name) const {
  return absl::StrCat(base_, "/releases/", EncodePathSegment(release_id), "/",
                      EncodePathSegment(dataset_id), "/", EncodePathSegment(file_name));
}
std::string Urls::ReleaseChecksums(absl::string_view release_id) const {
  return absl::StrCat(base_, "/releases/", EncodePathSegment(release_id), "/SHA256SUMS");
}
std::string Urls::ReleasesFeed() const { return absl::StrCat(base_, "/releases.atom"); }
std::string Urls::Organisation(absl::string_view ipa_code) const {
  return absl::StrCat(base_, "/organization/", EncodePathSegment(ipa_code));
}
std::string Urls::ContactPoint(absl::string_view ipa_code) const {
  return absl::StrCat(Organisation(ipa_code), "/contact");
}

std::string Urls::Host() const {
  absl::string_view rest = base_;
  const size_t scheme = rest.find("://");
  if (scheme != absl::string_view::npos) rest.remove_prefix(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != absl::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') {  // an IPv6 literal keeps its brackets
    return std::string(rest.substr(0, rest.find(']') + 1));
  }
  return absl::AsciiStrToLower(rest.substr(0, rest.find(':')));
}

std::string EncodePathSegment(absl::string_view segment) {
  std::string encoded;
  for (const char c : segment) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded += c;
    } else {
      encoded += absl::StrFormat("%%%02X", static_cast<unsigned char>(c));
    }
  }
  return encoded;
}

}  // namespace omnia::dcat::internal

#include "libs/catalogue/public_urls.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/base/string_view.h"

namespace omnia::catalogue {
namespace {

// RFC 3986 unreserved characters stay; every other byte becomes %XX.
std::string PercentEncodeSegment(std::string_view segment) {
  std::string out;
  for (const char c : segment) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      absl::StrAppendFormat(&out, "%%%02X", u);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> NormalizePublicBaseUrl(std::string_view base_url) {
  std::string url(base_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  const bool http = absl::StartsWith(url, "http://") || absl::StartsWith(url, "https://");
  const size_t host_start = url.find("//") + 2;
  if (!http || url.size() <= host_start || url.find_first_of("?# \t\r\n") != std::string::npos) {
    return absl::InvalidArgumentError(
        "public base URL: expected an absolute http or https URL without query or fragment, "
        "e.g. https://dati.example.it");
  }
  return url;
}

std::string ReleaseFileUrl(std::string_view base_url, std::string_view release_id,
                           std::string_view dataset_id, std::string_view file_name) {
  return absl::StrCat(AsAbsl(base_url), "/releases/", PercentEncodeSegment(release_id), "/",
                      PercentEncodeSegment(dataset_id), "/", PercentEncodeSegment(file_name));
}

void FillDownloadUrls(std::string_view base_url, v1::Dataset& dataset) {
  if (base_url.empty()) return;
  for (v1::Attachment& attachment : *dataset.mutable_attachments()) {
    attachment.mutable_download()->set_url(ReleaseFileUrl(
        base_url, dataset.release_id(), dataset.dataset_id(), attachment.file_name()));
  }
}

}  // namespace omnia::catalogue

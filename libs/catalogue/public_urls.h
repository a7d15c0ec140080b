// The public URLs the gateway serves published files at, built from the deployment's public base
// URL. Kept apart from the store so HTTP code can link it alone.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::catalogue {

// `base_url` ("https://host[/prefix]") checked and without trailing slashes. INVALID_ARGUMENT
// unless it is an absolute http or https URL without query or fragment.
absl::StatusOr<std::string> NormalizePublicBaseUrl(std::string_view base_url);

// "<base_url>/releases/<release_id>/<dataset_id>/<file_name>", each segment percent-encoded.
std::string ReleaseFileUrl(std::string_view base_url, std::string_view release_id,
                           std::string_view dataset_id, std::string_view file_name);

// Sets download.url of every attachment of `dataset` to its release URL under `base_url`
// (normalized); leaves them as they are when `base_url` is empty.
void FillDownloadUrls(std::string_view base_url, v1::Dataset& dataset);

}  // namespace omnia::catalogue

// GET /dataset/{dataset_id} — the detail mask of one report: the seed's six fields (Titolo,
// Pubblicazione, Aggiornato, Proprietario del dato, Licenza, Allegati), the description, the
// coverage, the measure's definition (with the warning that workers are not additive), the
// attachments with size, sha256 and download link, a preview of the first rows, the release
// history and links to the machine-readable descriptions (CKAN, DCAT-AP_IT, Data Package).
#ifndef OMNIA_LIBS_PORTAL_DATASET_PAGE_H_
#define OMNIA_LIBS_PORTAL_DATASET_PAGE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "libs/portal/layout.h"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::portal {

// The first rows of the dataset's CSV attachment.
struct CsvPreview {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// Parses the beginning of a CSV file (RFC 4180 quoting, LF or CRLF): the header and at most
// max_rows complete records. A record cut off at the end of `head` is dropped, so the gateway
// can pass the first few kilobytes of the file.
CsvPreview ParseCsvPreview(absl::string_view head, size_t max_rows);

// Rows shown in the preview.
inline constexpr size_t kPreviewRows = 10;

struct DatasetPageData {
  // The dataset at the current release (CatalogueService.GetDataset).
  v1::Dataset dataset;
  // The releases, newest first (CatalogueService.ListReleases); the page lists those that
  // added or updated this dataset.
  std::vector<v1::Release> releases;
  // The first rows of its CSV attachment; empty when not available.
  CsvPreview preview;
};

// The attachment's URL at its release: "/releases/{release}/{dataset}/{file}".
std::string AttachmentUrl(const v1::Dataset& dataset, const v1::Attachment& attachment);

std::string RenderDatasetPage(const PortalSite& site, const DatasetPageData& data);

}  // namespace omnia::portal

#endif  // OMNIA_LIBS_PORTAL_DATASET_PAGE_H_

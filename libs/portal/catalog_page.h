// GET / — the catalogue of the published reports: search box, the seed's filters Argomento,
// Fonte and Periodo with their counts, sort by title or by Aggiornato, paging. Every view is a
// URL (?q=&argomento=&fonte=&periodo=&ordine=&pagina=), so it can be bookmarked and shared.
#ifndef OMNIA_LIBS_PORTAL_CATALOG_PAGE_H_
#define OMNIA_LIBS_PORTAL_CATALOG_PAGE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/portal/layout.h"
#include "libs/portal/params.h"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::portal {

enum class CatalogOrder { kTitle, kUpdated };

// Results shown per catalogue page.
inline constexpr int kCatalogPageSize = 10;

// A validated catalogue view.
struct CatalogQuery {
  std::string text;                           // q: free text, at most 200 bytes of UTF-8
  std::vector<std::string> topics;            // argomento (repeatable): any of them
  std::vector<std::string> sources;           // fonte (repeatable): any of them
  int year = 0;                               // periodo: a year 2020..2100, 0 for any
  CatalogOrder order = CatalogOrder::kTitle;  // ordine: "titolo" (default) or "aggiornato"
  int page = 1;                               // pagina: 1..1000

  friend bool operator==(const CatalogQuery&, const CatalogQuery&) = default;
};

// Validates the parameters. Unknown parameters are ignored (links with tracking tags keep
// working). INVALID_ARGUMENT, in Italian, names the parameter and what is allowed and never
// quotes the value sent: answer 400 with RenderErrorPage and that message.
absl::StatusOr<CatalogQuery> ParseCatalogQuery(const QueryParams& params);

// The ListDatasets request for a view, at its largest page size. The catalogue is small (three
// datasets a year), so the gateway follows next_page_token, appends every page's datasets to
// one response (facets and total_size from the first page) and passes it to RenderCatalogPage,
// which shows the page asked for.
v1::ListDatasetsRequest ToListDatasetsRequest(const CatalogQuery& query);

// The URL of a view: "/" plus the parameters that differ from the defaults.
std::string CatalogUrl(const CatalogQuery& query);

// The page. `matches` holds every matching dataset in order, with the facets.
std::string RenderCatalogPage(const PortalSite& site, const CatalogQuery& query,
                              const v1::ListDatasetsResponse& matches);

// Short Italian format names of a dataset's attachments, in order: "CSV", "JSON", "JSON-stat",
// "XML", "XLSX".
std::string FormatName(v1::Format format);

}  // namespace omnia::portal

#endif  // OMNIA_LIBS_PORTAL_CATALOG_PAGE_H_

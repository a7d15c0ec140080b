// The codelists as CatalogueService.ListCodelists serves them: regions, macro-areas,
// intervention types, families, months and measures, each with every code and label. Regions,
// types and months come from domain::Codelists (data, versioned); measures from the domain and
// the catalogue configuration (their Italian names, definitions and additivity notes).
#ifndef OMNIA_LIBS_CATALOGUE_CODELISTS_H_
#define OMNIA_LIBS_CATALOGUE_CODELISTS_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "libs/catalogue/config.h"
#include "libs/domain/codelists.h"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::catalogue {

// Every list, whole, in canonical order: regions and macro-areas in ISTAT order, types and
// families in codelist order, months January first, measures APPLICATIONS, WORKERS,
// BENEFIT_MONTHS. A macro-area's ISTAT code is its position from 1 (the ripartizioni are
// numbered in ISTAT order: 1 Nord-Ovest ... 5 Isole). version is the codelists' version.
// next_page_token is empty.
v1::ListCodelistsResponse BuildCodelists(const domain::Codelists& codelists,
                                         const CatalogueConfig& config);

// One page of `all` (a BuildCodelists result): at most page_size entries summed over all lists
// (0 or above 1000 means 1000), filling the lists in response field order and continuing a list
// split across pages on the next page; version on every page. INVALID_ARGUMENT for a negative
// page_size, or a page_token that is malformed, issued for another version, or past the end.
absl::StatusOr<v1::ListCodelistsResponse> PageCodelists(const v1::ListCodelistsResponse& all,
                                                        int page_size, std::string_view page_token);

}  // namespace omnia::catalogue

#endif  // OMNIA_LIBS_CATALOGUE_CODELISTS_H_

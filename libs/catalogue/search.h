// Search over the catalogue's datasets: filters, free text, facets, order and paging, as
// CatalogueService.ListDatasets serves them. Pure functions over a list of datasets, so the
// service can run them on the current catalogue or on any release (CatalogueStore::DatasetsAt).
//
// Matching. Argomento and Fonte match when the dataset's value equals one of the requested
// values, both folded (FoldText: case, accents and punctuation ignored). Periodo matches when
// the dataset's coverage (its first to last year) overlaps the requested years. Free text:
// every word of the query must occur, as a substring of the folded text, in the title, the
// description or a keyword ("mensilita" finds "Mensilità", "domand" finds "Domande").
//
// Facets are standard (multi-select) facets: the counts of one filter are computed over the
// datasets matching every OTHER filter and the text, ignoring that filter's own selection, so a
// client can show how many datasets each alternative value would give. (With no selection on
// a filter, its counts are exactly those over all matches.) Topic and source values are shown
// as the datasets spell them, in folded order; a dataset counts for every year of its
// coverage; years are ascending. Only values with a non-zero count are listed.
//
// Order: by title (folded), then dataset_id; or by Aggiornato, most recent first (never
// published last), then title, then dataset_id. Both are total orders, so paging is stable.
//
// Paging. page_size 0 means 20, above 100 means 100. next_page_token encodes the sort key of
// the page's last dataset and a fingerprint of the request's filters, text, order and
// release_id (not page_size, which may change between pages). The next page starts after that
// key, so while the catalogue does not change, pages neither repeat nor skip a dataset; and a
// dataset added meanwhile shows up on a later page only if it sorts after the key. A token used
// with different request fields, or a malformed one, is INVALID_ARGUMENT naming page_token.
#ifndef OMNIA_LIBS_CATALOGUE_SEARCH_H_
#define OMNIA_LIBS_CATALOGUE_SEARCH_H_

#include <vector>

#include "absl/status/statusor.h"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::catalogue {

// One page of the datasets matching `request`, with total_size and facets. INVALID_ARGUMENT
// naming the field for: years.first outside 2020..2100, years.last before years.first or after
// 2100, a negative page_size, an unknown order value, or a bad page_token. The request's
// release_id only selects the list (the caller's job) and is part of the token fingerprint.
absl::StatusOr<v1::ListDatasetsResponse> ListDatasets(const std::vector<v1::Dataset>& datasets,
                                                      const v1::ListDatasetsRequest& request);

}  // namespace omnia::catalogue

#endif  // OMNIA_LIBS_CATALOGUE_SEARCH_H_

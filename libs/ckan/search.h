// package_search over package dicts, with the subset of Solr's query syntax CKAN clients send.
//
// q and fq are queries of clauses combined with AND (implicit between clauses, or written
// "AND"/"&&"), "OR"/"||", "NOT"/"-" and parentheses; a leading "+" is ignored. A clause is
//   field:value          exact value of a string field (case-sensitive, as Solr string fields)
//   field:"two words"    the same with spaces
//   field:(a OR b)       any of several values
//   field:*  field:pre*  any value / a value with that prefix
//   field:[A TO B]       a range (inclusive; "{A TO B}" exclusive; "*" open), compared as text:
//                        ISO timestamps such as metadata_modified:[2024-01-01T00:00:00 TO *]
//   word  "a phrase"     free text: found, ignoring case and accents, in the title, notes, name,
//                        tags, group and organization titles, resource names and descriptions
//   *:*                  everything
// String fields: organization, groups, tags, res_format, license_id, name, id, type,
// dataset_type, state, capacity, res_name, res_url, extras_<key> (the package's extras); text
// fields (matched like free text): title, notes, text; timestamp fields (ranges):
// metadata_created, metadata_modified. An empty q, "" or '' matches everything.
//
// Sort: comma-separated "<field> asc|desc" over metadata_modified, metadata_created,
// title_string, name, id, num_resources, num_tags and score (every match scores the same). The
// default is "score desc, metadata_modified desc". Ties keep name order.
//
// Facets count the matching packages per value of a string field, most frequent first (then
// value order), at most facet_limit values (negative: all), values with fewer than
// facet_mincount matches left out.
#ifndef OMNIA_LIBS_CKAN_SEARCH_H_
#define OMNIA_LIBS_CKAN_SEARCH_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace omnia::ckan {

inline constexpr char kDefaultSort[] = "score desc, metadata_modified desc";

struct SearchParams {
  std::string q;
  std::vector<std::string> filter_queries;  // fq and every fq_list entry
  int64_t rows = 10;
  int64_t start = 0;
  std::string sort = kDefaultSort;
  bool facet = true;
  std::vector<std::string> facet_fields;
  int64_t facet_limit = 50;
  int64_t facet_mincount = 1;
};

struct FacetCounts {
  std::string field;
  std::vector<std::pair<std::string, int64_t>> counts;  // most frequent first
};

struct SearchResult {
  int64_t count = 0;                // every match
  std::vector<size_t> page;         // indices into the searched packages, in sort order
  std::vector<FacetCounts> facets;  // in facet_fields order
};

// Searches `packages` (package dicts). Errors: FAILED_PRECONDITION for what the search index
// rejects (an unknown field in q, fq, sort or facet.field; a sort without direction; a query that
// does not parse), with Solr's wording.
absl::StatusOr<SearchResult> SearchPackages(const std::vector<nlohmann::json>& packages,
                                            const SearchParams& params);

}  // namespace omnia::ckan

#endif  // OMNIA_LIBS_CKAN_SEARCH_H_

#include "libs/catalogue/search.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/base/sha256.h"
#include "libs/catalogue/internal/page_token.h"
#include "libs/catalogue/text_fold.h"
#include "libs/domain/period.h"
#include "omnia/internal/catalogue_store.pb.h"

namespace omnia::catalogue {
namespace {

using ::omnia::internal::DatasetPageToken;

constexpr int kDefaultPageSize = 20;
constexpr int kMaxPageSize = 100;

// The validated, folded form of a request's filters.
struct Filters {
  std::set<std::string> topics;   // folded; empty = any
  std::set<std::string> sources;  // folded; empty = any
  bool has_years = false;
  int first_year = 0;
  int last_year = 0;
  std::vector<std::string> words;  // folded query words
  v1::DatasetOrder order = v1::DATASET_ORDER_TITLE;
};

absl::StatusOr<Filters> ParseFilters(const v1::ListDatasetsRequest& request) {
  Filters filters;
  for (const std::string& topic : request.topics()) {
    // A value that folds to nothing ("", "  ") would match no dataset; it is more useful
    // ignored than turning the filter into "nothing".
    if (std::string folded = FoldText(topic); !folded.empty()) filters.topics.insert(folded);
  }
  for (const std::string& source : request.sources()) {
    if (std::string folded = FoldText(source); !folded.empty()) filters.sources.insert(folded);
  }
  if (request.has_years()) {
    const int first = request.years().first();
    const int last = request.years().last() == 0 ? first : request.years().last();
    if (first < domain::kMinYear || first > domain::kMaxYear) {
      return absl::InvalidArgumentError(
          absl::StrCat("years.first: required, from ", domain::kMinYear, " to ", domain::kMaxYear));
    }
    if (last < first || last > domain::kMaxYear) {
      return absl::InvalidArgumentError(
          absl::StrCat("years.last: 0, or from years.first to ", domain::kMaxYear));
    }
    filters.has_years = true;
    filters.first_year = first;
    filters.last_year = last;
  }
  filters.words = FoldedWords(request.query());
  switch (request.order()) {
    case v1::DATASET_ORDER_UNSPECIFIED:
    case v1::DATASET_ORDER_TITLE:
      filters.order = v1::DATASET_ORDER_TITLE;
      break;
    case v1::DATASET_ORDER_UPDATED:
      filters.order = v1::DATASET_ORDER_UPDATED;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("order: unknown value ", static_cast<int>(request.order())));
  }
  return filters;
}

// Ties a page token to the request it was issued for. Built from the folded filters, so a
// client that repeats them in another order or spelling ("Mensilità" / "mensilita") keeps
// its place.
std::string Fingerprint(const Filters& filters, const std::string& release_id) {
  const std::string canonical = absl::StrCat(
      "topics=", absl::StrJoin(filters.topics, "\x1f"), "\x1e",
      "sources=", absl::StrJoin(filters.sources, "\x1f"), "\x1e",
      "years=", filters.has_years ? absl::StrCat(filters.first_year, "-", filters.last_year) : "",
      "\x1e", "words=", absl::StrJoin(filters.words, "\x1f"), "\x1e",
      "order=", static_cast<int>(filters.order), "\x1e", "release=", release_id);
  return Sha256Hex(canonical).substr(0, 32);
}

int UpdatedKey(const v1::Dataset& dataset) {
  if (!dataset.has_updated_on()) return 0;
  const v1::Date& d = dataset.updated_on();
  return d.year() * 10000 + d.month() * 100 + d.day();
}

// A dataset's position in the requested order; compared as a tuple.
struct SortKey {
  int64_t primary = 0;  // -Aggiornato (yyyymmdd) for the UPDATED order, 0 for TITLE
  std::string title;    // folded
  std::string dataset_id;

  friend bool operator<(const SortKey& a, const SortKey& b) {
    return std::tie(a.primary, a.title, a.dataset_id) < std::tie(b.primary, b.title, b.dataset_id);
  }
};

struct Candidate {
  const v1::Dataset* dataset = nullptr;
  SortKey key;
  bool topic = true;
  bool source = true;
  bool years = true;
  bool text = true;
};

bool ContainsAllWords(const v1::Dataset& dataset, const std::vector<std::string>& words) {
  if (words.empty()) return true;
  // Fields are joined by a newline, which no folded word contains, so a word never matches
  // across two fields.
  std::string haystack =
      absl::StrCat(FoldText(dataset.title()), "\n", FoldText(dataset.description()));
  for (const std::string& keyword : dataset.keywords()) {
    absl::StrAppend(&haystack, "\n", FoldText(keyword));
  }
  return std::all_of(words.begin(), words.end(), [&](const std::string& word) {
    return haystack.find(word) != std::string::npos;
  });
}

// Counts per value, keyed by folded value. Values that differ only in case or accents count
// together; the smallest spelling is shown, so the result does not depend on the list's order.
void AddFacet(const std::string& value,
              std::map<std::string, std::pair<std::string, uint64_t>>& counts) {
  auto [it, inserted] = counts.try_emplace(FoldText(value), value, 0);
  if (value < it->second.first) it->second.first = value;
  ++it->second.second;
}

}  // namespace

absl::StatusOr<v1::ListDatasetsResponse> ListDatasets(const std::vector<v1::Dataset>& datasets,
                                                      const v1::ListDatasetsRequest& request) {
  absl::StatusOr<Filters> parsed = ParseFilters(request);
  if (!parsed.ok()) return parsed.status();
  const Filters& filters = *parsed;
  if (request.page_size() < 0) {
    return absl::InvalidArgumentError("page_size must not be negative");
  }
  const int page_size =
      request.page_size() == 0 ? kDefaultPageSize : std::min(request.page_size(), kMaxPageSize);
  const std::string fingerprint = Fingerprint(filters, request.release_id());

  std::optional<SortKey> after;
  if (!request.page_token().empty()) {
    DatasetPageToken token;
    if (!DecodePageToken(request.page_token(), &token)) {
      return absl::InvalidArgumentError("page_token is malformed");
    }
    if (token.request_fingerprint() != fingerprint) {
      return absl::InvalidArgumentError(
          "page_token was issued for a request with different filters, query, order or "
          "release_id; repeat them unchanged, or start again without a token");
    }
    after = SortKey{filters.order == v1::DATASET_ORDER_UPDATED ? -int64_t{token.last_updated()} : 0,
                    token.last_title_key(), token.last_dataset_id()};
  }

  std::vector<Candidate> candidates;
  candidates.reserve(datasets.size());
  for (const v1::Dataset& dataset : datasets) {
    Candidate c;
    c.dataset = &dataset;
    c.key.primary = filters.order == v1::DATASET_ORDER_UPDATED ? -int64_t{UpdatedKey(dataset)} : 0;
    c.key.title = FoldText(dataset.title());
    c.key.dataset_id = dataset.dataset_id();
    c.topic = filters.topics.empty() || filters.topics.contains(FoldText(dataset.topic()));
    c.source = filters.sources.empty() || filters.sources.contains(FoldText(dataset.source()));
    if (filters.has_years) {
      c.years = dataset.coverage().first().year() <= filters.last_year &&
                dataset.coverage().last().year() >= filters.first_year;
    }
    c.text = ContainsAllWords(dataset, filters.words);
    candidates.push_back(std::move(c));
  }
  // Sorted once, so matches come out in the requested order.
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.key < b.key; });

  v1::ListDatasetsResponse response;
  std::map<std::string, std::pair<std::string, uint64_t>> topics;
  std::map<std::string, std::pair<std::string, uint64_t>> sources;
  std::map<int, uint64_t> years;
  std::vector<const Candidate*> matches;
  for (const Candidate& c : candidates) {
    if (c.source && c.years && c.text) AddFacet(c.dataset->topic(), topics);
    if (c.topic && c.years && c.text) AddFacet(c.dataset->source(), sources);
    if (c.topic && c.source && c.text) {
      // Clamped, so a malformed coverage cannot make this loop long.
      const int first = std::max(c.dataset->coverage().first().year(), domain::kMinYear);
      const int last = std::min(c.dataset->coverage().last().year(), domain::kMaxYear);
      for (int y = first; y <= last; ++y) ++years[y];
    }
    if (c.topic && c.source && c.years && c.text) matches.push_back(&c);
  }
  response.set_total_size(matches.size());
  for (const auto& [folded, entry] : topics) {
    v1::FacetCount& facet = *response.add_topic_facets();
    facet.set_value(entry.first);
    facet.set_count(entry.second);
  }
  for (const auto& [folded, entry] : sources) {
    v1::FacetCount& facet = *response.add_source_facets();
    facet.set_value(entry.first);
    facet.set_count(entry.second);
  }
  for (const auto& [year, count] : years) {
    v1::FacetCount& facet = *response.add_year_facets();
    facet.set_value(std::to_string(year));
    facet.set_count(count);
  }

  auto it = matches.begin();
  if (after.has_value()) {
    it = std::upper_bound(matches.begin(), matches.end(), *after,
                          [](const SortKey& key, const Candidate* c) { return key < c->key; });
  }
  for (; it != matches.end() && response.datasets_size() < page_size; ++it) {
    *response.add_datasets() = *(*it)->dataset;
  }
  if (it != matches.end() && response.datasets_size() > 0) {
    const Candidate& last = **(it - 1);
    DatasetPageToken token;
    token.set_request_fingerprint(fingerprint);
    token.set_last_updated(UpdatedKey(*last.dataset));
    token.set_last_title_key(last.key.title);
    token.set_last_dataset_id(last.key.dataset_id);
    response.set_next_page_token(EncodePageToken(token));
  }
  return response;
}

}  // namespace omnia::catalogue

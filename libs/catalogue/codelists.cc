#include "libs/catalogue/codelists.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/base/sha256.h"
#include "libs/catalogue/datasets.h"
#include "libs/catalogue/internal/page_token.h"
#include "libs/domain/measure.h"
#include "libs/domain/period.h"
#include "omnia/internal/catalogue_store.pb.h"

namespace omnia::catalogue {
namespace {

constexpr int kMaxCodelistPage = 1000;

// Copies entries [*skip, ...) of `from` into `to` while the page has room, consuming the skip
// and the room.
template <typename Entry>
void TakeEntries(const google::protobuf::RepeatedPtrField<Entry>& from,
                 google::protobuf::RepeatedPtrField<Entry>* to, uint64_t* skip, uint64_t* room) {
  const uint64_t size = static_cast<uint64_t>(from.size());
  if (*skip >= size) {
    *skip -= size;
    return;
  }
  const uint64_t take = std::min(size - *skip, *room);
  for (uint64_t i = *skip; i < *skip + take; ++i) *to->Add() = from[static_cast<int>(i)];
  *room -= take;
  *skip = 0;
}

uint64_t EntryCount(const v1::ListCodelistsResponse& all) {
  return static_cast<uint64_t>(all.regions_size()) + all.macro_areas_size() +
         all.intervention_types_size() + all.families_size() + all.months_size() +
         all.measures_size();
}

// The measures' texts, each field length-prefixed so that no two lists of texts read alike;
// a digest rather than a counter so that replicas with the same configuration agree.
std::string MeasuresVersion(const google::protobuf::RepeatedPtrField<v1::Measure>& measures) {
  std::string texts;
  for (const v1::Measure& measure : measures) {
    for (const std::string* field :
         {&measure.code(), &measure.name(), &measure.csv_column(), &measure.definition(),
          &measure.period_basis(), &measure.additivity_note()}) {
      absl::StrAppend(&texts, field->size(), ":", *field);
    }
    absl::StrAppend(&texts, measure.additive() ? "A" : "N");
  }
  return Sha256Hex(texts).substr(0, 16);
}

// What a page token is tied to: both versions, so that pages never mix two lists.
std::string PagedVersion(const v1::ListCodelistsResponse& all) {
  return absl::StrCat(all.version(), "/", all.measures_version());
}

}  // namespace

v1::ListCodelistsResponse BuildCodelists(const domain::Codelists& codelists,
                                         const CatalogueConfig& config) {
  v1::ListCodelistsResponse out;
  out.set_version(codelists.version());
  for (const domain::Region& region : codelists.regions()) {
    v1::Region& entry = *out.add_regions();
    entry.set_code(region.inps_label);
    entry.set_istat_code(region.istat_code);
    for (const std::string& nuts2 : region.nuts2_codes) entry.add_nuts2_codes(nuts2);
    entry.set_name(region.display_name);
    entry.set_macro_area(region.macro_area_code);
  }
  for (const domain::MacroArea& area : codelists.macro_areas()) {
    v1::MacroArea& entry = *out.add_macro_areas();
    entry.set_code(area.code);
    entry.set_name(area.name);
    entry.set_istat_code(std::to_string(area.index + 1));
    entry.set_nuts1_code(area.nuts1_code);
  }
  for (const domain::InterventionType& type : codelists.intervention_types()) {
    v1::InterventionType& entry = *out.add_intervention_types();
    entry.set_code(type.code);
    entry.set_description(type.description);
    entry.set_family(type.family_code);
  }
  for (const domain::Family& family : codelists.families()) {
    v1::InterventionFamily& entry = *out.add_families();
    entry.set_code(family.code);
    entry.set_name(family.name);
  }
  for (const domain::Month& month : codelists.months()) {
    v1::Month& entry = *out.add_months();
    entry.set_number(month.number);
    entry.set_name(month.italian_name);
    entry.set_quarter(domain::QuarterOf(month.number));
  }
  for (const domain::Measure measure : domain::kAllMeasures) {
    *out.add_measures() = MeasureMetadata(config, measure);
  }
  out.set_measures_version(MeasuresVersion(out.measures()));
  return out;
}

absl::StatusOr<v1::ListCodelistsResponse> PageCodelists(const v1::ListCodelistsResponse& all,
                                                        int page_size,
                                                        std::string_view page_token) {
  if (page_size < 0) return absl::InvalidArgumentError("page_size must not be negative");
  if (page_size == 0 || page_size > kMaxCodelistPage) page_size = kMaxCodelistPage;
  const uint64_t total = EntryCount(all);
  uint64_t offset = 0;
  if (!page_token.empty()) {
    ::omnia::internal::CodelistPageToken token;
    if (!DecodePageToken(page_token, &token) || token.offset() == 0) {
      return absl::InvalidArgumentError("page_token is malformed");
    }
    if (token.version() != PagedVersion(all)) {
      return absl::InvalidArgumentError(absl::StrCat("page_token was issued for codelist version ",
                                                     token.version(), ", now ", PagedVersion(all),
                                                     "; start again without a token"));
    }
    if (token.offset() >= total) return absl::InvalidArgumentError("page_token is malformed");
    offset = token.offset();
  }

  v1::ListCodelistsResponse page;
  page.set_version(all.version());
  page.set_measures_version(all.measures_version());
  uint64_t skip = offset;
  uint64_t room = static_cast<uint64_t>(page_size);
  TakeEntries(all.regions(), page.mutable_regions(), &skip, &room);
  TakeEntries(all.macro_areas(), page.mutable_macro_areas(), &skip, &room);
  TakeEntries(all.intervention_types(), page.mutable_intervention_types(), &skip, &room);
  TakeEntries(all.families(), page.mutable_families(), &skip, &room);
  TakeEntries(all.months(), page.mutable_months(), &skip, &room);
  TakeEntries(all.measures(), page.mutable_measures(), &skip, &room);
  const uint64_t next = offset + (static_cast<uint64_t>(page_size) - room);
  if (next < total) {
    ::omnia::internal::CodelistPageToken token;
    token.set_version(PagedVersion(all));
    token.set_offset(next);
    page.set_next_page_token(EncodePageToken(token));
  }
  return page;
}

}  // namespace omnia::catalogue

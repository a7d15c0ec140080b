#include "libs/api/cube_convert.h"

#include <cstring>
#include <functional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/api/internal/field_checks.h"
#include "libs/base/string_view.h"
#include "libs/rpc/timestamp.h"

namespace omnia::api {

using internal::CheckMonth;
using internal::FieldError;

namespace {

// Copies `codes` into `rest` without `top` (any case); whether `top` was among them.
bool WithoutTopMember(const google::protobuf::RepeatedPtrField<std::string>& codes,
                      absl::string_view top, std::vector<std::string>& rest) {
  bool found = false;
  for (const std::string& code : codes) {
    if (absl::EqualsIgnoreCase(code, top)) {
      found = true;
    } else {
      rest.push_back(code);
    }
  }
  return found;
}

}  // namespace

absl::StatusOr<QueryLevels> QueryLevelsFromProto(const v1::CellQuery& query) {
  QueryLevels levels;
  switch (query.period_level()) {
    case v1::PERIOD_LEVEL_UNSPECIFIED:
    case v1::PERIOD_LEVEL_MONTH:
      levels.period = domain::PeriodLevel::kMonth;
      break;
    case v1::PERIOD_LEVEL_QUARTER:
      levels.period = domain::PeriodLevel::kQuarter;
      break;
    case v1::PERIOD_LEVEL_YEAR:
      levels.period = domain::PeriodLevel::kYear;
      break;
    default:
      return FieldError("period_level", "unknown level");
  }
  switch (query.region_level()) {
    case v1::REGION_LEVEL_UNSPECIFIED:
    case v1::REGION_LEVEL_REGION:
      levels.region = cube::RegionLevel::kRegion;
      break;
    case v1::REGION_LEVEL_MACRO_AREA:
      levels.region = cube::RegionLevel::kMacroArea;
      break;
    case v1::REGION_LEVEL_ITALY:
      levels.region = cube::RegionLevel::kItaly;
      break;
    default:
      return FieldError("region_level", "unknown level");
  }
  switch (query.type_level()) {
    case v1::TYPE_LEVEL_UNSPECIFIED:
    case v1::TYPE_LEVEL_TYPE:
      levels.type = cube::TypeLevel::kType;
      break;
    case v1::TYPE_LEVEL_FAMILY:
      levels.type = cube::TypeLevel::kFamily;
      break;
    case v1::TYPE_LEVEL_ALL:
      levels.type = cube::TypeLevel::kAll;
      break;
    default:
      return FieldError("type_level", "unknown level");
  }
  return levels;
}

absl::StatusOr<cube::CubeQuery> CubeQueryFromProto(const v1::CellQuery& query,
                                                   const domain::Codelists& codelists,
                                                   const LatestMonthOf& latest_month) {
  cube::CubeQuery out;
  if (query.measures_size() == 0) return FieldError("measures", "name at least one measure");
  std::set<domain::Measure> seen;
  for (int i = 0; i < query.measures_size(); ++i) {
    absl::StatusOr<domain::Measure> m = domain::ParseMeasure(query.measures(i));
    if (!m.ok()) {
      return FieldError(absl::StrCat("measures[", i, "]"), std::string(m.status().message()));
    }
    if (!seen.insert(*m).second) {
      return FieldError(absl::StrCat("measures[", i, "]"),
                        absl::StrCat(query.measures(i), " is repeated"));
    }
    out.measures.push_back(*m);
  }
  if (query.has_period_range()) {
    if (absl::Status s = CheckMonth(query.period_range().first(), "period_range.first"); !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckMonth(query.period_range().last(), "period_range.last"); !s.ok()) {
      return s;
    }
    out.from = {query.period_range().first().year(), query.period_range().first().month()};
    out.to = {query.period_range().last().year(), query.period_range().last().month()};
    if (out.to < out.from) return FieldError("period_range", "last is before first");
  } else {
    out.from = {domain::kMinYear, 1};
    const std::optional<domain::YearMonth> latest = latest_month(out.measures);
    out.to = latest.value_or(out.from);
    out.empty_result = !latest.has_value();
  }
  absl::StatusOr<QueryLevels> levels = QueryLevelsFromProto(query);
  if (!levels.ok()) return levels.status();
  out.period_level = levels->period;
  out.region_level = levels->region;
  out.type_level = levels->type;
  // "ITALY" and "ALL" name the top members: they select everything, and the other codes beside
  // them are still checked (an unknown one fails).
  std::vector<std::string> regions;
  const bool all_regions = WithoutTopMember(query.regions(), "ITALY", regions);
  std::vector<std::string> types;
  const bool all_types = WithoutTopMember(query.intervention_types(), "ALL", types);
  absl::StatusOr<cube::IndexSet> region_set = cube::ResolveRegionFilter(codelists, regions);
  if (!region_set.ok()) return FieldError("regions", std::string(region_set.status().message()));
  absl::StatusOr<cube::IndexSet> type_set = cube::ResolveTypeFilter(codelists, types);
  if (!type_set.ok()) {
    return FieldError("intervention_types", std::string(type_set.status().message()));
  }
  out.regions = all_regions ? cube::AllRegions(codelists) : *region_set;
  out.types = all_types ? cube::AllTypes(codelists) : *type_set;
  out.dense = query.dense();
  return out;
}

v1::PeriodLevel PeriodLevelToProto(domain::PeriodLevel level) {
  switch (level) {
    case domain::PeriodLevel::kMonth:
      return v1::PERIOD_LEVEL_MONTH;
    case domain::PeriodLevel::kQuarter:
      return v1::PERIOD_LEVEL_QUARTER;
    case domain::PeriodLevel::kYear:
      return v1::PERIOD_LEVEL_YEAR;
  }
  return v1::PERIOD_LEVEL_UNSPECIFIED;
}

v1::RegionLevel RegionLevelToProto(cube::RegionLevel level) {
  switch (level) {
    case cube::RegionLevel::kRegion:
      return v1::REGION_LEVEL_REGION;
    case cube::RegionLevel::kMacroArea:
      return v1::REGION_LEVEL_MACRO_AREA;
    case cube::RegionLevel::kItaly:
      return v1::REGION_LEVEL_ITALY;
  }
  return v1::REGION_LEVEL_UNSPECIFIED;
}

v1::TypeLevel TypeLevelToProto(cube::TypeLevel level) {
  switch (level) {
    case cube::TypeLevel::kType:
      return v1::TYPE_LEVEL_TYPE;
    case cube::TypeLevel::kFamily:
      return v1::TYPE_LEVEL_FAMILY;
    case cube::TypeLevel::kAll:
      return v1::TYPE_LEVEL_ALL;
  }
  return v1::TYPE_LEVEL_UNSPECIFIED;
}

uint64_t QueryRequestDigest(const v1::QueryRequest& request) {
  // CellQuery has no map field, so its encoding is deterministic.
  return rpc::RequestDigest(
      absl::StrCat(request.release_id(), "\n", request.query().SerializeAsString()));
}

uint64_t MonthPin(const domain::YearMonth& month) {
  return static_cast<uint64_t>(month.year) * 12 + static_cast<uint64_t>(month.month - 1) + 1;
}

domain::YearMonth PinnedMonth(uint64_t pin) {
  if (pin == 0 || pin > MonthPin({domain::kMaxYear, 12})) return {0, 0};
  return {static_cast<int>((pin - 1) / 12), static_cast<int>((pin - 1) % 12) + 1};
}

void CellToProto(const cube::QueryCell& cell, const domain::Codelists& codelists, v1::Cell* out) {
  const cube::CellKey& k = cell.key;
  out->set_measure(std::string(domain::MeasureCode(k.measure)));
  v1::Period* period = out->mutable_period();
  period->set_level(PeriodLevelToProto(k.period.level));
  period->set_year(k.period.year);
  if (k.period.level == domain::PeriodLevel::kQuarter) period->set_quarter(k.period.index);
  // common.proto: quarter is set at the quarter level only, month at the month level only.
  if (k.period.level == domain::PeriodLevel::kMonth) period->set_month(k.period.index);
  v1::Member* region = out->mutable_region();
  switch (k.region_level) {
    case cube::RegionLevel::kRegion:
      region->set_code(codelists.regions()[k.region].inps_label);
      region->set_label(codelists.regions()[k.region].display_name);
      break;
    case cube::RegionLevel::kMacroArea:
      region->set_code(codelists.macro_areas()[k.region].code);
      region->set_label(codelists.macro_areas()[k.region].name);
      break;
    case cube::RegionLevel::kItaly:
      region->set_code("ITALY");
      region->set_label("Italia");
      break;
  }
  v1::Member* type = out->mutable_intervention_type();
  switch (k.type_level) {
    case cube::TypeLevel::kType:
      type->set_code(codelists.intervention_types()[k.type].code);
      type->set_label(codelists.intervention_types()[k.type].description);
      break;
    case cube::TypeLevel::kFamily:
      type->set_code(codelists.families()[k.type].code);
      type->set_label(codelists.families()[k.type].name);
      break;
    case cube::TypeLevel::kAll:
      type->set_code("ALL");
      type->set_label("Tutti gli interventi");
      break;
  }
  out->set_value(cell.value);
  out->set_provenance(cell.provenance == cube::Provenance::kPublished ? v1::PROVENANCE_PUBLISHED
                                                                      : v1::PROVENANCE_MICRO_DATA);
}

absl::StatusOr<cube::QueryCell> CellFromProto(const v1::Cell& cell,
                                              const domain::Codelists& codelists) {
  cube::QueryCell out;
  absl::StatusOr<domain::Measure> measure = domain::ParseMeasure(cell.measure());
  if (!measure.ok()) return FieldError("cell.measure", std::string(measure.status().message()));
  out.key.measure = *measure;
  const v1::Period& p = cell.period();
  out.key.period.year = p.year();
  switch (p.level()) {
    case v1::PERIOD_LEVEL_QUARTER:
      out.key.period.level = domain::PeriodLevel::kQuarter;
      out.key.period.index = p.quarter();
      break;
    case v1::PERIOD_LEVEL_YEAR:
      out.key.period.level = domain::PeriodLevel::kYear;
      out.key.period.index = 0;
      break;
    default:
      out.key.period.level = domain::PeriodLevel::kMonth;
      out.key.period.index = p.month();
  }
  const std::string& region = cell.region().code();
  if (region == "ITALY") {
    out.key.region_level = cube::RegionLevel::kItaly;
  } else if (const domain::Region* r = codelists.RegionByInpsLabel(region)) {
    out.key.region_level = cube::RegionLevel::kRegion;
    out.key.region = r->index;
  } else {
    absl::StatusOr<const domain::MacroArea*> m = codelists.FindMacroArea(region);
    if (!m.ok()) return FieldError("cell.region", std::string(m.status().message()));
    out.key.region_level = cube::RegionLevel::kMacroArea;
    out.key.region = (*m)->index;
  }
  const std::string& type = cell.intervention_type().code();
  if (type == "ALL") {
    out.key.type_level = cube::TypeLevel::kAll;
  } else if (const domain::InterventionType* t = codelists.InterventionTypeByCode(type)) {
    out.key.type_level = cube::TypeLevel::kType;
    out.key.type = t->index;
  } else {
    absl::StatusOr<const domain::Family*> f = codelists.FindFamily(type);
    if (!f.ok()) return FieldError("cell.intervention_type", std::string(f.status().message()));
    out.key.type_level = cube::TypeLevel::kFamily;
    out.key.type = (*f)->index;
  }
  out.value = cell.value();
  out.provenance = cell.provenance() == v1::PROVENANCE_PUBLISHED ? cube::Provenance::kPublished
                                                                 : cube::Provenance::kMicroData;
  return out;
}

void ReleaseToProto(const cube::ReleaseInfo& release, v1::CubeRelease* out) {
  out->set_release_id(release.release_id);
  *out->mutable_create_time() = rpc::ToProtoTimestamp(release.create_time);
  out->set_description(release.description);
  for (const auto& [producer, sequence] : release.applied_sequences) {
    v1::ProducerSequence* p = out->add_applied_sequences();
    p->set_producer_id(producer);
    p->set_last_applied_sequence(sequence);
  }
}

}  // namespace omnia::api

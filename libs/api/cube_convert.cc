#include "libs/api/cube_convert.h"

#include <cstring>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/base/string_view.h"

namespace omnia::api {
namespace {

absl::Status FieldError(const std::string& path, const std::string& reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", reason));
}

absl::Status CheckMonth(const v1::YearMonth& ym, const std::string& path) {
  const domain::YearMonth month{ym.year(), ym.month()};
  if (!domain::IsValidYearMonth(month)) {
    return FieldError(
        path, absl::StrCat("month must lie in ", domain::kMinYear, "-01..", domain::kMaxYear,
                           "-12, got ", ym.year(), "-", ym.month()));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> RegionIndex(const domain::Codelists& codelists, const std::string& code,
                                const std::string& path) {
  if (const domain::Region* r = codelists.RegionByInpsLabel(code)) return r->index;
  absl::StatusOr<const domain::Region*> found = codelists.FindRegion(code);
  if (!found.ok()) return FieldError(path, std::string(found.status().message()));
  return (*found)->index;
}

absl::StatusOr<int> TypeIndex(const domain::Codelists& codelists, const std::string& code,
                              const std::string& path) {
  if (const domain::InterventionType* t = codelists.InterventionTypeByCode(code)) return t->index;
  absl::StatusOr<const domain::InterventionType*> found = codelists.FindInterventionType(code);
  if (!found.ok()) return FieldError(path, std::string(found.status().message()));
  return (*found)->index;
}

absl::Status CheckProducer(const std::string& producer) {
  if (producer.empty() || producer.size() > 128) {
    return FieldError("producer_id", "required, 1 to 128 characters");
  }
  for (char c : producer) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return FieldError("producer_id", "only A-Z a-z 0-9 . _ : - are allowed");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<facts::FactBatch> FactBatchFromProto(const v1::ApplyRequest& request,
                                                    const domain::Codelists& codelists) {
  if (absl::Status s = CheckProducer(request.producer_id()); !s.ok()) return s;
  if (request.sequence() == 0) return FieldError("sequence", "must be at least 1");
  facts::FactBatch batch;
  batch.producer = request.producer_id();
  batch.sequence = request.sequence();
  if (request.has_previous_sequence()) batch.previous_sequence = request.previous_sequence();
  for (int i = 0; i < request.events_size(); ++i) {
    const v1::CubeEvent& event = request.events(i);
    const std::string at = absl::StrCat("events[", i, "]");
    if (event.has_application()) {
      const v1::CubeApplication& a = event.application();
      if (absl::Status s = CheckMonth(a.period(), at + ".application.period"); !s.ok()) return s;
      absl::StatusOr<int> region = RegionIndex(codelists, a.region(), at + ".application.region");
      if (!region.ok()) return region.status();
      absl::StatusOr<int> type =
          TypeIndex(codelists, a.intervention_type(), at + ".application.intervention_type");
      if (!type.ok()) return type.status();
      batch.applications.push_back({{a.period().year(), a.period().month()}, *region, *type});
    } else if (event.has_payment()) {
      const v1::CubePayment& p = event.payment();
      if (absl::Status s = CheckMonth(p.period(), at + ".payment.period"); !s.ok()) return s;
      absl::StatusOr<int> region = RegionIndex(codelists, p.region(), at + ".payment.region");
      if (!region.ok()) return region.status();
      absl::StatusOr<int> type =
          TypeIndex(codelists, p.intervention_type(), at + ".payment.intervention_type");
      if (!type.ok()) return type.status();
      if (p.worker_pseudonym().size() != facts::kPseudonymBytes) {
        return FieldError(at + ".payment.worker_pseudonym",
                          absl::StrCat("must be ", facts::kPseudonymBytes, " bytes, got ",
                                       p.worker_pseudonym().size()));
      }
      if (p.months_covered() > 60) {
        return FieldError(at + ".payment.months_covered", "must be 0 to 60");
      }
      facts::PaymentFact fact;
      fact.month = {p.period().year(), p.period().month()};
      fact.region = *region;
      fact.type = *type;
      std::memcpy(fact.worker.data(), p.worker_pseudonym().data(), facts::kPseudonymBytes);
      fact.months_covered = p.months_covered();
      batch.payments.push_back(fact);
    } else {
      return FieldError(at, "must hold an application or a payment");
    }
  }
  return batch;
}

v1::ApplyRequest FactBatchToProto(const facts::FactBatch& batch,
                                  const domain::Codelists& codelists) {
  v1::ApplyRequest request;
  request.set_producer_id(batch.producer);
  request.set_sequence(batch.sequence);
  if (batch.previous_sequence.has_value()) request.set_previous_sequence(*batch.previous_sequence);
  request.mutable_events()->Reserve(
      static_cast<int>(batch.applications.size() + batch.payments.size()));
  for (const facts::ApplicationFact& a : batch.applications) {
    v1::CubeApplication* out = request.add_events()->mutable_application();
    out->mutable_period()->set_year(a.month.year);
    out->mutable_period()->set_month(a.month.month);
    out->set_region(codelists.regions()[a.region].inps_label);
    out->set_intervention_type(codelists.intervention_types()[a.type].code);
  }
  for (const facts::PaymentFact& p : batch.payments) {
    v1::CubePayment* out = request.add_events()->mutable_payment();
    out->mutable_period()->set_year(p.month.year);
    out->mutable_period()->set_month(p.month.month);
    out->set_region(codelists.regions()[p.region].inps_label);
    out->set_intervention_type(codelists.intervention_types()[p.type].code);
    out->set_worker_pseudonym(p.worker.data(), p.worker.size());
    out->set_months_covered(static_cast<uint32_t>(p.months_covered));
  }
  return request;
}

absl::StatusOr<PublishedRevision> PublishedRevisionFromProto(
    const v1::ReplacePublishedCellsRequest& request, const domain::Codelists& codelists) {
  if (absl::Status s = CheckProducer(request.producer_id()); !s.ok()) return s;
  if (request.sequence() == 0) return FieldError("sequence", "must be at least 1");
  PublishedRevision revision;
  revision.producer = request.producer_id();
  revision.sequence = request.sequence();
  if (request.has_previous_sequence()) revision.previous_sequence = request.previous_sequence();
  absl::StatusOr<domain::Measure> measure = domain::ParseMeasure(request.measure());
  if (!measure.ok()) return FieldError("measure", std::string(measure.status().message()));
  revision.measure = *measure;
  if (request.years_size() == 0) return FieldError("years", "name at least one year");
  std::set<int> years;
  for (int i = 0; i < request.years_size(); ++i) {
    const int year = request.years(i);
    if (year < domain::kMinYear || year > domain::kMaxYear) {
      return FieldError(absl::StrCat("years[", i, "]"),
                        absl::StrCat("year ", year, " out of range"));
    }
    if (!years.insert(year).second) {
      return FieldError(absl::StrCat("years[", i, "]"), absl::StrCat("year ", year, " repeated"));
    }
    revision.years.push_back(year);
  }
  for (int i = 0; i < request.cells_size(); ++i) {
    const v1::PublishedCell& c = request.cells(i);
    const std::string at = absl::StrCat("cells[", i, "]");
    if (absl::Status s = CheckMonth(c.period(), at + ".period"); !s.ok()) return s;
    absl::StatusOr<int> region = RegionIndex(codelists, c.region(), at + ".region");
    if (!region.ok()) return region.status();
    absl::StatusOr<int> type =
        TypeIndex(codelists, c.intervention_type(), at + ".intervention_type");
    if (!type.ok()) return type.status();
    revision.cells.push_back({{c.period().year(), c.period().month()}, *region, *type, c.value()});
  }
  return revision;
}

v1::ReplacePublishedCellsRequest PublishedRevisionToProto(const PublishedRevision& revision,
                                                          const domain::Codelists& codelists) {
  v1::ReplacePublishedCellsRequest request;
  request.set_producer_id(revision.producer);
  request.set_sequence(revision.sequence);
  if (revision.previous_sequence.has_value()) {
    request.set_previous_sequence(*revision.previous_sequence);
  }
  request.set_measure(std::string(domain::MeasureCode(revision.measure)));
  for (int year : revision.years) request.add_years(year);
  for (const facts::PublishedCell& c : revision.cells) {
    v1::PublishedCell* out = request.add_cells();
    out->mutable_period()->set_year(c.month.year);
    out->mutable_period()->set_month(c.month.month);
    out->set_region(codelists.regions()[c.region].inps_label);
    out->set_intervention_type(codelists.intervention_types()[c.type].code);
    out->set_value(c.value);
  }
  return request;
}

absl::StatusOr<cube::CubeQuery> CubeQueryFromProto(
    const v1::CellQuery& query, const domain::Codelists& codelists,
    const std::optional<domain::YearMonth>& latest_month) {
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
    out.to = latest_month.value_or(domain::YearMonth{domain::kMinYear, 1});
  }
  switch (query.period_level()) {
    case v1::PERIOD_LEVEL_UNSPECIFIED:
    case v1::PERIOD_LEVEL_MONTH:
      out.period_level = domain::PeriodLevel::kMonth;
      break;
    case v1::PERIOD_LEVEL_QUARTER:
      out.period_level = domain::PeriodLevel::kQuarter;
      break;
    case v1::PERIOD_LEVEL_YEAR:
      out.period_level = domain::PeriodLevel::kYear;
      break;
    default:
      return FieldError("period_level", "unknown level");
  }
  switch (query.region_level()) {
    case v1::REGION_LEVEL_UNSPECIFIED:
    case v1::REGION_LEVEL_REGION:
      out.region_level = cube::RegionLevel::kRegion;
      break;
    case v1::REGION_LEVEL_MACRO_AREA:
      out.region_level = cube::RegionLevel::kMacroArea;
      break;
    case v1::REGION_LEVEL_ITALY:
      out.region_level = cube::RegionLevel::kItaly;
      break;
    default:
      return FieldError("region_level", "unknown level");
  }
  switch (query.type_level()) {
    case v1::TYPE_LEVEL_UNSPECIFIED:
    case v1::TYPE_LEVEL_TYPE:
      out.type_level = cube::TypeLevel::kType;
      break;
    case v1::TYPE_LEVEL_FAMILY:
      out.type_level = cube::TypeLevel::kFamily;
      break;
    case v1::TYPE_LEVEL_ALL:
      out.type_level = cube::TypeLevel::kAll;
      break;
    default:
      return FieldError("type_level", "unknown level");
  }
  // "ITALY" and "ALL" name the top members; they select everything.
  std::vector<std::string> regions;
  for (const std::string& code : query.regions()) {
    if (absl::AsciiStrToUpper(code) == "ITALY") {
      regions.clear();
      break;
    }
    regions.push_back(code);
  }
  std::vector<std::string> types;
  for (const std::string& code : query.intervention_types()) {
    if (absl::AsciiStrToUpper(code) == "ALL") {
      types.clear();
      break;
    }
    types.push_back(code);
  }
  absl::StatusOr<cube::IndexSet> region_set = cube::ResolveRegionFilter(codelists, regions);
  if (!region_set.ok()) return FieldError("regions", std::string(region_set.status().message()));
  absl::StatusOr<cube::IndexSet> type_set = cube::ResolveTypeFilter(codelists, types);
  if (!type_set.ok()) {
    return FieldError("intervention_types", std::string(type_set.status().message()));
  }
  out.regions = *region_set;
  out.types = *type_set;
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

void CellToProto(const cube::QueryCell& cell, const domain::Codelists& codelists, v1::Cell* out) {
  const cube::CellKey& k = cell.key;
  out->set_measure(std::string(domain::MeasureCode(k.measure)));
  v1::Period* period = out->mutable_period();
  period->set_level(PeriodLevelToProto(k.period.level));
  period->set_year(k.period.year);
  if (k.period.level == domain::PeriodLevel::kQuarter) period->set_quarter(k.period.index);
  if (k.period.level == domain::PeriodLevel::kMonth) {
    period->set_month(k.period.index);
    period->set_quarter(domain::QuarterOf(k.period.index));
  }
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
      type->set_label("Tutti i tipi di intervento");
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
  const int64_t micros = absl::ToUnixMicros(release.create_time);
  out->mutable_create_time()->set_seconds(micros / 1000000);
  out->mutable_create_time()->set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  out->set_description(release.description);
  for (const auto& [producer, sequence] : release.applied_sequences) {
    v1::ProducerSequence* p = out->add_applied_sequences();
    p->set_producer_id(producer);
    p->set_last_applied_sequence(sequence);
  }
}

std::string EncodePageToken(uint64_t offset) { return absl::StrCat("o", offset); }

absl::StatusOr<uint64_t> DecodePageToken(const std::string& token) {
  if (token.empty()) return 0;
  uint64_t offset = 0;
  if (token[0] != 'o' || !absl::SimpleAtoi(absl::string_view(token).substr(1), &offset)) {
    return FieldError("page_token", "not a token returned by this service");
  }
  return offset;
}

absl::StatusOr<int> PageSize(int requested, int default_size, int max_size) {
  if (requested < 0 || requested > max_size) {
    return FieldError("page_size", absl::StrCat("must be 0 to ", max_size));
  }
  return requested == 0 ? default_size : requested;
}

}  // namespace omnia::api

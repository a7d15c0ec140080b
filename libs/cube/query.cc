#include "libs/cube/query.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace omnia::cube {
namespace {

using domain::Codelists;
using domain::PeriodKey;
using domain::PeriodLevel;
using domain::YearMonth;

// A precomputed cell position along one dimension: (level, index at that level).
struct Unit {
  int level;
  int index;
};

IndexSet RegionsOfMacro(const Codelists& codelists, int macro_index) {
  IndexSet set;
  for (const domain::Region& r : codelists.regions()) {
    if (codelists.MacroAreaOf(r).index == macro_index) set.set(r.index);
  }
  return set;
}

IndexSet TypesOfFamily(const Codelists& codelists, int family_index) {
  IndexSet set;
  for (const domain::InterventionType& t : codelists.intervention_types()) {
    if (codelists.FamilyOf(t).index == family_index) set.set(t.index);
  }
  return set;
}

// Members of a region group at its level.
IndexSet RegionGroupMembers(const Codelists& codelists, RegionLevel level, int index) {
  switch (level) {
    case RegionLevel::kRegion:
      return IndexSet().set(index);
    case RegionLevel::kMacroArea:
      return RegionsOfMacro(codelists, index);
    case RegionLevel::kItaly:
      return AllRegions(codelists);
  }
  return {};
}

IndexSet TypeGroupMembers(const Codelists& codelists, TypeLevel level, int index) {
  switch (level) {
    case TypeLevel::kType:
      return IndexSet().set(index);
    case TypeLevel::kFamily:
      return TypesOfFamily(codelists, index);
    case TypeLevel::kAll:
      return AllTypes(codelists);
  }
  return {};
}

// The fewest precomputed region cells that tile `set`: Italy, whole macro-areas, then regions.
std::vector<Unit> RegionUnits(const Codelists& codelists, const IndexSet& set) {
  if (set == AllRegions(codelists)) return {{static_cast<int>(RegionLevel::kItaly), 0}};
  std::vector<Unit> units;
  for (const domain::MacroArea& m : codelists.macro_areas()) {
    const IndexSet members = RegionsOfMacro(codelists, m.index);
    if ((members & set) == members) {
      units.push_back({static_cast<int>(RegionLevel::kMacroArea), m.index});
      continue;
    }
    for (const domain::Region& r : codelists.regions()) {
      if (members.test(r.index) && set.test(r.index)) {
        units.push_back({static_cast<int>(RegionLevel::kRegion), r.index});
      }
    }
  }
  return units;
}

std::vector<Unit> TypeUnits(const Codelists& codelists, const IndexSet& set) {
  if (set == AllTypes(codelists)) return {{static_cast<int>(TypeLevel::kAll), 0}};
  std::vector<Unit> units;
  for (const domain::Family& f : codelists.families()) {
    const IndexSet members = TypesOfFamily(codelists, f.index);
    if ((members & set) == members) {
      units.push_back({static_cast<int>(TypeLevel::kFamily), f.index});
      continue;
    }
    for (const domain::InterventionType& t : codelists.intervention_types()) {
      if (members.test(t.index) && set.test(t.index)) {
        units.push_back({static_cast<int>(TypeLevel::kType), t.index});
      }
    }
  }
  return units;
}

// The fewest precomputed periods that tile the months [first, last] of one year.
std::vector<PeriodKey> PeriodUnits(int year, int first, int last) {
  if (first == 1 && last == 12) return {PeriodKey{PeriodLevel::kYear, year, 0}};
  std::vector<PeriodKey> units;
  int month = first;
  while (month <= last) {
    const int quarter = domain::QuarterOf(month);
    const int quarter_first = quarter * 3 - 2;
    const int quarter_last = quarter * 3;
    if (month == quarter_first && quarter_last <= last) {
      units.push_back(PeriodKey{PeriodLevel::kQuarter, year, quarter});
      month = quarter_last + 1;
    } else {
      units.push_back(PeriodKey{PeriodLevel::kMonth, year, month});
      ++month;
    }
  }
  return units;
}

// The periods of the requested level that overlap [from, to], in order.
std::vector<PeriodKey> PeriodGroups(const YearMonth& from, const YearMonth& to, PeriodLevel level) {
  std::vector<PeriodKey> groups;
  for (YearMonth ym = from; ym <= to; ym = domain::NextMonth(ym)) {
    const PeriodKey key = domain::PeriodKeyOf(ym, level);
    if (groups.empty() || !(groups.back() == key)) groups.push_back(key);
  }
  return groups;
}

std::vector<int> GroupIndexes(int count_at_level) {
  std::vector<int> indexes(count_at_level);
  for (int i = 0; i < count_at_level; ++i) indexes[i] = i;
  return indexes;
}

int RegionGroupCount(const Codelists& codelists, RegionLevel level) {
  switch (level) {
    case RegionLevel::kRegion:
      return static_cast<int>(codelists.regions().size());
    case RegionLevel::kMacroArea:
      return static_cast<int>(codelists.macro_areas().size());
    case RegionLevel::kItaly:
      return 1;
  }
  return 0;
}

int TypeGroupCount(const Codelists& codelists, TypeLevel level) {
  switch (level) {
    case TypeLevel::kType:
      return static_cast<int>(codelists.intervention_types().size());
    case TypeLevel::kFamily:
      return static_cast<int>(codelists.families().size());
    case TypeLevel::kAll:
      return 1;
  }
  return 0;
}

absl::Status WorkersNotAdditiveError(int year) {
  return absl::FailedPreconditionError(absl::StrCat(
      "WORKERS for ", year,
      " comes from an imported published file, which holds distinct-worker counts per month, "
      "region and type without the workers themselves; counts of distinct workers are not "
      "additive, so they cannot be rolled up across months, regions or types. Query WORKERS at "
      "MONTH x REGION x TYPE level for that year, or load its micro-data."));
}

}  // namespace

IndexSet AllRegions(const Codelists& codelists) {
  IndexSet set;
  for (const domain::Region& r : codelists.regions()) set.set(r.index);
  return set;
}

IndexSet AllTypes(const Codelists& codelists) {
  IndexSet set;
  for (const domain::InterventionType& t : codelists.intervention_types()) set.set(t.index);
  return set;
}

absl::StatusOr<IndexSet> ResolveRegionFilter(const Codelists& codelists,
                                             const std::vector<std::string>& codes) {
  if (codes.empty()) return AllRegions(codelists);
  IndexSet set;
  for (const std::string& code : codes) {
    if (absl::StatusOr<const domain::Region*> region = codelists.FindRegion(code); region.ok()) {
      set.set((*region)->index);
      continue;
    }
    absl::StatusOr<const domain::MacroArea*> macro = codelists.FindMacroArea(code);
    if (!macro.ok()) {
      std::vector<std::string> macros;
      for (const domain::MacroArea& m : codelists.macro_areas()) macros.push_back(m.code);
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown region or macro-area '", code, "'; valid regions: ",
          codelists.JoinedRegionLabels(), "; valid macro-areas: ", absl::StrJoin(macros, ", ")));
    }
    set |= RegionsOfMacro(codelists, (*macro)->index);
  }
  return set;
}

absl::StatusOr<IndexSet> ResolveTypeFilter(const Codelists& codelists,
                                           const std::vector<std::string>& codes) {
  if (codes.empty()) return AllTypes(codelists);
  IndexSet set;
  for (const std::string& code : codes) {
    if (const domain::InterventionType* type = codelists.InterventionTypeByCode(code)) {
      set.set(type->index);
      continue;
    }
    absl::StatusOr<const domain::Family*> family = codelists.FindFamily(code);
    if (!family.ok()) {
      std::vector<std::string> families;
      for (const domain::Family& f : codelists.families()) families.push_back(f.code);
      return absl::InvalidArgumentError(
          absl::StrCat("unknown intervention type or family '", code,
                       "'; valid types: ", codelists.JoinedInterventionTypeCodes(),
                       "; valid families: ", absl::StrJoin(families, ", ")));
    }
    set |= TypesOfFamily(codelists, (*family)->index);
  }
  return set;
}

absl::StatusOr<std::vector<QueryCell>> RunQuery(const CubeState& state, const Codelists& codelists,
                                                const CubeQuery& query) {
  if (query.measures.empty()) return absl::InvalidArgumentError("measures: name at least one");
  if (!domain::IsValidYearMonth(query.from) || !domain::IsValidYearMonth(query.to)) {
    return absl::InvalidArgumentError(absl::StrCat("period: months must lie in ", domain::kMinYear,
                                                   "-01..", domain::kMaxYear, "-12"));
  }
  if (query.to < query.from) {
    return absl::InvalidArgumentError("period: 'to' is before 'from'");
  }
  const std::vector<PeriodKey> periods = PeriodGroups(query.from, query.to, query.period_level);
  const std::vector<int> region_groups =
      GroupIndexes(RegionGroupCount(codelists, query.region_level));
  const std::vector<int> type_groups = GroupIndexes(TypeGroupCount(codelists, query.type_level));

  std::vector<QueryCell> cells;
  for (const domain::Measure measure : query.measures) {
    for (const PeriodKey& period : periods) {
      const YearMonth first = std::max(domain::FirstMonthOf(period), query.from);
      const YearMonth last = std::min(domain::LastMonthOf(period), query.to);
      const std::vector<PeriodKey> period_units = PeriodUnits(period.year, first.month, last.month);
      const bool published = state.IsPublished(measure, period.year);
      const CellMap& layer = state.LayerFor(measure, period.year);
      for (const int region_group : region_groups) {
        const IndexSet regions =
            RegionGroupMembers(codelists, query.region_level, region_group) & query.regions;
        if (regions.none()) continue;
        const std::vector<Unit> region_units = RegionUnits(codelists, regions);
        for (const int type_group : type_groups) {
          const IndexSet types =
              TypeGroupMembers(codelists, query.type_level, type_group) & query.types;
          if (types.none()) continue;
          const std::vector<Unit> type_units = TypeUnits(codelists, types);

          const bool single_base_cell = period_units.size() == 1 &&
                                        period_units[0].level == PeriodLevel::kMonth &&
                                        region_units.size() == 1 && region_units[0].level == 0 &&
                                        type_units.size() == 1 && type_units[0].level == 0;
          if (published && measure == domain::Measure::kWorkers && !single_base_cell) {
            return WorkersNotAdditiveError(period.year);
          }

          CellValue combined;
          const CellValue* only = nullptr;
          int found = 0;
          for (const PeriodKey& p : period_units) {
            for (const Unit& r : region_units) {
              for (const Unit& t : type_units) {
                const CellKey key{measure,
                                  p,
                                  static_cast<RegionLevel>(r.level),
                                  r.index,
                                  static_cast<TypeLevel>(t.level),
                                  t.index};
                const auto it = layer.find(PackCellKey(key));
                if (it == layer.end()) continue;
                if (++found == 1) {
                  only = &it->second;
                } else {
                  if (found == 2) combined.MergeFrom(*only);
                  combined.MergeFrom(it->second);
                }
              }
            }
          }
          if (found == 0 && !query.dense) continue;
          QueryCell cell;
          cell.key = CellKey{measure,      period,           query.region_level,
                             region_group, query.type_level, type_group};
          cell.value = found == 0 ? 0 : (found == 1 ? only->value() : combined.value());
          cell.provenance = published ? Provenance::kPublished : Provenance::kMicroData;
          cells.push_back(cell);
        }
      }
    }
  }
  return cells;
}

}  // namespace omnia::cube

#include "libs/cube/query.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

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

// The code a region group is returned with (see api::CellToProto).
std::string_view RegionGroupCode(const Codelists& codelists, RegionLevel level, int index) {
  switch (level) {
    case RegionLevel::kRegion:
      return codelists.regions()[index].inps_label;
    case RegionLevel::kMacroArea:
      return codelists.macro_areas()[index].code;
    case RegionLevel::kItaly:
      return "ITALY";
  }
  return {};
}

std::string_view TypeGroupCode(const Codelists& codelists, TypeLevel level, int index) {
  switch (level) {
    case TypeLevel::kType:
      return codelists.intervention_types()[index].code;
    case TypeLevel::kFamily:
      return codelists.families()[index].code;
    case TypeLevel::kAll:
      return "ALL";
  }
  return {};
}

// The groups 0..count-1 in the byte order of their codes: the result order (common.proto).
template <typename CodeOf>
std::vector<size_t> InCodeOrder(int count, CodeOf code_of) {
  std::vector<size_t> order(static_cast<size_t>(count));
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // std::string_view compares bytes as unsigned char, as the contract's "byte by byte" does.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return code_of(static_cast<int>(a)) < code_of(static_cast<int>(b));
  });
  return order;
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
    // Any case (common.proto), like every input code.
    if (const domain::InterventionType* type = codelists.InterventionTypeByInputCode(code)) {
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

namespace {

// A query laid out for paging: its groups in result order (period, type group by code, region
// group by code, measure as requested; common.proto), each addressed by a position, with the
// precomputed cells that tile each group.
class QueryPlan {
 public:
  QueryPlan(const CubeState& state, const Codelists& codelists, const CubeQuery& query)
      : state_(state), query_(query) {
    periods_ = PeriodGroups(query.from, query.to, query.period_level);
    for (const PeriodKey& period : periods_) {
      const YearMonth first = std::max(domain::FirstMonthOf(period), query.from);
      const YearMonth last = std::min(domain::LastMonthOf(period), query.to);
      period_units_.push_back(PeriodUnits(period.year, first.month, last.month));
    }
    // A group cut away entirely by the filters has no units and never yields a cell.
    for (const int group : GroupIndexes(RegionGroupCount(codelists, query.region_level))) {
      const IndexSet regions =
          RegionGroupMembers(codelists, query.region_level, group) & query.regions;
      region_units_.push_back(regions.none() ? std::vector<Unit>()
                                             : RegionUnits(codelists, regions));
    }
    for (const int group : GroupIndexes(TypeGroupCount(codelists, query.type_level))) {
      const IndexSet types = TypeGroupMembers(codelists, query.type_level, group) & query.types;
      type_units_.push_back(types.none() ? std::vector<Unit>() : TypeUnits(codelists, types));
    }
    region_order_ = InCodeOrder(static_cast<int>(region_units_.size()), [&](int group) {
      return RegionGroupCode(codelists, query.region_level, group);
    });
    type_order_ = InCodeOrder(static_cast<int>(type_units_.size()), [&](int group) {
      return TypeGroupCode(codelists, query.type_level, group);
    });
  }

  uint64_t group_count() const {
    return static_cast<uint64_t>(query_.measures.size()) * periods_.size() * region_units_.size() *
           type_units_.size();
  }

  // FAILED_PRECONDITION when some group would sum WORKERS over imported published cells. Checked
  // for the whole query up front, at the cost of one pass over each dimension, so that every
  // page of a query fails alike rather than only the page that reaches such a group.
  absl::Status CheckWorkersAdditive() const {
    if (std::find(query_.measures.begin(), query_.measures.end(), domain::Measure::kWorkers) ==
        query_.measures.end()) {
      return absl::OkStatus();
    }
    const auto single = [](const std::vector<Unit>& units) {
      return units.size() == 1 && units[0].level == 0;
    };
    const auto present = [](const std::vector<Unit>& units) { return !units.empty(); };
    const auto any_of = [](const std::vector<std::vector<Unit>>& groups, auto predicate) {
      return std::any_of(groups.begin(), groups.end(), predicate);
    };
    if (!any_of(region_units_, present) || !any_of(type_units_, present)) return absl::OkStatus();
    const bool rolled_up_dimension =
        any_of(region_units_, [&](const auto& u) { return present(u) && !single(u); }) ||
        any_of(type_units_, [&](const auto& u) { return present(u) && !single(u); });
    for (size_t p = 0; p < periods_.size(); ++p) {
      if (!state_.IsPublished(domain::Measure::kWorkers, periods_[p].year)) continue;
      const bool single_month =
          period_units_[p].size() == 1 && period_units_[p][0].level == PeriodLevel::kMonth;
      if (rolled_up_dimension || !single_month) return WorkersNotAdditiveError(periods_[p].year);
    }
    return absl::OkStatus();
  }

  // The cell of the group at `position`, if the query returns one for it.
  std::optional<QueryCell> Evaluate(uint64_t position) const {
    const domain::Measure measure = query_.measures[position % query_.measures.size()];
    position /= query_.measures.size();
    const size_t region_group = region_order_[position % region_units_.size()];
    position /= region_units_.size();
    const size_t type_group = type_order_[position % type_units_.size()];
    const size_t period_index = position / type_units_.size();
    const std::vector<Unit>& region_units = region_units_[region_group];
    const std::vector<Unit>& type_units = type_units_[type_group];
    if (region_units.empty() || type_units.empty()) return std::nullopt;

    const PeriodKey& period = periods_[period_index];
    const bool published = state_.IsPublished(measure, period.year);
    const CellMap& layer = state_.LayerFor(measure, period.year);
    CellValue combined;
    const CellValue* only = nullptr;
    int found = 0;
    for (const PeriodKey& p : period_units_[period_index]) {
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
    if (found == 0 && !query_.dense) return std::nullopt;
    QueryCell cell;
    cell.key = CellKey{measure,
                       period,
                       query_.region_level,
                       static_cast<int>(region_group),
                       query_.type_level,
                       static_cast<int>(type_group)};
    cell.value = found == 0 ? 0 : (found == 1 ? only->value() : combined.value());
    cell.provenance = published ? Provenance::kPublished : Provenance::kMicroData;
    return cell;
  }

 private:
  const CubeState& state_;
  const CubeQuery& query_;
  std::vector<PeriodKey> periods_;
  std::vector<std::vector<PeriodKey>> period_units_;  // per period group
  std::vector<std::vector<Unit>> region_units_;       // per region group; empty when filtered out
  std::vector<std::vector<Unit>> type_units_;         // per type group; empty when filtered out
  std::vector<size_t> region_order_;                  // region groups in code order
  std::vector<size_t> type_order_;                    // type groups in code order
};

absl::Status ValidateQuery(const CubeQuery& query) {
  if (query.measures.empty()) return absl::InvalidArgumentError("measures: name at least one");
  if (!domain::IsValidYearMonth(query.from) || !domain::IsValidYearMonth(query.to)) {
    return absl::InvalidArgumentError(absl::StrCat("period: months must lie in ", domain::kMinYear,
                                                   "-01..", domain::kMaxYear, "-12"));
  }
  if (query.to < query.from) {
    return absl::InvalidArgumentError("period: 'to' is before 'from'");
  }
  return absl::OkStatus();
}

absl::StatusOr<QueryPage> RunPage(const CubeState& state, const Codelists& codelists,
                                  const CubeQuery& query, uint64_t start, size_t max_cells,
                                  uint64_t max_groups) {
  if (absl::Status s = ValidateQuery(query); !s.ok()) return s;
  const QueryPlan plan(state, codelists, query);
  if (absl::Status s = plan.CheckWorkersAdditive(); !s.ok()) return s;
  const uint64_t end = query.empty_result ? 0 : plan.group_count();
  if (start > end) return absl::InvalidArgumentError("page_token: past the end of the query");
  QueryPage page;
  for (uint64_t position = start; position < end; ++position) {
    if (page.groups_visited == max_groups) {
      page.next_position = position;
      break;
    }
    ++page.groups_visited;
    std::optional<QueryCell> cell = plan.Evaluate(position);
    if (!cell.has_value()) continue;
    // The page is full: the next one starts at this cell, found by looking ahead within the
    // same bound so that the last page is rarely an empty one.
    if (page.cells.size() == max_cells) {
      page.next_position = position;
      break;
    }
    page.cells.push_back(*cell);
  }
  return page;
}

}  // namespace

absl::StatusOr<QueryPage> RunQueryPage(const CubeState& state, const Codelists& codelists,
                                       const CubeQuery& query, uint64_t start, size_t max_cells) {
  if (max_cells == 0) return absl::InvalidArgumentError("page_size: must be positive");
  const uint64_t max_groups =
      max_cells > UINT64_MAX / kGroupsPerPageCell ? UINT64_MAX : max_cells * kGroupsPerPageCell;
  return RunPage(state, codelists, query, start, max_cells, max_groups);
}

absl::StatusOr<std::vector<QueryCell>> RunQuery(const CubeState& state, const Codelists& codelists,
                                                const CubeQuery& query) {
  absl::StatusOr<QueryPage> all = RunPage(state, codelists, query, 0, SIZE_MAX, UINT64_MAX);
  if (!all.ok()) return all.status();
  return std::move(all->cells);
}

}  // namespace omnia::cube

#include "libs/export/internal/table.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/base/string_view.h"

namespace omnia::exporter::internal {
namespace {

// Ranks and dense indices are packed into 8-bit fields of the sort key.
constexpr int kMaxMembers = 255;

// Position of each string in byte-wise order: ranks[i] is the rank of texts[i].
template <typename Texts, typename TextOf>
std::vector<int> ByteWiseRanks(const Texts& texts, TextOf&& text_of) {
  std::vector<int> order(texts.size());
  std::iota(order.begin(), order.end(), 0);
  // std::string comparison is char_traits<char>::compare, which compares as unsigned bytes.
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return text_of(texts[a]) < text_of(texts[b]); });
  std::vector<int> ranks(texts.size());
  for (size_t rank = 0; rank < order.size(); ++rank) ranks[order[rank]] = static_cast<int>(rank);
  return ranks;
}

bool ValidLevels(const Levels& levels) {
  // Unsigned casts also reject negative values of the int-based PeriodLevel.
  return static_cast<unsigned>(levels.period) <= 2 && static_cast<unsigned>(levels.region) <= 2 &&
         static_cast<unsigned>(levels.type) <= 2;
}

std::string LevelsText(const Levels& levels) {
  return absl::StrCat(AsAbsl(domain::PeriodLevelCode(levels.period)), " x ",
                      AsAbsl(cube::RegionLevelCode(levels.region)), " x ",
                      AsAbsl(cube::TypeLevelCode(levels.type)));
}

absl::Status CellError(size_t position, std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("cells[", position, "]: ", AsAbsl(reason)));
}

}  // namespace

Members::Members(const domain::Codelists& codelists) {
  using cube::RegionLevel;
  using cube::TypeLevel;
  auto& regions = regions_[static_cast<int>(RegionLevel::kRegion)];
  for (const domain::Region& region : codelists.regions()) {
    regions.push_back(MemberText{region.inps_label, region.display_name, region.istat_code,
                                 absl::StrJoin(region.nuts2_codes, "+")});
  }
  auto& macro_areas = regions_[static_cast<int>(RegionLevel::kMacroArea)];
  for (const domain::MacroArea& area : codelists.macro_areas()) {
    // The ISTAT ripartizione code is the macro-area's position in ISTAT order, which is the
    // order of the codelist (Nord-Ovest 1 ... Isole 5).
    macro_areas.push_back(
        MemberText{area.code, area.name, absl::StrCat(area.index + 1), area.nuts1_code});
  }
  regions_[static_cast<int>(RegionLevel::kItaly)].push_back(
      MemberText{"ITALY", "Italia", "", "IT"});

  auto& types = types_[static_cast<int>(TypeLevel::kType)];
  for (const domain::InterventionType& type : codelists.intervention_types()) {
    types.push_back(MemberText{type.code, type.description, "", ""});
  }
  auto& families = types_[static_cast<int>(TypeLevel::kFamily)];
  for (const domain::Family& family : codelists.families()) {
    families.push_back(MemberText{family.code, family.name, "", ""});
  }
  types_[static_cast<int>(TypeLevel::kAll)].push_back(
      MemberText{"ALL", "Tutti gli interventi", "", ""});

  for (const domain::Month& month : codelists.months()) month_names_.push_back(month.italian_name);
}

absl::StatusOr<Table> BuildTable(const ExportInput& input, const Members& members, RowOrder order) {
  Table table;

  // Measure columns.
  std::array<int, domain::kAllMeasures.size()> column_of;
  column_of.fill(-1);
  const auto add_measure = [&](domain::Measure measure) {
    column_of[static_cast<size_t>(measure)] = static_cast<int>(table.measures.size());
    table.measures.push_back(measure);
  };
  const auto valid_measure = [](domain::Measure measure) {
    return static_cast<size_t>(measure) < domain::kAllMeasures.size();
  };
  if (!input.measures.empty()) {
    for (size_t i = 0; i < input.measures.size(); ++i) {
      const domain::Measure measure = input.measures[i];
      if (!valid_measure(measure)) {
        return absl::InvalidArgumentError(absl::StrCat("measures[", i, "]: unknown measure"));
      }
      if (column_of[static_cast<size_t>(measure)] >= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "measures[", i, "]: ", AsAbsl(domain::MeasureCode(measure)), " listed twice"));
      }
      add_measure(measure);
    }
  } else {
    for (size_t i = 0; i < input.cells.size(); ++i) {
      const domain::Measure measure = input.cells[i].key.measure;
      if (!valid_measure(measure)) return CellError(i, "unknown measure");
      if (column_of[static_cast<size_t>(measure)] < 0) add_measure(measure);
    }
    if (table.measures.empty()) {
      if (!valid_measure(input.info.measure)) {
        return absl::InvalidArgumentError("info.measure: unknown measure");
      }
      add_measure(input.info.measure);
    }
  }

  // Levels.
  if (input.levels.has_value()) {
    table.levels = *input.levels;
  } else if (!input.cells.empty()) {
    const cube::CellKey& first = input.cells.front().key;
    table.levels = Levels{first.period.level, first.region_level, first.type_level};
  }
  if (!ValidLevels(table.levels)) return absl::InvalidArgumentError("levels: unknown level");
  const auto& region_members = members.regions(table.levels.region);
  const auto& type_members = members.types(table.levels.type);
  if (region_members.size() > kMaxMembers || type_members.size() > kMaxMembers) {
    return absl::InvalidArgumentError(
        absl::StrCat("codelists: more than ", kMaxMembers, " members at one level"));
  }

  // Sort ranks. Region and type codes compare byte by byte in both orders; periods compare by
  // their written text in INPS order (month names, quarter digits) and chronologically in
  // calendar order.
  const auto code_of = [](const MemberText& member) -> const std::string& { return member.code; };
  const std::vector<int> region_rank = ByteWiseRanks(region_members, code_of);
  const std::vector<int> type_rank = ByteWiseRanks(type_members, code_of);
  std::vector<int> month_rank(12);
  if (order == RowOrder::kInps) {
    month_rank = ByteWiseRanks(
        members.month_names(), [](const std::string& s) -> const auto& { return s; });
  } else {
    std::iota(month_rank.begin(), month_rank.end(), 0);
  }
  if (month_rank.size() != 12) return absl::InternalError("codelists: expected 12 months");

  // Sort key, most significant first: year (16 bits), period rank, type rank, region rank,
  // measure column (8 bits each).
  std::vector<std::pair<uint64_t, uint32_t>> entries;
  entries.reserve(input.cells.size());
  for (size_t i = 0; i < input.cells.size(); ++i) {
    const cube::CellKey& key = input.cells[i].key;
    if (!valid_measure(key.measure)) return CellError(i, "unknown measure");
    const int column = column_of[static_cast<size_t>(key.measure)];
    if (column < 0) {
      return CellError(i, absl::StrCat("measure ", AsAbsl(domain::MeasureCode(key.measure)),
                                       " is not among the measures to export"));
    }
    const Levels levels{key.period.level, key.region_level, key.type_level};
    if (levels.period != table.levels.period || levels.region != table.levels.region ||
        levels.type != table.levels.type) {
      if (!ValidLevels(levels)) return CellError(i, "unknown level");
      return CellError(i, absl::StrCat("levels ", LevelsText(levels), " differ from ",
                                       LevelsText(table.levels)));
    }
    if (key.period.year < domain::kMinYear || key.period.year > domain::kMaxYear) {
      return CellError(i, absl::StrCat("year ", key.period.year, " out of range"));
    }
    int period_rank = 0;
    switch (key.period.level) {
      case domain::PeriodLevel::kMonth:
        if (key.period.index < 1 || key.period.index > 12) {
          return CellError(i, absl::StrCat("month ", key.period.index, " out of range"));
        }
        period_rank = month_rank[key.period.index - 1];
        break;
      case domain::PeriodLevel::kQuarter:
        if (key.period.index < 1 || key.period.index > 4) {
          return CellError(i, absl::StrCat("quarter ", key.period.index, " out of range"));
        }
        period_rank = key.period.index;
        break;
      case domain::PeriodLevel::kYear:
        if (key.period.index != 0) {
          return CellError(i, absl::StrCat("year period with index ", key.period.index));
        }
        break;
    }
    if (key.region < 0 || static_cast<size_t>(key.region) >= region_members.size()) {
      return CellError(i, absl::StrCat("region index ", key.region, " out of range at level ",
                                       AsAbsl(cube::RegionLevelCode(key.region_level))));
    }
    if (key.type < 0 || static_cast<size_t>(key.type) >= type_members.size()) {
      return CellError(i, absl::StrCat("type index ", key.type, " out of range at level ",
                                       AsAbsl(cube::TypeLevelCode(key.type_level))));
    }
    const uint64_t sort_key = (static_cast<uint64_t>(key.period.year) << 32) |
                              (static_cast<uint64_t>(period_rank) << 24) |
                              (static_cast<uint64_t>(type_rank[key.type]) << 16) |
                              (static_cast<uint64_t>(region_rank[key.region]) << 8) |
                              static_cast<uint64_t>(column);
    entries.emplace_back(sort_key, static_cast<uint32_t>(i));
  }
  std::sort(entries.begin(), entries.end());

  const size_t width = table.measures.size();
  for (size_t e = 0; e < entries.size(); ++e) {
    const auto [sort_key, position] = entries[e];
    if (e > 0 && entries[e - 1].first == sort_key) {
      return CellError(position,
                       absl::StrCat("same measure and key as cells[", entries[e - 1].second, "]"));
    }
    if (e == 0 || (entries[e - 1].first >> 8) != (sort_key >> 8)) {
      const cube::CellKey& key = input.cells[position].key;
      table.keys.push_back(RowKey{key.period, key.region, key.type});
      table.slots.resize(table.slots.size() + width);
    }
    const cube::QueryCell& cell = input.cells[position];
    Slot& slot = table.slots[(table.keys.size() - 1) * width + (sort_key & 0xff)];
    slot = Slot{cell.value, cell.provenance, true};
  }
  table.cell_count = entries.size();
  return table;
}

absl::Status ValidateInfo(const DatasetInfo& info) {
  for (const auto& [name, value] :
       {std::pair<std::string_view, const std::string*>{"published_on", &info.published_on},
        {"updated_on", &info.updated_on}}) {
    if (value->empty()) continue;
    const absl::StatusOr<domain::Date> date = domain::ParseIsoDate(*value);
    if (!date.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("info.", AsAbsl(name), ": ", date.status().message()));
    }
  }
  for (const auto& [name, year] : {std::pair<std::string_view, int>{"first_year", info.first_year},
                                   {"last_year", info.last_year}}) {
    if (year != 0 && (year < domain::kMinYear || year > domain::kMaxYear)) {
      return absl::InvalidArgumentError(
          absl::StrCat("info.", AsAbsl(name), ": year ", year, " out of range"));
    }
  }
  return absl::OkStatus();
}

std::string_view ProvenanceCode(cube::Provenance provenance) {
  return provenance == cube::Provenance::kPublished ? "PUBLISHED" : "MICRO_DATA";
}

void PutPeriodCode(ChunkWriter& out, const domain::PeriodKey& period) {
  out.PutInt(period.year);
  switch (period.level) {
    case domain::PeriodLevel::kMonth:
      out.PutChar('-');
      out.PutChar(static_cast<char>('0' + period.index / 10));
      out.PutChar(static_cast<char>('0' + period.index % 10));
      break;
    case domain::PeriodLevel::kQuarter:
      out.Put("-Q");
      out.PutChar(static_cast<char>('0' + period.index));
      break;
    case domain::PeriodLevel::kYear:
      break;
  }
}

absl::StatusOr<StructuredInput> PrepareStructured(const ExportInput& input) {
  if (input.codelists == nullptr) return absl::InvalidArgumentError("codelists: not set");
  if (absl::Status status = ValidateInfo(input.info); !status.ok()) return status;
  StructuredInput prepared{Members(*input.codelists), Table()};
  absl::StatusOr<Table> table = BuildTable(input, prepared.members, RowOrder::kCalendar);
  if (!table.ok()) return table.status();
  prepared.table = *std::move(table);
  return prepared;
}

}  // namespace omnia::exporter::internal

#include "libs/domain/codelists.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "libs/domain/internal/text.h"
#include "libs/domain/period.h"

namespace omnia::domain {
namespace {

using internal::Quote;

// The built-in tables. Sources: ISTAT region codes and macro-areas ("ripartizioni geografiche"),
// Eurostat NUTS 2021 for Italy, and the labels and type codes found in INPS's published files.
struct MacroAreaRow {
  std::string_view code;
  std::string_view name;
  std::string_view nuts1;
};

constexpr MacroAreaRow kMacroAreaRows[] = {
    {"NORD_OVEST", "Nord-Ovest", "ITC"}, {"NORD_EST", "Nord-Est", "ITH"},
    {"CENTRO", "Centro", "ITI"},         {"SUD", "Sud", "ITF"},
    {"ISOLE", "Isole", "ITG"},
};

struct RegionRow {
  std::string_view inps_label;
  std::string_view istat_code;
  std::string_view nuts2_first;
  std::string_view nuts2_second;  // empty unless the region spans two NUTS-2 units
  std::string_view display_name;
  std::string_view macro_area;
};

// ISTAT order; a region's position is its published index and must never change.
constexpr RegionRow kRegionRows[] = {
    {"PIEMONTE", "01", "ITC1", "", "Piemonte", "NORD_OVEST"},
    {"VALLE_D'AOSTA", "02", "ITC2", "", "Valle d'Aosta/Vallée d'Aoste", "NORD_OVEST"},
    {"LOMBARDIA", "03", "ITC4", "", "Lombardia", "NORD_OVEST"},
    // NUTS splits the region into its two autonomous provinces, Bolzano (ITH1) and Trento (ITH2).
    {"TRENTINO_ALTO_ADIGE", "04", "ITH1", "ITH2", "Trentino-Alto Adige/Südtirol", "NORD_EST"},
    {"VENETO", "05", "ITH3", "", "Veneto", "NORD_EST"},
    {"FRIULI_VENEZIA_GIULIA", "06", "ITH4", "", "Friuli-Venezia Giulia", "NORD_EST"},
    {"LIGURIA", "07", "ITC3", "", "Liguria", "NORD_OVEST"},
    {"EMILIA_ROMAGNA", "08", "ITH5", "", "Emilia-Romagna", "NORD_EST"},
    {"TOSCANA", "09", "ITI1", "", "Toscana", "CENTRO"},
    {"UMBRIA", "10", "ITI2", "", "Umbria", "CENTRO"},
    {"MARCHE", "11", "ITI3", "", "Marche", "CENTRO"},
    {"LAZIO", "12", "ITI4", "", "Lazio", "CENTRO"},
    {"ABRUZZO", "13", "ITF1", "", "Abruzzo", "SUD"},
    {"MOLISE", "14", "ITF2", "", "Molise", "SUD"},
    {"CAMPANIA", "15", "ITF3", "", "Campania", "SUD"},
    {"PUGLIA", "16", "ITF4", "", "Puglia", "SUD"},
    {"BASILICATA", "17", "ITF5", "", "Basilicata", "SUD"},
    {"CALABRIA", "18", "ITF6", "", "Calabria", "SUD"},
    {"SICILIA", "19", "ITG1", "", "Sicilia", "ISOLE"},
    {"SARDEGNA", "20", "ITG2", "", "Sardegna", "ISOLE"},
};

struct FamilyRow {
  std::string_view code;
  std::string_view name;
};

constexpr FamilyRow kFamilyRows[] = {
    {"CIG", "Cassa integrazione guadagni"},
    {"FONDI", "Fondi di solidarietà"},
};

struct TypeRow {
  std::string_view code;
  std::string_view description;
  std::string_view family;
};

constexpr TypeRow kTypeRows[] = {
    {"CIGO", "Cassa integrazione guadagni ordinaria", "CIG"},
    {"CIGS", "Cassa integrazione guadagni straordinaria", "CIG"},
    {"CIGD", "Cassa integrazione guadagni in deroga", "CIG"},
    {"FIS", "Fondo di integrazione salariale", "FONDI"},
    {"FONDI_Centrali", "Fondi di solidarietà bilaterali nazionali", "FONDI"},
    // Only the autonomous provinces of Trento and Bolzano have territorial funds.
    {"FONDI_Territorio",
     "Fondi di solidarietà territoriali intersettoriali (province autonome di Trento e Bolzano)",
     "FONDI"},
};

// FindRegion's notion of equality: ASCII case-insensitive, with space, hyphen and underscore
// interchangeable, because people write "Emilia Romagna", "Emilia-Romagna" and "EMILIA_ROMAGNA".
char LooseFold(char c) {
  if (c >= 'a' && c <= 'z') return static_cast<char>(c - 'a' + 'A');
  if (c == ' ' || c == '-') return '_';
  return c;
}

bool LooseEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LooseFold(a[i]) != LooseFold(b[i])) return false;
  }
  return true;
}

// Every key FindRegion accepts for a region.
std::vector<std::string_view> RegionKeys(const Region& region) {
  std::vector<std::string_view> keys = {region.inps_label, region.istat_code, region.display_name};
  for (const std::string& nuts2 : region.nuts2_codes) keys.push_back(nuts2);
  const std::string_view display = region.display_name;
  if (const size_t slash = display.find('/'); slash != std::string_view::npos) {
    keys.push_back(display.substr(0, slash));
  }
  return keys;
}

// Codes travel unquoted through CSV files and storage keys.
bool IsSafeCode(std::string_view code) {
  if (code.empty()) return false;
  for (const char c : code) {
    if (c <= ' ' || c > '~' || c == ',' || c == '"') return false;
  }
  return true;
}

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(internal::Cat("invalid codelists: ", what));
}

template <typename T>
absl::Status CheckIndices(const std::vector<T>& items, std::string_view kind) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].index != static_cast<int>(i)) {
      return Invalid(internal::Cat(kind, " at position ", i, " has index ", items[i].index));
    }
  }
  if (items.empty()) return Invalid(internal::Cat("no ", kind, " entries"));
  return absl::OkStatus();
}

// Code and name of macro-areas / families must be unique ignoring case, across both fields, since
// FindMacroArea and FindFamily accept either.
template <typename T>
absl::Status CheckCodeAndNameUnique(const std::vector<T>& items, std::string_view kind) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (!IsSafeCode(items[i].code) || items[i].name.empty()) {
      return Invalid(internal::Cat(kind, " ", i, " has an invalid code or empty name"));
    }
    for (size_t j = 0; j < i; ++j) {
      for (const std::string_view a :
           {std::string_view(items[i].code), std::string_view(items[i].name)}) {
        for (const std::string_view b :
             {std::string_view(items[j].code), std::string_view(items[j].name)}) {
          if (internal::EqualsIgnoreCase(a, b)) {
            return Invalid(internal::Cat(kind, " key ", Quote(a), " is not unique"));
          }
        }
      }
    }
  }
  return absl::OkStatus();
}

template <typename T, typename Key>
std::string JoinKeys(const std::vector<T>& items, Key key) {
  return absl::StrJoin(items, ", ",
                       [&key](std::string* out, const T& item) { out->append(key(item)); });
}

}  // namespace

absl::StatusOr<Codelists> Codelists::Create(std::string version, std::vector<MacroArea> macro_areas,
                                            std::vector<Region> regions,
                                            std::vector<Family> families,
                                            std::vector<InterventionType> intervention_types,
                                            std::vector<Month> months) {
  if (version.empty()) return Invalid("empty version");
  if (absl::Status s = CheckIndices(macro_areas, "macro-area"); !s.ok()) return s;
  if (absl::Status s = CheckIndices(regions, "region"); !s.ok()) return s;
  if (absl::Status s = CheckIndices(families, "family"); !s.ok()) return s;
  if (absl::Status s = CheckIndices(intervention_types, "intervention type"); !s.ok()) return s;
  if (absl::Status s = CheckCodeAndNameUnique(macro_areas, "macro-area"); !s.ok()) return s;
  if (absl::Status s = CheckCodeAndNameUnique(families, "family"); !s.ok()) return s;

  Codelists lists;
  for (const Region& region : regions) {
    if (!IsSafeCode(region.inps_label) || region.istat_code.empty() || region.nuts2_codes.empty() ||
        region.display_name.empty()) {
      return Invalid(internal::Cat("region ", region.index, " has an empty or unsafe field"));
    }
    int parent = -1;
    for (const MacroArea& area : macro_areas) {
      if (area.code == region.macro_area_code) parent = area.index;
    }
    if (parent < 0) {
      return Invalid(internal::Cat("region ", Quote(region.inps_label),
                                   " names unknown macro-area ", Quote(region.macro_area_code)));
    }
    lists.region_macro_area_.push_back(parent);
  }
  for (size_t i = 0; i < regions.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      for (const std::string_view a : RegionKeys(regions[i])) {
        for (const std::string_view b : RegionKeys(regions[j])) {
          if (LooseEquals(a, b)) {
            return Invalid(internal::Cat("region key ", Quote(a), " is not unique"));
          }
        }
      }
    }
  }
  for (size_t i = 0; i < intervention_types.size(); ++i) {
    const InterventionType& type = intervention_types[i];
    if (!IsSafeCode(type.code) || type.description.empty()) {
      return Invalid(internal::Cat("intervention type ", i, " has an invalid code or description"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (internal::EqualsIgnoreCase(type.code, intervention_types[j].code)) {
        return Invalid(
            internal::Cat("intervention type code ", Quote(type.code), " is not unique"));
      }
    }
    int parent = -1;
    for (const Family& family : families) {
      if (family.code == type.family_code) parent = family.index;
    }
    if (parent < 0) {
      return Invalid(internal::Cat("intervention type ", Quote(type.code), " names unknown family ",
                                   Quote(type.family_code)));
    }
    lists.type_family_.push_back(parent);
  }
  if (months.size() != 12) return Invalid("there must be 12 months");
  for (size_t i = 0; i < months.size(); ++i) {
    if (months[i].number != static_cast<int>(i) + 1 || months[i].italian_name.empty()) {
      return Invalid(internal::Cat("month at position ", i, " is not month ", i + 1));
    }
    for (size_t j = 0; j < i; ++j) {
      if (internal::EqualsIgnoreCase(months[i].italian_name, months[j].italian_name)) {
        return Invalid(internal::Cat("month name ", Quote(months[i].italian_name), " repeats"));
      }
    }
  }

  lists.version_ = std::move(version);
  lists.macro_areas_ = std::move(macro_areas);
  lists.regions_ = std::move(regions);
  lists.families_ = std::move(families);
  lists.intervention_types_ = std::move(intervention_types);
  lists.months_ = std::move(months);
  for (const Region& region : lists.regions_) {
    lists.region_by_label_.emplace(region.inps_label, region.index);
  }
  for (const InterventionType& type : lists.intervention_types_) {
    lists.type_by_code_.emplace(type.code, type.index);
  }
  return lists;
}

Codelists Codelists::Builtin() {
  std::vector<MacroArea> macro_areas;
  for (const MacroAreaRow& row : kMacroAreaRows) {
    macro_areas.push_back(MacroArea{static_cast<int>(macro_areas.size()), std::string(row.code),
                                    std::string(row.name), std::string(row.nuts1)});
  }
  std::vector<Region> regions;
  for (const RegionRow& row : kRegionRows) {
    Region region;
    region.index = static_cast<int>(regions.size());
    region.inps_label = std::string(row.inps_label);
    region.istat_code = std::string(row.istat_code);
    region.nuts2_codes.emplace_back(row.nuts2_first);
    if (!row.nuts2_second.empty()) region.nuts2_codes.emplace_back(row.nuts2_second);
    region.display_name = std::string(row.display_name);
    region.macro_area_code = std::string(row.macro_area);
    regions.push_back(std::move(region));
  }
  std::vector<Family> families;
  for (const FamilyRow& row : kFamilyRows) {
    families.push_back(
        Family{static_cast<int>(families.size()), std::string(row.code), std::string(row.name)});
  }
  std::vector<InterventionType> types;
  for (const TypeRow& row : kTypeRows) {
    types.push_back(InterventionType{static_cast<int>(types.size()), std::string(row.code),
                                     std::string(row.description), std::string(row.family)});
  }
  std::vector<Month> months;
  for (int m = 1; m <= 12; ++m) months.push_back(Month{m, std::string(ItalianMonthName(m))});

  absl::StatusOr<Codelists> lists =
      Create(std::string(kBuiltinVersion), std::move(macro_areas), std::move(regions),
             std::move(families), std::move(types), std::move(months));
  if (!lists.ok()) {
    // The tables above are constants checked by the unit tests; failing here is a programming
    // error that must not be served.
    std::fprintf(stderr, "built-in codelists are invalid: %s\n",
                 std::string(lists.status().message()).c_str());
    std::abort();
  }
  return *std::move(lists);
}

absl::StatusOr<const Region*> Codelists::FindRegion(std::string_view key) const {
  for (const Region& region : regions_) {
    for (const std::string_view candidate : RegionKeys(region)) {
      if (LooseEquals(key, candidate)) return &region;
    }
  }
  return absl::InvalidArgumentError(internal::Cat(
      "unknown region ", Quote(key),
      "; expected an INPS label, ISTAT code, NUTS-2 code or name; valid INPS labels: ",
      JoinedRegionLabels()));
}

absl::StatusOr<const MacroArea*> Codelists::FindMacroArea(std::string_view key) const {
  for (const MacroArea& area : macro_areas_) {
    if (internal::EqualsIgnoreCase(key, area.code) || internal::EqualsIgnoreCase(key, area.name)) {
      return &area;
    }
  }
  return absl::InvalidArgumentError(internal::Cat(
      "unknown macro-area ", Quote(key),
      "; valid codes: ", JoinKeys(macro_areas_, [](const MacroArea& a) { return a.code; })));
}

absl::StatusOr<const InterventionType*> Codelists::FindInterventionType(
    std::string_view code) const {
  if (const InterventionType* exact = InterventionTypeByCode(code)) return exact;
  for (const InterventionType& type : intervention_types_) {
    if (internal::EqualsIgnoreCase(code, type.code)) return &type;
  }
  return absl::InvalidArgumentError(internal::Cat(
      "unknown intervention type ", Quote(code), "; valid codes: ", JoinedInterventionTypeCodes()));
}

absl::StatusOr<const Family*> Codelists::FindFamily(std::string_view key) const {
  for (const Family& family : families_) {
    if (internal::EqualsIgnoreCase(key, family.code) ||
        internal::EqualsIgnoreCase(key, family.name)) {
      return &family;
    }
  }
  return absl::InvalidArgumentError(internal::Cat(
      "unknown intervention family ", Quote(key),
      "; valid codes: ", JoinKeys(families_, [](const Family& f) { return f.code; })));
}

absl::StatusOr<int> Codelists::FindMonthByItalianName(std::string_view name) const {
  for (const Month& month : months_) {
    if (internal::EqualsIgnoreCase(name, month.italian_name)) return month.number;
  }
  return absl::InvalidArgumentError(
      internal::Cat("unknown month ", Quote(name), "; valid Italian month names: ",
                    JoinKeys(months_, [](const Month& m) { return m.italian_name; })));
}

absl::StatusOr<std::vector<const Region*>> Codelists::RegionsOfMacroArea(
    std::string_view key) const {
  absl::StatusOr<const MacroArea*> area = FindMacroArea(key);
  if (!area.ok()) return area.status();
  std::vector<const Region*> result;
  for (const Region& region : regions_) {
    if (region_macro_area_[static_cast<size_t>(region.index)] == (*area)->index) {
      result.push_back(&region);
    }
  }
  return result;
}

absl::StatusOr<std::vector<const InterventionType*>> Codelists::TypesOfFamily(
    std::string_view key) const {
  absl::StatusOr<const Family*> family = FindFamily(key);
  if (!family.ok()) return family.status();
  std::vector<const InterventionType*> result;
  for (const InterventionType& type : intervention_types_) {
    if (type_family_[static_cast<size_t>(type.index)] == (*family)->index) result.push_back(&type);
  }
  return result;
}

size_t Codelists::CodeHash::operator()(std::string_view code) const {
  const size_t n = code.size();
  uint64_t head = 0;
  uint64_t tail = 0;
  // Fixed-size loads only (overlapping when the code is shorter than two of them): a copy of
  // a variable length is a call to memmove, which cost more than the rest of the hash.
  if (n >= sizeof(head)) {
    std::memcpy(&head, code.data(), sizeof(head));
    std::memcpy(&tail, code.data() + n - sizeof(tail), sizeof(tail));
  } else if (n >= sizeof(uint32_t)) {
    uint32_t first = 0;
    uint32_t last = 0;
    std::memcpy(&first, code.data(), sizeof(first));
    std::memcpy(&last, code.data() + n - sizeof(last), sizeof(last));
    head = (uint64_t{last} << 32) | first;
  } else if (n > 0) {
    const auto byte = [&](size_t i) { return uint64_t{static_cast<unsigned char>(code[i])}; };
    head = (byte(0) << 16) | (byte(n / 2) << 8) | byte(n - 1);
  }
  // Multiplicative mixing; the final shift folds high bits into the low ones the table also uses.
  const uint64_t mixed = (head ^ (tail * 0x9E3779B97F4A7C15ULL) ^ n) * 0xC2B2AE3D27D4EB4FULL;
  return static_cast<size_t>(mixed ^ (mixed >> 29));
}

const Region* Codelists::RegionByInpsLabel(std::string_view label) const {
  auto it = region_by_label_.find(label);
  return it == region_by_label_.end() ? nullptr : &regions_[static_cast<size_t>(it->second)];
}

const InterventionType* Codelists::InterventionTypeByCode(std::string_view code) const {
  auto it = type_by_code_.find(code);
  return it == type_by_code_.end() ? nullptr
                                   : &intervention_types_[static_cast<size_t>(it->second)];
}

const Region* Codelists::RegionByInputCode(std::string_view code) const {
  if (const Region* exact = RegionByInpsLabel(code)) return exact;
  for (const Region& region : regions_) {
    if (code == region.istat_code || internal::EqualsIgnoreCase(code, region.inps_label)) {
      return &region;
    }
  }
  return nullptr;
}

const InterventionType* Codelists::InterventionTypeByInputCode(std::string_view code) const {
  if (const InterventionType* exact = InterventionTypeByCode(code)) return exact;
  for (const InterventionType& type : intervention_types_) {
    if (internal::EqualsIgnoreCase(code, type.code)) return &type;
  }
  return nullptr;
}

const MacroArea& Codelists::MacroAreaOf(const Region& region) const {
  return macro_areas_[static_cast<size_t>(region_macro_area_[static_cast<size_t>(region.index)])];
}

const Family& Codelists::FamilyOf(const InterventionType& type) const {
  return families_[static_cast<size_t>(type_family_[static_cast<size_t>(type.index)])];
}

std::string Codelists::JoinedRegionLabels() const {
  return JoinKeys(regions_, [](const Region& r) { return r.inps_label; });
}

std::string Codelists::JoinedInterventionTypeCodes() const {
  return JoinKeys(intervention_types_, [](const InterventionType& t) { return t.code; });
}

}  // namespace omnia::domain

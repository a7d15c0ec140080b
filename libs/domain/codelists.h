// Versioned codelists of the published statistics: regions, macro-areas, intervention types and
// their families, Italian month names.
//
// The lists are data, not enums: the catalogue serves them, and a new intervention type or a new
// version can be introduced through Codelists::Create without touching the API contracts. Entries
// carry a dense `index` (their position in the list) that the cubes use as a compact key; indices
// of the built-in lists never change once published.
#ifndef OMNIA_LIBS_DOMAIN_CODELISTS_H_
#define OMNIA_LIBS_DOMAIN_CODELISTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace omnia::domain {

// An ISTAT macro-area (NUTS-1 region of Italy).
struct MacroArea {
  int index = 0;
  std::string code;        // "NORD_OVEST", "NORD_EST", "CENTRO", "SUD", "ISOLE"
  std::string name;        // "Nord-Ovest", ...
  std::string nuts1_code;  // "ITC", "ITH", "ITI", "ITF", "ITG"
};

// One of the 20 Italian regions.
struct Region {
  int index = 0;                         // 0..19, ISTAT order
  std::string inps_label;                // as in INPS files: "EMILIA_ROMAGNA", "VALLE_D'AOSTA"
  std::string istat_code;                // "01".."20"
  std::vector<std::string> nuts2_codes;  // NUTS 2021; Trentino-Alto Adige has ITH1 and ITH2
  std::string display_name;              // official name: "Valle d'Aosta/Vallée d'Aoste"
  std::string macro_area_code;           // MacroArea::code
};

// A family of intervention types, the rollup level above the type.
struct Family {
  int index = 0;
  std::string code;  // "CIG", "FONDI"
  std::string name;  // Italian
};

// An intervention type as INPS publishes it.
struct InterventionType {
  int index = 0;
  std::string code;         // "CIGO", "CIGS", "CIGD", "FIS", "FONDI_Centrali", "FONDI_Territorio"
  std::string description;  // Italian, e.g. "Cassa integrazione guadagni ordinaria"
  std::string family_code;  // Family::code
};

struct Month {
  int number = 0;            // 1..12
  std::string italian_name;  // "Gennaio", ...
};

// An immutable, validated set of codelists. Lookups return pointers into this object: they stay
// valid while it lives (moving it keeps them valid, copying does not carry them over).
// Unknown values give absl::InvalidArgumentError naming the kind, the value and the valid codes.
class Codelists {
 public:
  // Validates and assembles a version of the codelists: indices must equal list positions, codes
  // must be unique (intervention type codes also ignoring case, so that the case-insensitive
  // fallback of FindInterventionType is unambiguous; region keys under FindRegion's matching
  // rules), every region must name a known macro-area and every type a known family, and months
  // must be 1..12 in order.
  static absl::StatusOr<Codelists> Create(std::string version, std::vector<MacroArea> macro_areas,
                                          std::vector<Region> regions, std::vector<Family> families,
                                          std::vector<InterventionType> intervention_types,
                                          std::vector<Month> months);

  // The lists compiled into the library (version kBuiltinVersion). Builds a fresh value each call
  // from constant tables; callers build it once and pass it around.
  static Codelists Builtin();
  static constexpr std::string_view kBuiltinVersion = "2024-01";

  const std::string& version() const { return version_; }
  const std::vector<MacroArea>& macro_areas() const { return macro_areas_; }
  const std::vector<Region>& regions() const { return regions_; }
  const std::vector<Family>& families() const { return families_; }
  const std::vector<InterventionType>& intervention_types() const { return intervention_types_; }
  const std::vector<Month>& months() const { return months_; }

  // A region by INPS label, ISTAT code, NUTS-2 code or display name (whole, or its Italian part
  // before '/'). ASCII case is ignored and space, hyphen and underscore match each other, so
  // "Emilia Romagna", "emilia-romagna" and "EMILIA_ROMAGNA" agree. "ITH1" gives Trentino-Alto
  // Adige.
  absl::StatusOr<const Region*> FindRegion(std::string_view key) const;

  // A macro-area by code or name, ignoring case.
  absl::StatusOr<const MacroArea*> FindMacroArea(std::string_view key) const;

  // An intervention type by code: exact match first, then ignoring case.
  absl::StatusOr<const InterventionType*> FindInterventionType(std::string_view code) const;

  // A family by code or name, ignoring case.
  absl::StatusOr<const Family*> FindFamily(std::string_view key) const;

  // Month number 1..12 of an Italian month name, ignoring case.
  absl::StatusOr<int> FindMonthByItalianName(std::string_view name) const;

  // Regions of a macro-area (code or name), in index order.
  absl::StatusOr<std::vector<const Region*>> RegionsOfMacroArea(std::string_view key) const;

  // Intervention types of a family (code or name), in index order.
  absl::StatusOr<std::vector<const InterventionType*>> TypesOfFamily(std::string_view key) const;

  // Exact-match lookups for hot paths (parsers, event validation, twice per ingested event): one
  // hash probe, no allocation, nullptr when unknown. The exact INPS label / code is what the
  // published files and raw events carry.
  const Region* RegionByInpsLabel(std::string_view label) const;
  const InterventionType* InterventionTypeByCode(std::string_view code) const;

  // A region or intervention type as event producers may name it (ingestion.proto, common.proto):
  // a region by its INPS label in any ASCII case or its two-digit ISTAT code, a type by its code
  // in any ASCII case; nullptr otherwise (names, NUTS codes and other levels are not codes).
  // The canonical spelling costs the one hash probe of the exact lookups.
  const Region* RegionByInputCode(std::string_view code) const;
  const InterventionType* InterventionTypeByInputCode(std::string_view code) const;

  // Parents in the rollup hierarchies. The argument must belong to this object.
  const MacroArea& MacroAreaOf(const Region& region) const;
  const Family& FamilyOf(const InterventionType& type) const;

  // Comma-separated valid codes, for error messages.
  std::string JoinedRegionLabels() const;
  std::string JoinedInterventionTypeCodes() const;

 private:
  Codelists() = default;

  std::string version_;
  std::vector<MacroArea> macro_areas_;
  std::vector<Region> regions_;
  std::vector<Family> families_;
  std::vector<InterventionType> intervention_types_;
  std::vector<Month> months_;
  // Parent positions, resolved once by Create.
  std::vector<int> region_macro_area_;
  std::vector<int> type_family_;
  // Codes are short, and every ingested event looks two of them up: they are hashed from two
  // 8-byte loads and the length, a fraction of the cost of a general string hash.
  struct CodeHash {
    using is_transparent = void;
    size_t operator()(std::string_view code) const;
  };
  struct CodeEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };
  using CodeIndex = absl::flat_hash_map<std::string, int, CodeHash, CodeEq>;
  // Exact INPS label / code -> index, built once by Create.
  CodeIndex region_by_label_;
  CodeIndex type_by_code_;
};

}  // namespace omnia::domain

#endif  // OMNIA_LIBS_DOMAIN_CODELISTS_H_

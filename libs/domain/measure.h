// The three published measures, one cube each.
#ifndef OMNIA_LIBS_DOMAIN_MEASURE_H_
#define OMNIA_LIBS_DOMAIN_MEASURE_H_

#include <array>
#include <string_view>

#include "absl/status/statusor.h"

namespace omnia::domain {

enum class Measure {
  kApplications,   // authorised applications, by month of authorisation
  kWorkers,        // distinct workers with at least one direct payment, by month of payment
  kBenefitMonths,  // monthly benefit units paid directly, by month of payment
};

inline constexpr std::array<Measure, 3> kAllMeasures = {Measure::kApplications, Measure::kWorkers,
                                                        Measure::kBenefitMonths};

// Stable code used in the API and storage keys: "APPLICATIONS", "WORKERS", "BENEFIT_MONTHS".
std::string_view MeasureCode(Measure measure);

// Inverse of MeasureCode, ignoring ASCII case.
absl::StatusOr<Measure> ParseMeasure(std::string_view code);

// Whether cells may be summed across periods, regions and types. WORKERS counts distinct people:
// someone paid in March and in April is one worker in the year, so its rollups need the exact
// worker sets, never a sum of counts.
bool IsAdditive(Measure measure);

// Value column of INPS's published CSV layout: "numero_domande", "numero_lavoratori",
// "numero_mensilita".
std::string_view InpsColumnName(Measure measure);

// Inverse of InpsColumnName (exact match, as the column is part of a fixed layout).
absl::StatusOr<Measure> MeasureFromInpsColumn(std::string_view column);

// Italian name used in dataset titles: "Numero Domande", "Numero Lavoratori", "Numero Mensilità".
std::string_view MeasureItalianName(Measure measure);

// One-sentence definition for catalogue metadata and documentation.
std::string_view MeasureDefinition(Measure measure);

}  // namespace omnia::domain

#endif  // OMNIA_LIBS_DOMAIN_MEASURE_H_

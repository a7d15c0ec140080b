#include "libs/domain/measure.h"

#include "absl/status/status.h"
#include "libs/domain/internal/text.h"

namespace omnia::domain {

std::string_view MeasureCode(Measure measure) {
  switch (measure) {
    case Measure::kApplications:
      return "APPLICATIONS";
    case Measure::kWorkers:
      return "WORKERS";
    case Measure::kBenefitMonths:
      return "BENEFIT_MONTHS";
  }
  return "UNKNOWN";
}

absl::StatusOr<Measure> ParseMeasure(std::string_view code) {
  for (const Measure measure : kAllMeasures) {
    if (internal::EqualsIgnoreCase(code, MeasureCode(measure))) return measure;
  }
  return absl::InvalidArgumentError(
      internal::Cat("unknown measure ", internal::Quote(code),
                    "; valid codes: APPLICATIONS, WORKERS, BENEFIT_MONTHS"));
}

bool IsAdditive(Measure measure) { return measure != Measure::kWorkers; }

std::string_view InpsColumnName(Measure measure) {
  switch (measure) {
    case Measure::kApplications:
      return "numero_domande";
    case Measure::kWorkers:
      return "numero_lavoratori";
    case Measure::kBenefitMonths:
      return "numero_mensilita";
  }
  return "";
}

absl::StatusOr<Measure> MeasureFromInpsColumn(std::string_view column) {
  for (const Measure measure : kAllMeasures) {
    if (column == InpsColumnName(measure)) return measure;
  }
  return absl::InvalidArgumentError(
      internal::Cat("unknown measure column ", internal::Quote(column),
                    "; valid columns: numero_domande, numero_lavoratori, numero_mensilita"));
}

std::string_view MeasureItalianName(Measure measure) {
  switch (measure) {
    case Measure::kApplications:
      return "Numero Domande";
    case Measure::kWorkers:
      return "Numero Lavoratori";
    case Measure::kBenefitMonths:
      return "Numero Mensilità";
  }
  return "";
}

std::string_view MeasureDefinition(Measure measure) {
  switch (measure) {
    case Measure::kApplications:
      return "Number of applications for wage supplementation authorised in the month, by region "
             "and intervention type.";
    case Measure::kWorkers:
      return "Number of distinct workers who received at least one direct payment in the period; "
             "a worker paid in several months or regions is counted once, so values are not "
             "additive.";
    case Measure::kBenefitMonths:
      return "Number of monthly benefit units paid directly to workers in the month; a payment "
             "may cover zero, one or several months.";
  }
  return "";
}

}  // namespace omnia::domain

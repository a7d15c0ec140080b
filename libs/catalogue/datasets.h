// The datasets of the catalogue, derived from the configuration and the years that hold data:
// for every measure a Storico (historical) dataset over the complete years, and one Annuale
// dataset per year. This is pure computation, shared by the catalogue (which records releases)
// and the exporter (which renders a dataset without the catalogue's store).
#ifndef OMNIA_LIBS_CATALOGUE_DATASETS_H_
#define OMNIA_LIBS_CATALOGUE_DATASETS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/catalogue/config.h"
#include "libs/domain/measure.h"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::catalogue {

// One dataset as defined by the configuration for a given set of years: everything but the
// publication state (dates, attachments, release).
struct DatasetSpec {
  // Stable id, e.g. "integrazioni-salariali-domande-storico" or
  // "integrazioni-salariali-domande-2023" (INPS's package names).
  std::string dataset_id;
  DatasetKind kind = DatasetKind::kAnnual;
  domain::Measure measure = domain::Measure::kApplications;
  // Every year covered, ascending and non-empty. A Storico lists the years that hold data from
  // the configured first year to the latest complete year; an Annuale holds its one year.
  std::vector<int> years;
  int first_year = 0;  // years.front()
  int last_year = 0;   // years.back()
  // The Annuale's year; 0 for a Storico.
  int reference_year = 0;
  // True for the Annuale of the latest reference year (the one still being updated) and for the
  // Storico; false for the Annuale of an earlier year.
  bool current = true;
  // Titolo, e.g. "Storico Numero Domande per regione e tipo di intervento. Anno 2020, 2021,
  // 2022" or "Numero Domande per regione e tipo di intervento. Anno 2023".
  std::string title;
  // Paragraphs separated by a blank line.
  std::string description;
  // Measure, kind and common keywords, without repeats (compared ignoring case and accents).
  std::vector<std::string> keywords;
  // EU frequency vocabulary code, e.g. "ANNUAL".
  std::string update_frequency;

  friend bool operator==(const DatasetSpec&, const DatasetSpec&) = default;
};

// The datasets for the years that hold data. Years before the configured first year or after
// domain::kMaxYear are ignored, repeats count once.
//   Storico: one per measure when some year with data is <= latest_complete_year; it covers
//     those years (from the first year on).
//   Annuale: one per measure for the latest year with data (the latest reference year, which
//     may still be in progress), and one per measure for every earlier year with data.
// Order: the Storico datasets, then the Annuale ones by year descending; within a kind and year,
// the measures in configuration order. No years: no datasets.
std::vector<DatasetSpec> DatasetsFor(const CatalogueConfig& config,
                                     std::vector<int> years_with_data, int latest_complete_year);

// What a dataset id names, without any data: the kind, the measure and (Annuale) the year.
struct DatasetKey {
  DatasetKind kind = DatasetKind::kAnnual;
  domain::Measure measure = domain::Measure::kApplications;
  int reference_year = 0;  // 0 for a Storico

  friend bool operator==(const DatasetKey&, const DatasetKey&) = default;
};

// Resolves an id: INVALID_ARGUMENT when empty, NOT_FOUND when the configuration defines no such
// dataset (an Annuale year outside first_year..kMaxYear included).
absl::StatusOr<DatasetKey> ParseDatasetId(const CatalogueConfig& config,
                                          std::string_view dataset_id);

// The spec of one dataset, without the catalogue's store. An Annuale is fully determined by its
// id; a Storico's years (and so its title) depend on the data, given here as to DatasetsFor.
// Equal to the matching element of DatasetsFor(config, years_with_data,
// latest_complete_year); errors as ParseDatasetId, plus NOT_FOUND when the dataset does not
// exist for these years (no data in an Annuale's year, or no complete year for a Storico).
absl::StatusOr<DatasetSpec> SpecFromId(const CatalogueConfig& config, std::string_view dataset_id,
                                       std::vector<int> years_with_data, int latest_complete_year);

// The spec of an Annuale from its id alone (no data needed): the year is in the id. Whether a
// later year exists is unknown here, so `current` is true and update_frequency is that of the
// latest year; every other field equals DatasetsFor's. FAILED_PRECONDITION for a Storico id,
// whose years only the data can tell (use the overload above); otherwise errors as
// ParseDatasetId.
absl::StatusOr<DatasetSpec> SpecFromId(const CatalogueConfig& config, std::string_view dataset_id);

// The dataset's metadata from its spec and the configuration: id, kind, title, description,
// owner, licence, topic, source, coverage (January of the first year to December of the last),
// reference year, keywords, update frequency and measure. The publication state (dates,
// attachments, release id) is left unset.
v1::Dataset DatasetMetadata(const CatalogueConfig& config, const DatasetSpec& spec);

// The measure as the API describes it (code, Italian name, CSV column, definition, period
// basis, additivity and its note).
v1::Measure MeasureMetadata(const CatalogueConfig& config, domain::Measure measure);

// The attachment file name of a dataset in a format, e.g.
// "integrazioni-salariali-domande-2023.csv". NOT_FOUND when the format is not published.
absl::StatusOr<std::string> AttachmentFileName(const CatalogueConfig& config,
                                               std::string_view dataset_id, v1::Format format);

}  // namespace omnia::catalogue

#endif  // OMNIA_LIBS_CATALOGUE_DATASETS_H_

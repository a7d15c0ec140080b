// The catalogue's configuration: the dataset families it publishes (a Storico and one Annuale
// per year for every measure), their Italian titles, descriptions and keywords, the metadata
// common to every dataset and the file formats. It is data, read from a text-format
// DatasetsConfig (proto/omnia/internal/catalogue_config.proto; the deployed file is
// deploy/config/datasets.textproto), so wording changes need no code change.
#ifndef OMNIA_LIBS_CATALOGUE_CONFIG_H_
#define OMNIA_LIBS_CATALOGUE_CONFIG_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/domain/measure.h"
#include "omnia/internal/catalogue_config.pb.h"
#include "omnia/v1/common.pb.h"

namespace omnia::catalogue {

// The two dataset families.
enum class DatasetKind {
  kHistorical,  // "Storico": every year with data from first_year to the latest complete year
  kAnnual,      // "Annuale": one reference year
};

// A validated configuration. Copyable; lookups never fail because validation guarantees that
// every measure of the system has exactly one family.
class CatalogueConfig {
 public:
  // Validates `proto` (see catalogue_config.proto for the rules). INVALID_ARGUMENT names the
  // field, e.g. "measures[1] (WORKERS).additivity_note: required for a non-additive measure".
  static absl::StatusOr<CatalogueConfig> FromProto(::omnia::internal::DatasetsConfig proto);

  const ::omnia::internal::DatasetsConfig& proto() const { return proto_; }
  const ::omnia::internal::CommonMetadata& common() const { return proto_.common(); }
  int first_year() const { return proto_.first_year(); }

  // Measures in configuration order (the order of datasets of one kind and year).
  const std::vector<domain::Measure>& measures() const { return measures_; }

  // The family of a measure.
  const ::omnia::internal::MeasureFamily& family(domain::Measure measure) const;

  const ::omnia::internal::DatasetTemplate& dataset_template(DatasetKind kind) const;

  // The formats to publish, by Format value (the order of a dataset's attachments).
  const std::vector<::omnia::internal::AttachmentFormat>& formats() const { return formats_; }

  // The format's entry, or nullptr when it is not published.
  const ::omnia::internal::AttachmentFormat* format(v1::Format format) const;

  // Dataset ids. Storico ids do not depend on the years covered, so they stay stable.
  std::string HistoricalId(domain::Measure measure) const;
  std::string AnnualId(domain::Measure measure, int year) const;

  // The reference year when `dataset_id` has the shape of `measure`'s Annuale ids (any four
  // digits where the year goes; the caller checks the range), nullopt otherwise.
  std::optional<int> MatchAnnualId(domain::Measure measure, std::string_view dataset_id) const;

 private:
  CatalogueConfig() = default;
  int FamilyIndex(domain::Measure measure) const;

  ::omnia::internal::DatasetsConfig proto_;
  std::vector<domain::Measure> measures_;  // parallel to proto_.measures()
  std::vector<::omnia::internal::AttachmentFormat> formats_;
};

// Parses and validates a text-format DatasetsConfig. `origin` (a file name) prefixes every
// error. Syntax errors are INVALID_ARGUMENT "<origin>:<line>:<column>: <message>" (unknown
// fields included); rule violations INVALID_ARGUMENT "<origin>: <field>: <reason>".
absl::StatusOr<CatalogueConfig> ParseConfig(std::string_view text, std::string_view origin);

// Reads `path` and parses it as ParseConfig does. NOT_FOUND when the file does not exist,
// FAILED_PRECONDITION when it cannot be read.
absl::StatusOr<CatalogueConfig> LoadConfig(const std::string& path);

}  // namespace omnia::catalogue

#endif  // OMNIA_LIBS_CATALOGUE_CONFIG_H_

// datapackage.json of a dataset: a Frictionless Data Package (profile tabular-data-package) whose
// one resource is the dataset's CSV attachment with a Table Schema, so that `frictionless`,
// pandas and R users get typed columns and checked codes:
//   Anno             integer, required, within the dataset's years
//   Mese             string, required, one of the Italian month names of the codelists
//   Tipo_intervento  string, required, one of the intervention type codes
//   Regione          string, required, one of the regions' INPS labels
//   <measure column> number (INPS writes counts with one decimal, "321.0"), required, >= 0
// primaryKey [Anno, Mese, Tipo_intervento, Regione]; the licence; the resource's path (public
// URL), bytes and hash ("sha256:<hex>"), and CSV dialect (comma, header row, no quoting).
#ifndef OMNIA_LIBS_CKAN_DATAPACKAGE_H_
#define OMNIA_LIBS_CKAN_DATAPACKAGE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/ckan/ckan_api.h"
#include "nlohmann/json.hpp"

namespace omnia::ckan {

// The Data Package of snapshot's dataset `dataset_id`; its enums come from snapshot.codelists.
// NOT_FOUND when the snapshot has no such published dataset; FAILED_PRECONDITION when it has no
// CSV attachment.
absl::StatusOr<nlohmann::json> DataPackage(const CatalogueSnapshot& snapshot,
                                           std::string_view dataset_id);

// DataPackage serialised (UTF-8, indented by 2), as served at
// /dataset/<dataset_id>/datapackage.json with media type application/json.
absl::StatusOr<std::string> DataPackageJson(const CatalogueSnapshot& snapshot,
                                            std::string_view dataset_id);

}  // namespace omnia::ckan

#endif  // OMNIA_LIBS_CKAN_DATAPACKAGE_H_

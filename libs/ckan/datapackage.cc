#include "libs/ckan/datapackage.h"

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/base/string_view.h"
#include "libs/ckan/package_dict.h"

namespace omnia::ckan {
namespace {

Json Field(std::string_view name, std::string_view type, std::string_view title,
           std::string_view description, Json constraints) {
  constraints["required"] = true;
  return Json{{"name", name},
              {"type", type},
              {"title", title},
              {"description", description},
              {"constraints", std::move(constraints)}};
}

Json TableSchema(const CatalogueSnapshot& snapshot, const v1::Dataset& dataset) {
  const v1::ListCodelistsResponse& codelists = snapshot.codelists;
  Json months = Json::array();
  for (const v1::Month& month : codelists.months()) months.push_back(month.name());
  Json types = Json::array();
  for (const v1::InterventionType& type : codelists.intervention_types()) {
    types.push_back(type.code());
  }
  Json regions = Json::array();
  for (const v1::Region& region : codelists.regions()) regions.push_back(region.code());

  const v1::Measure& measure = dataset.measure();
  std::string measure_description = measure.definition();
  if (!measure.additivity_note().empty()) {
    absl::StrAppend(&measure_description, " ", measure.additivity_note());
  }
  absl::StrAppend(&measure_description,
                  " Conteggio intero, scritto con un decimale (\"321.0\") come nei file INPS.");

  Json fields = Json::array({
      Field("Anno", "integer", "Anno", "Anno di riferimento.",
            Json{{"minimum", dataset.coverage().first().year()},
                 {"maximum", dataset.coverage().last().year()}}),
      Field("Mese", "string", "Mese",
            absl::StrCat("Mese di riferimento (", measure.period_basis(), "), nome italiano."),
            Json{{"enum", months}}),
      Field("Tipo_intervento", "string", "Tipo di intervento",
            "Codice del tipo di intervento (CIGO, CIGS, CIGD, FIS, fondi di solidarietà).",
            Json{{"enum", types}}),
      Field("Regione", "string", "Regione", "Regione, etichetta INPS.", Json{{"enum", regions}}),
      Field(measure.csv_column(), "number", measure.name(), measure_description,
            Json{{"minimum", 0}}),
  });
  return Json{{"fields", std::move(fields)},
              {"primaryKey", Json::array({"Anno", "Mese", "Tipo_intervento", "Regione"})},
              {"missingValues", Json::array({""})}};
}

}  // namespace

absl::StatusOr<Json> DataPackage(const CatalogueSnapshot& snapshot, std::string_view dataset_id) {
  const v1::Dataset* dataset = nullptr;
  for (const v1::Dataset& candidate : snapshot.datasets) {
    if (candidate.dataset_id() == dataset_id && !candidate.release_id().empty()) {
      dataset = &candidate;
    }
  }
  if (dataset == nullptr) {
    return absl::NotFoundError(absl::StrCat("no published dataset '", AsAbsl(dataset_id), "'"));
  }
  const v1::Attachment* csv = nullptr;
  for (const v1::Attachment& attachment : dataset->attachments()) {
    if (attachment.format() == v1::FORMAT_CSV) csv = &attachment;
  }
  if (csv == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("dataset '", AsAbsl(dataset_id), "' has no CSV attachment"));
  }

  const CkanSite& site = snapshot.site;
  Json keywords = Json::array();
  for (const std::string& keyword : dataset->keywords()) keywords.push_back(keyword);
  const std::string owner = dataset->owner().empty() ? "INPS" : dataset->owner();
  Json resource = {
      {"profile", "tabular-data-resource"},
      {"name", dataset->dataset_id()},
      {"title", dataset->title()},
      {"path", ResourceUrl(site, *dataset, *csv)},
      {"format", "csv"},
      {"mediatype", "text/csv"},
      {"encoding", "utf-8"},
      {"bytes", csv->size_bytes()},
      {"hash", absl::StrCat("sha256:", csv->sha256())},
      {"dialect", Json{{"delimiter", ","},
                       {"header", true},
                       {"lineTerminator", "\r\n"},
                       {"quoteChar", "\""},
                       {"doubleQuote", true},
                       {"skipInitialSpace", false}}},
      {"schema", TableSchema(snapshot, *dataset)},
  };
  return Json{
      {"profile", "tabular-data-package"},
      {"name", dataset->dataset_id()},
      {"id", absl::StrCat(site.ipa_code, ":", dataset->dataset_id())},
      {"title", dataset->title()},
      {"description", dataset->description()},
      {"homepage", absl::StrCat(BaseUrl(site), "/dataset/", dataset->dataset_id())},
      {"version", dataset->release_id()},
      {"created", absl::StrCat(IsoDate(dataset->updated_on()), "T00:00:00Z")},
      {"keywords", std::move(keywords)},
      {"licenses", Json::array({Json{{"name", dataset->license().id()},
                                     {"title", dataset->license().name()},
                                     {"path", dataset->license().url()}}})},
      {"contributors", Json::array({Json{{"title", owner}, {"role", "publisher"}}})},
      {"sources", Json::array({Json{
                      {"title", owner},
                      {"path", absl::StrCat(BaseUrl(site), "/dataset/", dataset->dataset_id())}}})},
      {"resources", Json::array({std::move(resource)})},
  };
}

absl::StatusOr<std::string> DataPackageJson(const CatalogueSnapshot& snapshot,
                                            std::string_view dataset_id) {
  absl::StatusOr<Json> package = DataPackage(snapshot, dataset_id);
  if (!package.ok()) return package.status();
  return package->dump(2, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

}  // namespace omnia::ckan

#include "libs/gateway/catalogue_routes.h"

#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/ckan/ckan_api.h"
#include "libs/ckan/datapackage.h"
#include "libs/gateway/problem.h"

namespace omnia::gateway {
namespace {

using Snapshot = std::shared_ptr<const PublishedCatalogue>;

http::Response Unavailable(const std::string& instance) {
  Problem problem;
  problem.status = 503;
  problem.title = "Service Unavailable";
  problem.detail = "the catalogue is not reachable yet; retry later";
  problem.instance = instance;
  return ProblemResponse(problem);
}

http::Response NotFound() { return http::TextResponse(404, "404 not found"); }

http::Response Body(std::string content_type, std::string body) {
  http::Response response;
  response.SetHeader("Content-Type", content_type);
  response.SetHeader("Cache-Control", kCatalogueCacheControl);
  response.body = std::move(body);
  return response;
}

// The answer for a DCAT document or its error.
http::Response DocumentResponse(const absl::StatusOr<dcat::Document>& document) {
  if (document.ok()) return Body(document->content_type, document->body);
  if (document.status().code() == absl::StatusCode::kNotFound) return NotFound();
  return http::TextResponse(500, "500 the document could not be written");
}

}  // namespace

CatalogueRoutes::CatalogueRoutes(SnapshotCache& cache, dcat::CatalogConfig config)
    : cache_(cache), config_(std::move(config)) {}

void CatalogueRoutes::AddRoutes(http::Router& router) {
  for (const char* prefix : {"/api/3/action/", "/api/action/"}) {
    router.Add({"GET", "POST"}, absl::StrCat(prefix, "{action}"),
               [this](const http::Request& request, const http::PathParams& p) {
                 return CkanAction(request, p.at("action"));
               });
  }
  for (dcat::RdfFormat format :
       {dcat::RdfFormat::kTurtle, dcat::RdfFormat::kRdfXml, dcat::RdfFormat::kJsonLd}) {
    const std::string extension(dcat::ExtensionOf(format));
    router.Add({"GET"}, absl::StrCat("/catalog.", extension),
               [this, format](const http::Request& request, const http::PathParams&) {
                 return Catalog(request, format);
               });
    router.Add({"GET"}, absl::StrCat("/dataset/{dataset_id}.", extension),
               [this, format](const http::Request&, const http::PathParams& p) {
                 return Dataset(p.at("dataset_id"), format);
               });
  }
  router.Add({"GET"}, "/dataset/{dataset_id}/datapackage.json",
             [this](const http::Request&, const http::PathParams& p) {
               return DataPackage(p.at("dataset_id"));
             });
  router.Add({"GET"}, "/releases.atom",
             [this](const http::Request&, const http::PathParams&) { return ReleasesFeed(); });
}

http::Response CatalogueRoutes::CkanAction(const http::Request& request,
                                           const std::string& action) {
  absl::StatusOr<Snapshot> snapshot = cache_.Get();
  if (!snapshot.ok()) return Unavailable(request.path);
  ckan::CkanRequest ckan_request;
  ckan_request.query_params.assign(request.query.begin(), request.query.end());
  ckan_request.is_post = request.method == "POST";
  if (ckan_request.is_post) ckan_request.body = request.body;
  ckan::CkanResponse answer = ckan::HandleAction(action, ckan_request, (*snapshot)->ckan);
  http::Response response;
  response.status = answer.status;
  response.SetHeader("Content-Type", answer.content_type);
  response.SetHeader("Cache-Control", "no-cache");
  response.body = std::move(answer.body);
  return response;
}

http::Response CatalogueRoutes::Catalog(const http::Request& request, dcat::RdfFormat format) {
  int page = 1;
  if (auto it = request.query.find("page"); it != request.query.end()) {
    if (!absl::SimpleAtoi(it->second, &page) || page < 1) {
      Problem problem;
      problem.status = 400;
      problem.title = "Bad Request";
      problem.detail = "page: expected a page number from 1";
      problem.parameter = "page";
      return ProblemResponse(problem);
    }
  }
  absl::StatusOr<Snapshot> snapshot = cache_.Get();
  if (!snapshot.ok()) return Unavailable("/catalog");
  return DocumentResponse(dcat::CatalogDocument((*snapshot)->dcat, config_, page, format));
}

http::Response CatalogueRoutes::Dataset(const std::string& dataset_id, dcat::RdfFormat format) {
  absl::StatusOr<Snapshot> snapshot = cache_.Get();
  if (!snapshot.ok()) return Unavailable("/dataset");
  return DocumentResponse(dcat::DatasetDocument((*snapshot)->dcat, config_, dataset_id, format));
}

http::Response CatalogueRoutes::DataPackage(const std::string& dataset_id) {
  absl::StatusOr<Snapshot> snapshot = cache_.Get();
  if (!snapshot.ok()) return Unavailable("/dataset");
  absl::StatusOr<std::string> json = ckan::DataPackageJson((*snapshot)->ckan, dataset_id);
  // No such dataset, or one without a CSV file to describe.
  if (!json.ok()) return NotFound();
  return Body("application/json", *std::move(json));
}

http::Response CatalogueRoutes::ReleasesFeed() {
  absl::StatusOr<Snapshot> snapshot = cache_.Get();
  if (!snapshot.ok()) return Unavailable("/releases.atom");
  return DocumentResponse(dcat::ReleasesFeed((*snapshot)->dcat, config_));
}

}  // namespace omnia::gateway

// The gateway's routes over the published catalogue, all answered from a SnapshotCache:
//   GET|POST /api/3/action/{action}, /api/action/{action}   the CKAN Action API (libs/ckan)
//   GET /catalog.ttl|.rdf|.jsonld?page=N                    DCAT-AP_IT catalogue (libs/dcat)
//   GET /dataset/{dataset_id}.ttl|.rdf|.jsonld              DCAT-AP_IT dataset
//   GET /dataset/{dataset_id}/datapackage.json              Frictionless Data Package
//   GET /releases.atom                                      Atom feed of releases
// While no snapshot could be read yet every one answers 503 with Retry-After (problem+json).
#pragma once

#include "libs/dcat/dcat.h"
#include "libs/gateway/snapshot_cache.h"
#include "libs/http/router.h"

namespace omnia::gateway {

// How long clients and proxies may reuse these answers: a new release shows within a minute.
inline constexpr char kCatalogueCacheControl[] = "public, max-age=60";

class CatalogueRoutes {
 public:
  // `cache` must outlive the routes.
  CatalogueRoutes(SnapshotCache& cache, dcat::CatalogConfig config);

  void AddRoutes(http::Router& router);

  http::Response CkanAction(const http::Request& request, const std::string& action);
  http::Response Catalog(const http::Request& request, dcat::RdfFormat format);
  http::Response Dataset(const std::string& dataset_id, dcat::RdfFormat format);
  http::Response DataPackage(const std::string& dataset_id);
  http::Response ReleasesFeed();

 private:
  SnapshotCache& cache_;
  const dcat::CatalogConfig config_;
};

}  // namespace omnia::gateway

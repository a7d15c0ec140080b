// The published catalogue as the gateway's CKAN, DCAT-AP_IT, Data Package and Atom routes read
// it: one snapshot of the latest release's datasets, the releases and the codelists, cached per
// latest release id.
//
// Every answer of those routes is computed from the snapshot, so a request costs no catalogue
// call while the latest release stays the same; the cache asks the catalogue which release is
// the latest at most once per recheck interval and fetches everything again only when it
// changed. Concurrent requests share one refresh. A failed refresh keeps serving the last good
// snapshot; with none yet, Get fails with UNAVAILABLE (the routes answer 503 with Retry-After).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/ckan/ckan_api.h"
#include "libs/dcat/dcat.h"
#include "omnia/v1/catalogue.pb.h"

namespace omnia::gateway {

// Everything the catalogue holds for the latest release, as fetched.
struct CatalogueContents {
  // Every dataset of the release with its attachments (ListDatasets, all pages).
  std::vector<v1::Dataset> datasets;
  // Every release, newest first (ListReleases, all pages).
  std::vector<v1::Release> releases;
  // The codelists, all pages merged (ListCodelists).
  v1::ListCodelistsResponse codelists;
};

// Where snapshots come from: the catalogue over gRPC in the gateway, a fake in tests.
class CatalogueSource {
 public:
  virtual ~CatalogueSource() = default;
  // The id of the newest release; "" when nothing has been published.
  virtual absl::StatusOr<std::string> LatestReleaseId() = 0;
  // The contents at release `release_id` ("" for the catalogue as it is).
  virtual absl::StatusOr<CatalogueContents> Fetch(const std::string& release_id) = 0;
};

// One immutable snapshot, shared by the requests that read it.
struct PublishedCatalogue {
  std::string release_id;
  ckan::CatalogueSnapshot ckan;
  dcat::CatalogSnapshot dcat;
};

// Builds a snapshot from fetched contents; `site` goes into the CKAN snapshot.
std::shared_ptr<const PublishedCatalogue> MakePublishedCatalogue(std::string release_id,
                                                                 CatalogueContents contents,
                                                                 const ckan::CkanSite& site);

class SnapshotCache {
 public:
  // `source` and `clock` must outlive the cache.
  SnapshotCache(CatalogueSource& source, const Clock& clock, ckan::CkanSite site,
                absl::Duration recheck_interval = absl::Seconds(5));

  // The current snapshot: the cached one when it was checked within the recheck interval, or
  // while another request refreshes it; otherwise refreshed first. UNAVAILABLE when no snapshot
  // could be fetched yet.
  absl::StatusOr<std::shared_ptr<const PublishedCatalogue>> Get();

 private:
  // Fetches a snapshot for the latest release; `previous` when that is still the latest.
  absl::StatusOr<std::shared_ptr<const PublishedCatalogue>> Refresh(
      std::shared_ptr<const PublishedCatalogue> previous);

  CatalogueSource& source_;
  const Clock& clock_;
  const ckan::CkanSite site_;
  const absl::Duration recheck_interval_;

  absl::Mutex mu_;
  std::shared_ptr<const PublishedCatalogue> current_ ABSL_GUARDED_BY(mu_);
  absl::Time checked_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // False while one request refreshes; the others wait for it only when there is no snapshot.
  bool idle_ ABSL_GUARDED_BY(mu_) = true;
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace omnia::gateway

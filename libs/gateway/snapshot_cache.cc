#include "libs/gateway/snapshot_cache.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace omnia::gateway {

std::shared_ptr<const PublishedCatalogue> MakePublishedCatalogue(std::string release_id,
                                                                 CatalogueContents contents,
                                                                 const ckan::CkanSite& site) {
  auto snapshot = std::make_shared<PublishedCatalogue>();
  snapshot->release_id = std::move(release_id);
  snapshot->ckan.site = site;
  snapshot->ckan.datasets = contents.datasets;
  snapshot->ckan.releases = contents.releases;
  snapshot->ckan.codelists = std::move(contents.codelists);
  snapshot->dcat.datasets = std::move(contents.datasets);
  snapshot->dcat.releases = std::move(contents.releases);
  return snapshot;
}

SnapshotCache::SnapshotCache(CatalogueSource& source, const Clock& clock, ckan::CkanSite site,
                             absl::Duration recheck_interval)
    : source_(source), clock_(clock), site_(std::move(site)), recheck_interval_(recheck_interval) {}

absl::StatusOr<std::shared_ptr<const PublishedCatalogue>> SnapshotCache::Get() {
  std::shared_ptr<const PublishedCatalogue> previous;
  {
    absl::MutexLock lock(&mu_);
    if (current_ != nullptr && clock_.Now() < checked_at_ + recheck_interval_) return current_;
    if (!idle_) {
      if (current_ != nullptr) return current_;
      mu_.Await(absl::Condition(&idle_));
      if (current_ != nullptr) return current_;
      return last_error_;
    }
    idle_ = false;
    previous = current_;
  }
  absl::StatusOr<std::shared_ptr<const PublishedCatalogue>> fresh = Refresh(std::move(previous));
  absl::MutexLock lock(&mu_);
  idle_ = true;
  // A failure also counts as a check: a catalogue that is down is asked again after the
  // interval, not by every request.
  checked_at_ = clock_.Now();
  if (fresh.ok()) {
    current_ = *std::move(fresh);
    return current_;
  }
  last_error_ = absl::UnavailableError(
      absl::StrCat("the catalogue could not be read: ", fresh.status().message()));
  if (current_ != nullptr) return current_;
  return last_error_;
}

absl::StatusOr<std::shared_ptr<const PublishedCatalogue>> SnapshotCache::Refresh(
    std::shared_ptr<const PublishedCatalogue> previous) {
  absl::StatusOr<std::string> latest = source_.LatestReleaseId();
  if (!latest.ok()) return latest.status();
  if (previous != nullptr && previous->release_id == *latest) return previous;
  absl::StatusOr<CatalogueContents> contents = source_.Fetch(*latest);
  if (!contents.ok()) return contents.status();
  return MakePublishedCatalogue(*std::move(latest), *std::move(contents), site_);
}

}  // namespace omnia::gateway

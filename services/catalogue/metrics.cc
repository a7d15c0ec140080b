#include "services/catalogue/metrics.h"

#include <utility>
#include <vector>

#include "libs/server/scrape_collector.h"

namespace omnia::catalogue {

std::shared_ptr<prometheus::Collectable> MetricsCollector(const CatalogueStore& store,
                                                          std::string store_dir) {
  return std::make_shared<server::ScrapeCollector>(
      [&store, store_dir = std::move(store_dir)](server::MetricsBuilder& m) {
        absl::StatusOr<std::vector<v1::Dataset>> datasets = store.DatasetsAt();
        if (datasets.ok()) {
          m.Gauge("omnia_catalogue_datasets", "Datasets in the current release.", datasets->size());
        }
        absl::StatusOr<ReleasePage> releases = store.ListReleases(100, "");
        if (releases.ok()) {
          m.Gauge("omnia_catalogue_releases", "Published releases (up to 100 counted).",
                  releases->releases.size());
        }
        m.Gauge("omnia_storage_bytes", "Bytes of the service's RocksDB store on disk.",
                server::DirectoryBytes(store_dir), {{"store", "catalogue"}});
      });
}

}  // namespace omnia::catalogue

// The catalogue service's Prometheus metrics: datasets and releases recorded and the store's
// bytes on disk, read at each scrape.
#pragma once

#include <prometheus/collectable.h>

#include <memory>
#include <string>

#include "libs/catalogue/catalogue_store.h"

namespace omnia::catalogue {

// `store` must outlive the collector; `store_dir` is the store's RocksDB folder.
std::shared_ptr<prometheus::Collectable> MetricsCollector(const CatalogueStore& store,
                                                          std::string store_dir);

}  // namespace omnia::catalogue

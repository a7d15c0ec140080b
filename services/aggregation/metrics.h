// The aggregation service's Prometheus metrics: cells per measure and layer, distinct workers,
// releases and their memory cache, the applied sequence per producer and the store's bytes on
// disk, read from the engine at each scrape.
#pragma once

#include <prometheus/collectable.h>

#include <memory>
#include <string>

#include "services/aggregation/engine_slot.h"

namespace omnia::aggregation {

// Scrapes the engine held by `engine_slot` (nothing while the store is still opening); `data_dir`
// is the cube's data directory.
std::shared_ptr<prometheus::Collectable> MakeMetricsCollector(
    std::shared_ptr<const EngineSlot> engine_slot, std::string data_dir);

}  // namespace omnia::aggregation

// The exporter's Prometheus metrics: bytes streamed by format, calls in progress, stalled
// clients cut off and the release cache's bytes, read at each scrape.
#pragma once

#include <prometheus/collectable.h>

#include <memory>

#include "services/exporter/export_service.h"

namespace omnia::exporter {

// `service` must outlive the collector.
std::shared_ptr<prometheus::Collectable> MetricsCollector(ExportService& service);

}  // namespace omnia::exporter

// The ingestion service's Prometheus metrics: log counters, the forwarding backlog and lag,
// aggregation's reachability and the log's bytes on disk, read at each scrape.
#pragma once

#include <prometheus/collectable.h>

#include <memory>
#include <string>

#include "libs/base/clock.h"
#include "libs/ingest/event_log.h"
#include "libs/ingest/forwarder.h"

namespace omnia::ingestion {

// Everything referenced must outlive the collector; `log_dir` is the log's RocksDB folder.
std::shared_ptr<prometheus::Collectable> MetricsCollector(const ingest::EventLog& log,
                                                          const ingest::Forwarder& forwarder,
                                                          const Clock& clock, std::string log_dir);

}  // namespace omnia::ingestion

#include "services/ingestion/metrics.h"

#include <utility>

#include "libs/server/scrape_collector.h"

namespace omnia::ingestion {

std::shared_ptr<prometheus::Collectable> MetricsCollector(const ingest::EventLog& log,
                                                          const ingest::Forwarder& forwarder,
                                                          const Clock& clock, std::string log_dir) {
  return std::make_shared<server::ScrapeCollector>(
      [&log, &forwarder, &clock, log_dir = std::move(log_dir)](server::MetricsBuilder& m) {
        const ingest::LogStatus s = log.Status();
        const char* kEvents = "Events received, by outcome.";
        m.Counter("omnia_ingestion_events_total", kEvents, s.events_accepted,
                  {{"outcome", "accepted"}});
        m.Counter("omnia_ingestion_events_total", kEvents, s.events_duplicate,
                  {{"outcome", "duplicate"}});
        m.Counter("omnia_ingestion_events_total", kEvents, s.events_rejected,
                  {{"outcome", "rejected"}});
        const char* kBatches = "Event batches received, by outcome.";
        m.Counter("omnia_ingestion_batches_total", kBatches, s.batches_accepted,
                  {{"outcome", "accepted"}});
        m.Counter("omnia_ingestion_batches_total", kBatches, s.batches_duplicate,
                  {{"outcome", "duplicate"}});
        m.Counter("omnia_ingestion_batches_total", kBatches, s.batches_rejected,
                  {{"outcome", "rejected"}});
        m.Counter("omnia_ingestion_published_reports_total", "Published report files imported.",
                  s.published_reports_imported);
        m.Gauge("omnia_ingestion_backlog_events", "Logged events not yet applied by aggregation.",
                s.backlog_events);
        m.Gauge("omnia_ingestion_backlog_entries", "Log entries not yet applied by aggregation.",
                s.backlog_entries);
        m.Gauge("omnia_ingestion_log_sequence", "Last log entry written.", s.last_log_sequence);
        m.Gauge("omnia_ingestion_applied_log_sequence", "Last log entry applied by aggregation.",
                s.applied_log_sequence);
        const bool behind = s.backlog_entries > 0 && s.last_applied_time != absl::InfinitePast();
        m.Gauge("omnia_ingestion_apply_lag_seconds",
                "Time since aggregation last caught up, while a backlog exists.",
                behind ? absl::ToDoubleSeconds(clock.Now() - s.last_applied_time) : 0);
        m.Gauge("omnia_ingestion_aggregation_reachable", "1 when the last forward succeeded.",
                forwarder.aggregation_reachable() ? 1 : 0);
        m.Gauge("omnia_ingestion_forwarding_stopped",
                "1 when forwarding stopped on an error (see GetIngestionStatus.forwarding_error).",
                forwarder.forwarding_error().empty() ? 0 : 1);
        m.Gauge("omnia_storage_bytes", "Bytes of the service's RocksDB store on disk.",
                server::DirectoryBytes(log_dir), {{"store", "log"}});
      });
}

}  // namespace omnia::ingestion

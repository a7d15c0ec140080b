#include "services/exporter/metrics.h"

#include <utility>

#include "libs/server/scrape_collector.h"

namespace omnia::exporter {

std::shared_ptr<prometheus::Collectable> MetricsCollector(ExportService& service) {
  return std::make_shared<server::ScrapeCollector>([&service](server::MetricsBuilder& m) {
    for (const auto& [format, name] :
         {std::pair{v1::FORMAT_CSV, "csv"}, std::pair{v1::FORMAT_JSON, "json"},
          std::pair{v1::FORMAT_JSON_STAT, "json_stat"}, std::pair{v1::FORMAT_XML, "xml"},
          std::pair{v1::FORMAT_XLSX, "xlsx"}}) {
      m.Counter("omnia_export_bytes_total", "Bytes of files streamed, by format.",
                service.bytes_exported(format), {{"format", name}});
    }
    m.Gauge("omnia_export_active_calls", "Export calls in progress.",
            static_cast<double>(service.active_exports()));
    m.Counter("omnia_export_stalled_clients_total",
              "Export calls cancelled because the client stopped reading.",
              static_cast<double>(service.stalled_exports()));
    m.Gauge("omnia_export_release_cache_bytes", "Bytes held by the release cache.",
            static_cast<double>(service.release_cache_bytes()));
  });
}

}  // namespace omnia::exporter

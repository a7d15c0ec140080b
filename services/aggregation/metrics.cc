#include "services/aggregation/metrics.h"

#include <map>
#include <utility>

#include "libs/domain/measure.h"
#include "libs/server/scrape_collector.h"

namespace omnia::aggregation {
namespace {

void FillCubeMetrics(const cube::CubeEngine& engine, const std::string& data_dir,
                     server::MetricsBuilder& m) {
  const cube::CubeStats stats = engine.Stats();
  std::map<std::pair<std::string, std::string>, uint64_t> cells;
  for (const auto& [level, counts] : stats.levels) {
    const std::string measure(domain::MeasureCode(level.measure));
    cells[{measure, "micro_data"}] += counts.micro_data_cells;
    cells[{measure, "published"}] += counts.published_cells;
  }
  for (const auto& [key, count] : cells) {
    m.Gauge("omnia_cube_cells", "Non-empty cube cells at every level, by measure and layer.", count,
            {{"measure", key.first}, {"layer", key.second}});
  }
  m.Gauge("omnia_cube_distinct_workers", "Distinct worker pseudonyms known to the cube.",
          stats.distinct_workers);
  m.Gauge("omnia_cube_releases", "Frozen cube releases.", engine.ListReleases().size());
  for (const auto& [producer, sequence] : stats.last_sequences) {
    m.Gauge("omnia_aggregation_applied_sequence", "Last sequence applied per producer.", sequence,
            {{"producer", producer}});
  }
  m.Gauge("omnia_storage_bytes", "Bytes of the service's RocksDB store on disk.",
          server::DirectoryBytes(data_dir), {{"store", "cube"}});
  const cube::CubeEngine::ReleaseCacheStats cache = engine.ReleaseCache();
  m.Gauge("omnia_cube_release_cache_bytes",
          "Estimated memory of the frozen releases held in memory for queries.", cache.bytes);
  m.Gauge("omnia_cube_release_cache_max_bytes",
          "Bound on omnia_cube_release_cache_bytes (exceeded only by a single larger release).",
          cache.max_bytes);
  m.Gauge("omnia_cube_release_cache_releases", "Frozen releases held in memory for queries.",
          cache.releases);
  m.Counter("omnia_cube_release_loads_total", "Times a frozen release was read from disk.",
            cache.loads);
}

}  // namespace

std::shared_ptr<prometheus::Collectable> MakeMetricsCollector(
    std::shared_ptr<const EngineSlot> engine_slot, std::string data_dir) {
  return std::make_shared<server::ScrapeCollector>(
      [slot = std::move(engine_slot), data_dir = std::move(data_dir)](server::MetricsBuilder& m) {
        // The scrape holds its own reference: the engine cannot go away under it.
        const std::shared_ptr<cube::CubeEngine> engine = slot->Get();
        if (engine != nullptr) FillCubeMetrics(*engine, data_dir, m);
      });
}

}  // namespace omnia::aggregation

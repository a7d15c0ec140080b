// omnia-aggregation: owns the RocksDB cube store; applies forwarded batches exactly once and
// answers cube queries, releases and statistics.
#include <map>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "libs/base/clock.h"
#include "libs/cube/engine.h"
#include "libs/domain/codelists.h"
#include "libs/server/executor.h"
#include "libs/server/scrape_collector.h"
#include "libs/server/server_main.h"
#include "services/aggregation/aggregation_service.h"

ABSL_FLAG(std::string, data_dir, "", "directory of the RocksDB cube store (required)");

int main(int argc, char** argv) {
  omnia::server::BlockTerminationSignals();
  absl::SetProgramUsageMessage("omnia aggregation service");
  absl::ParseCommandLine(argc, argv);
  omnia::SystemClock clock;
  absl::StatusOr<omnia::server::ServerOptions> server_options =
      omnia::server::ServerOptionsFromFlags("aggregation");
  if (!server_options.ok()) {
    return omnia::server::ExitWithError("aggregation", server_options.status());
  }
  omnia::server::ServiceHost host(*std::move(server_options),
                                  std::make_shared<prometheus::Registry>(), clock);
  const omnia::domain::Codelists codelists = omnia::domain::Codelists::Builtin();
  omnia::server::Executor executor(2);
  omnia::aggregation::AggregationService service(executor);
  std::unique_ptr<omnia::cube::CubeEngine> engine;
  host.AddCollectable(
      std::make_shared<omnia::server::ScrapeCollector>([&](omnia::server::MetricsBuilder& m) {
        if (engine == nullptr) return;  // still opening
        const omnia::cube::CubeStats stats = engine->Stats();
        std::map<std::pair<std::string, std::string>, uint64_t> cells;
        for (const auto& [level, counts] : stats.levels) {
          const std::string measure(omnia::domain::MeasureCode(level.measure));
          cells[{measure, "micro_data"}] += counts.micro_data_cells;
          cells[{measure, "published"}] += counts.published_cells;
        }
        for (const auto& [key, count] : cells) {
          m.Gauge("omnia_cube_cells", "Non-empty cube cells at every level, by measure and layer.",
                  count, {{"measure", key.first}, {"layer", key.second}});
        }
        m.Gauge("omnia_cube_distinct_workers", "Distinct worker pseudonyms known to the cube.",
                stats.distinct_workers);
        m.Gauge("omnia_cube_releases", "Frozen cube releases.", engine->ListReleases().size());
        for (const auto& [producer, sequence] : stats.last_sequences) {
          m.Gauge("omnia_aggregation_applied_sequence", "Last sequence applied per producer.",
                  sequence, {{"producer", producer}});
        }
        m.Gauge("omnia_storage_bytes", "Bytes of the service's RocksDB store on disk.",
                omnia::server::DirectoryBytes(absl::GetFlag(FLAGS_data_dir)), {{"store", "cube"}});
      }));
  return omnia::server::ServeUntilTerminated(
      host, {{&service, omnia::v1::AggregationService::service_full_name()}},
      [&]() -> absl::Status {
        absl::StatusOr<std::unique_ptr<omnia::cube::CubeEngine>> opened =
            omnia::cube::CubeEngine::Open(absl::GetFlag(FLAGS_data_dir), codelists, clock);
        if (!opened.ok()) return opened.status();
        engine = std::move(*opened);
        service.Attach(engine.get());
        return absl::OkStatus();
      });
}

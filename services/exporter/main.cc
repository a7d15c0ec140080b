// omnia-exporter: stateless; renders datasets and ad-hoc queries as CSV, JSON, JSON-stat, XML and
// XLSX streams from the aggregation service's cubes.
#include <filesystem>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "libs/base/clock.h"
#include "libs/base/lock_checks.h"
#include "libs/catalogue/config.h"
#include "libs/domain/codelists.h"
#include "libs/server/executor.h"
#include "libs/server/server_main.h"
#include "services/exporter/export_service.h"
#include "services/exporter/metrics.h"

ABSL_FLAG(std::string, aggregation_address, "127.0.0.1:50052",
          "HOST:PORT of the aggregation service that answers cube queries");
ABSL_FLAG(std::string, catalogue_config, "deploy/config/datasets.textproto",
          "the datasets configuration (the same file the catalogue reads)");
ABSL_FLAG(std::string, temp_dir, "", "scratch space for spreadsheet rendering (default: system)");
ABSL_FLAG(absl::Duration, aggregation_deadline, absl::Seconds(30),
          "deadline of each call to aggregation");
ABSL_FLAG(absl::Duration, stalled_client_timeout, absl::Seconds(30),
          "how long an export waits for a client that reads nothing before cancelling the call");
ABSL_FLAG(size_t, release_cache_bytes, 1 << 20,
          "bound in bytes of the cache of each release's years with data (least recently used "
          "releases are evicted first)");

int main(int argc, char** argv) {
  omnia::base::TurnOffMutexDeadlockDetection();
  omnia::server::BlockTerminationSignals();
  absl::SetProgramUsageMessage("omnia exporter service");
  absl::ParseCommandLine(argc, argv);
  omnia::SystemClock clock;
  absl::StatusOr<omnia::catalogue::CatalogueConfig> config =
      omnia::catalogue::LoadConfig(absl::GetFlag(FLAGS_catalogue_config));
  if (!config.ok()) {
    omnia::server::LogInfo(clock.Now(), "exporter", config.status().ToString());
    return 1;
  }
  const omnia::domain::Codelists codelists = omnia::domain::Codelists::Builtin();
  omnia::server::Executor executor(4);
  omnia::exporter::ExportServiceOptions options;
  options.aggregation_deadline = absl::GetFlag(FLAGS_aggregation_deadline);
  options.stalled_client_timeout = absl::GetFlag(FLAGS_stalled_client_timeout);
  options.release_cache_bytes = absl::GetFlag(FLAGS_release_cache_bytes);
  options.temp_dir = absl::GetFlag(FLAGS_temp_dir).empty()
                         ? std::filesystem::temp_directory_path().string()
                         : absl::GetFlag(FLAGS_temp_dir);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> aggregation =
      omnia::server::PeerChannelFromFlags(absl::GetFlag(FLAGS_aggregation_address));
  if (!aggregation.ok()) return omnia::server::ExitWithError("exporter", aggregation.status());
  omnia::exporter::ExportService service(codelists, *config, *aggregation, executor, options);
  absl::StatusOr<omnia::server::ServerOptions> server_options =
      omnia::server::ServerOptionsFromFlags("exporter");
  if (!server_options.ok())
    return omnia::server::ExitWithError("exporter", server_options.status());
  server_options->max_receive_message_bytes = omnia::exporter::kMaxRequestBytes;
  omnia::server::ServiceHost host(*std::move(server_options),
                                  std::make_shared<prometheus::Registry>(), clock);
  host.AddCollectable(omnia::exporter::MetricsCollector(service));
  return omnia::server::ServeUntilTerminated(
      host, {{&service, omnia::v1::ExportService::service_full_name()}},
      [] { return absl::OkStatus(); });
}

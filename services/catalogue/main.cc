// omnia-catalogue: dataset metadata, releases and codelists; publishes reports by freezing the
// cubes and having the exporter render every attachment.
#include <filesystem>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "libs/base/clock.h"
#include "libs/base/lock_checks.h"
#include "libs/catalogue/artifact_store.h"
#include "libs/catalogue/attachment_reads.h"
#include "libs/catalogue/catalogue_store.h"
#include "libs/catalogue/config.h"
#include "libs/domain/codelists.h"
#include "libs/domain/period.h"
#include "libs/server/executor.h"
#include "libs/server/server_main.h"
#include "libs/storage/file_system.h"
#include "services/catalogue/catalogue_service.h"
#include "services/catalogue/metrics.h"

ABSL_FLAG(std::string, data_dir, "", "directory of the catalogue store (required)");
ABSL_FLAG(std::string, artifact_dir, "",
          "where published files are kept, named by content hash (default: <data_dir>/artifacts)");
ABSL_FLAG(std::string, catalogue_config, "deploy/config/datasets.textproto",
          "the datasets configuration");
ABSL_FLAG(std::string, exporter_address, "127.0.0.1:50054",
          "HOST:PORT of the exporter service that renders attachments");
ABSL_FLAG(std::string, public_base_url, "",
          "absolute http(s) URL the gateway serves the published files under, e.g. "
          "https://dati.example.it; attachments' download.url is <it>/releases/<release_id>/"
          "<dataset_id>/<file_name>. Empty leaves download.url empty");
ABSL_FLAG(std::string, aggregation_address, "127.0.0.1:50052",
          "HOST:PORT of the aggregation service (Publish freezes the cubes there)");

int main(int argc, char** argv) {
  omnia::base::TurnOffMutexDeadlockDetection();
  omnia::server::BlockTerminationSignals();
  absl::SetProgramUsageMessage("omnia catalogue service");
  absl::ParseCommandLine(argc, argv);
  // Dates users see are Italian: without the zone there is no correct "today".
  if (absl::Status zone = omnia::domain::CheckItalianTimeZone(); !zone.ok()) {
    return omnia::server::ExitWithError("catalogue", zone);
  }
  omnia::SystemClock clock;
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (absl::Status dir = omnia::server::EnsureWritableDirectory(data_dir); !dir.ok()) {
    omnia::server::LogInfo(clock.Now(), "catalogue", dir.ToString());
    return 1;
  }
  absl::StatusOr<omnia::catalogue::CatalogueConfig> config =
      omnia::catalogue::LoadConfig(absl::GetFlag(FLAGS_catalogue_config));
  if (!config.ok()) {
    omnia::server::LogInfo(clock.Now(), "catalogue", config.status().ToString());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<omnia::catalogue::CatalogueStore>> store =
      omnia::catalogue::CatalogueStore::OpenAt(
          (std::filesystem::path(data_dir) / "catalogue").string(), *config, clock);
  if (!store.ok()) {
    omnia::server::LogInfo(clock.Now(), "catalogue",
                           absl::StrCat("cannot open the store: ", store.status().ToString()));
    return 1;
  }
  const std::string artifact_dir = absl::GetFlag(FLAGS_artifact_dir).empty()
                                       ? (std::filesystem::path(data_dir) / "artifacts").string()
                                       : absl::GetFlag(FLAGS_artifact_dir);
  if (absl::Status dir = omnia::server::EnsureWritableDirectory(artifact_dir); !dir.ok()) {
    return omnia::server::ExitWithError("catalogue", dir);
  }
  omnia::storage::PosixFileSystem files;
  omnia::catalogue::ArtifactStore artifacts(files, artifact_dir);
  // A release whose files are missing or altered must not be served as published.
  if (absl::Status verified = omnia::catalogue::VerifyArtifacts(**store, artifacts);
      !verified.ok()) {
    return omnia::server::ExitWithError("catalogue", verified);
  }
  const omnia::domain::Codelists codelists = omnia::domain::Codelists::Builtin();
  omnia::server::Executor executor(4);
  omnia::catalogue::CatalogueServiceOptions options;
  absl::StatusOr<std::string> token = omnia::server::OutgoingTokenFromFlags();
  if (!token.ok()) return omnia::server::ExitWithError("catalogue", token.status());
  options.token = *token;
  if (const std::string base = absl::GetFlag(FLAGS_public_base_url); !base.empty()) {
    absl::StatusOr<std::string> normalized = omnia::catalogue::NormalizePublicBaseUrl(base);
    if (!normalized.ok()) return omnia::server::ExitWithError("catalogue", normalized.status());
    options.public_base_url = *normalized;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> aggregation =
      omnia::server::PeerChannelFromFlags(absl::GetFlag(FLAGS_aggregation_address));
  if (!aggregation.ok()) return omnia::server::ExitWithError("catalogue", aggregation.status());
  absl::StatusOr<std::shared_ptr<grpc::Channel>> exporter =
      omnia::server::PeerChannelFromFlags(absl::GetFlag(FLAGS_exporter_address));
  if (!exporter.ok()) return omnia::server::ExitWithError("catalogue", exporter.status());
  omnia::catalogue::CatalogueService service(**store, artifacts, codelists, *aggregation, *exporter,
                                             executor, options);
  absl::StatusOr<omnia::server::ServerOptions> server_options =
      omnia::server::ServerOptionsFromFlags("catalogue");
  if (!server_options.ok()) {
    return omnia::server::ExitWithError("catalogue", server_options.status());
  }
  server_options->max_receive_message_bytes = omnia::catalogue::kMaxRequestBytes;
  omnia::server::ServiceHost host(*std::move(server_options),
                                  std::make_shared<prometheus::Registry>(), clock);
  host.AddCollectable(omnia::catalogue::MetricsCollector(
      **store, (std::filesystem::path(data_dir) / "catalogue").string()));
  return omnia::server::ServeUntilTerminated(
      host, {{&service, omnia::v1::CatalogueService::service_full_name()}},
      [] { return absl::OkStatus(); });
}

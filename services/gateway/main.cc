// omnia-gateway: the public HTTP/1.1 face. Stateless: every file and every answer comes from
// the catalogue, the exporter and aggregation over gRPC.
#include <prometheus/exposer.h>
#include <prometheus/registry.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/base/lock_checks.h"
#include "libs/catalogue/public_urls.h"
#include "libs/gateway/catalogue_routes.h"
#include "libs/gateway/snapshot_cache.h"
#include "libs/http/metrics.h"
#include "libs/http/router.h"
#include "libs/http/server.h"
#include "libs/rpc/channel.h"
#include "libs/server/process_metrics.h"
#include "libs/server/tls.h"
#include "services/gateway/catalogue_source.h"
#include "services/gateway/gateway.h"
#include "services/gateway/portal_routes.h"

ABSL_FLAG(std::string, http_address, "127.0.0.1:8080", "HOST:PORT to serve HTTP on");
ABSL_FLAG(std::string, metrics_address, "",
          "HOST:PORT to serve Prometheus metrics on (GET /metrics); empty disables it");
ABSL_FLAG(std::string, catalogue_address, "127.0.0.1:50053", "HOST:PORT of the catalogue");
ABSL_FLAG(std::string, exporter_address, "127.0.0.1:50054", "HOST:PORT of the exporter");
ABSL_FLAG(std::string, aggregation_address, "127.0.0.1:50052", "HOST:PORT of aggregation");
ABSL_FLAG(std::string, public_base_url, "",
          "absolute http(s) URL the public reaches this gateway at, e.g. https://dati.example.it; "
          "URLs in responses start with it");
ABSL_FLAG(std::string, ipa_code, "inps",
          "IPA code of the publisher: CKAN and DCAT-AP_IT identifiers are <ipa_code>:<dataset_id>");
ABSL_FLAG(absl::Duration, catalogue_recheck, absl::Seconds(5),
          "how often, at most, the CKAN and DCAT routes ask the catalogue for a new release");
ABSL_FLAG(absl::Duration, drain_delay, absl::ZeroDuration(),
          "on SIGTERM, how long /readyz answers 503 before the listener closes, so load "
          "balancers stop sending new requests first");
ABSL_FLAG(absl::Duration, drain_deadline, absl::Seconds(20),
          "on SIGTERM, how long running downloads may continue after the listener closed");
ABSL_FLAG(int, max_concurrent_queries, 2,
          "ad-hoc queries (/api/v1/query) streaming at once; more get 503 with Retry-After");
ABSL_FLAG(std::string, token_file, "",
          "file holding the gateway's bearer token (role gateway of deploy/auth/roles), sent on "
          "CatalogueService.ReadAttachment");
ABSL_FLAG(absl::Duration, portal_release_check, absl::Seconds(5),
          "how long the portal trusts the latest release id before asking the catalogue again; "
          "pages are cached per release");

namespace {

void Log(const std::string& line) {
  // One write per line, so lines from concurrent requests never interleave.
  const std::string text = line + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

void LogEvent(const std::string& message) {
  Log(absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                   " gateway ", message));
}

int Fail(const absl::Status& status) {
  LogEvent(absl::StrCat("cannot start: ", status.ToString()));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  omnia::base::TurnOffMutexDeadlockDetection();
  // Blocked here, in every thread started later, and taken synchronously below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A client that closes its connection mid-response must not kill the process.
  signal(SIGPIPE, SIG_IGN);

  absl::SetProgramUsageMessage("omnia HTTP gateway");
  absl::ParseCommandLine(argc, argv);

  omnia::gateway::GatewayOptions options;
  options.max_concurrent_queries = absl::GetFlag(FLAGS_max_concurrent_queries);
  if (const std::string path = absl::GetFlag(FLAGS_token_file); !path.empty()) {
    absl::StatusOr<std::string> token = omnia::server::ReadBearerTokenFile(path);
    if (!token.ok()) return Fail(token.status());
    options.token = *token;
  }
  // The URLs the catalogue routes print: the public base, else this server's own address.
  std::string base_url = absl::StrCat("http://", absl::GetFlag(FLAGS_http_address));
  if (const std::string base = absl::GetFlag(FLAGS_public_base_url); !base.empty()) {
    absl::StatusOr<std::string> normalized = omnia::catalogue::NormalizePublicBaseUrl(base);
    if (!normalized.ok()) return Fail(normalized.status());
    base_url = *normalized;
  }
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      omnia::server::ChannelCredentialsFromFlags();
  if (!credentials.ok()) return Fail(credentials.status());
  const auto channel = [&](const std::string& address) {
    return omnia::rpc::CreateChannel(address, *credentials);
  };
  omnia::gateway::Gateway gateway(channel(absl::GetFlag(FLAGS_catalogue_address)),
                                  channel(absl::GetFlag(FLAGS_exporter_address)),
                                  channel(absl::GetFlag(FLAGS_aggregation_address)), options);
  omnia::http::Router router;
  gateway.AddRoutes(router);
  omnia::gateway::PortalOptions portal_options;
  portal_options.release_check_interval = absl::GetFlag(FLAGS_portal_release_check);
  omnia::gateway::PortalRoutes portal(gateway, portal_options);
  portal.AddRoutes(router);

  // The CKAN, DCAT-AP_IT, Data Package and Atom routes, from a cached catalogue snapshot.
  omnia::ckan::CkanSite site;
  site.public_base_url = base_url;
  site.ipa_code = absl::GetFlag(FLAGS_ipa_code);
  omnia::dcat::CatalogConfig dcat_config;
  dcat_config.public_base_url = base_url;
  dcat_config.ipa_code = site.ipa_code;
  omnia::SystemClock clock;
  omnia::gateway::GrpcCatalogueSource source(gateway.catalogue(), options.call_deadline);
  omnia::gateway::SnapshotCache snapshots(source, clock, site,
                                          absl::GetFlag(FLAGS_catalogue_recheck));
  omnia::gateway::CatalogueRoutes catalogue_routes(snapshots, dcat_config);
  catalogue_routes.AddRoutes(router);

  auto registry = std::make_shared<prometheus::Registry>();
  omnia::http::HttpMetrics metrics(*registry);
  const std::shared_ptr<prometheus::Collectable> process_and_build =
      omnia::server::ProcessAndBuildCollector();
  std::unique_ptr<prometheus::Exposer> exposer;
  if (const std::string address = absl::GetFlag(FLAGS_metrics_address); !address.empty()) {
    try {
      exposer = std::make_unique<prometheus::Exposer>(address);
    } catch (const std::exception&) {
      return Fail(absl::UnavailableError(absl::StrCat("cannot serve metrics on ", address)));
    }
    exposer->RegisterCollectable(registry);
    exposer->RegisterCollectable(process_and_build);
  }
  omnia::http::HttpServer server(router, omnia::http::ServerLimits(), metrics, Log);
  if (absl::Status started = server.Start(absl::GetFlag(FLAGS_http_address)); !started.ok()) {
    return Fail(started);
  }
  LogEvent(absl::StrCat("serving HTTP on port ", server.port(), "; catalogue ",
                        absl::GetFlag(FLAGS_catalogue_address), ", exporter ",
                        absl::GetFlag(FLAGS_exporter_address), ", aggregation ",
                        absl::GetFlag(FLAGS_aggregation_address)));
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  LogEvent(absl::StrCat("received signal ", signal_number, "; draining"));
  gateway.StartDraining();
  absl::SleepFor(absl::GetFlag(FLAGS_drain_delay));
  absl::Notification stopped;
  std::thread stopper([&] {
    server.Stop();
    stopped.Notify();
  });
  if (!stopped.WaitForNotificationWithTimeout(absl::GetFlag(FLAGS_drain_deadline))) {
    // Downloads still running past the deadline: the orchestrator would kill us anyway.
    LogEvent("drain deadline passed with transfers still running; exiting");
    std::_Exit(0);
  }
  stopper.join();
  LogEvent("stopped");
  return 0;
}

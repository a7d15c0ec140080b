// omnia-ingestion: accepts administrative events and published report files, pseudonymises
// worker ids, keeps the durable raw-event log and forwards it to aggregation.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "libs/base/clock.h"
#include "libs/base/lock_checks.h"
#include "libs/domain/codelists.h"
#include "libs/domain/period.h"
#include "libs/ingest/event_log.h"
#include "libs/ingest/forwarder.h"
#include "libs/ingest/pseudonymizer.h"
#include "libs/ingest_grpc/grpc_aggregation_sink.h"
#include "libs/server/executor.h"
#include "libs/server/server_main.h"
#include "libs/storage/rocksdb_store.h"
#include "services/ingestion/ingestion_service.h"
#include "services/ingestion/metrics.h"

ABSL_FLAG(std::string, data_dir, "", "directory of the durable raw-event log (required)");
ABSL_FLAG(std::string, aggregation_address, "127.0.0.1:50052",
          "HOST:PORT of the aggregation service that applies forwarded batches");
ABSL_FLAG(std::string, hmac_key_file, "",
          "file holding the pseudonymisation key (at least 32 bytes); else $OMNIA_HMAC_KEY");
ABSL_FLAG(bool, insecure_dev_hmac_key, false,
          "development only: without a key, create a random one under --data_dir and reuse it");
ABSL_FLAG(std::string, producer_id, "ingestion",
          "this instance's producer id towards aggregation (one per ingestion instance)");
ABSL_FLAG(uint64_t, expected_event_ids, 0,
          "event ids the deduplication index makes room for at start (logged ones included), so "
          "that it does not grow and rehash while they arrive; 0 grows as needed. About 28.4 bytes "
          "each, committed at start");
ABSL_FLAG(uint64_t, max_backlog_events, 5'000'000,
          "events logged but not yet applied by aggregation beyond which writes are refused");
ABSL_FLAG(uint64_t, max_events_per_forward,
          omnia::ingest::ForwarderOptions{}.max_events_per_request,
          "most events sent to aggregation in one Apply request (log entries are never split)");
ABSL_FLAG(int, forward_requests_in_flight,
          static_cast<int>(omnia::ingest::ForwarderOptions{}.requests_in_flight),
          "Apply requests sent to aggregation before the one ahead of them is answered (1 to 4): "
          "with 2, aggregation receives and decodes the next request while it applies one");
ABSL_FLAG(absl::Duration, aggregation_deadline, absl::Seconds(30),
          "deadline of each call to aggregation");
ABSL_FLAG(int, write_nice, 10,
          "nice value (0-19) of the threads that log batches and forward them to aggregation, so "
          "that status and health calls overtake bulk writes when the processors are busy; 0 "
          "runs them at the process's priority");

namespace {

constexpr char kKeyEnv[] = "OMNIA_HMAC_KEY";

// The development key lives beside the data it pseudonymises so restarts keep pseudonyms stable.
absl::StatusOr<std::string> DevelopmentKey(const std::string& data_dir) {
  const std::filesystem::path path = std::filesystem::path(data_dir) / "dev-hmac-key";
  if (std::filesystem::exists(path)) return omnia::ingest::LoadSecret(path.string(), kKeyEnv);
  std::random_device random;
  std::string key;
  for (int i = 0; i < 48; ++i) key += "0123456789abcdef"[random() % 16];
  std::ofstream out(path, std::ios::binary);
  out << key;
  if (!out) return absl::InternalError("cannot write the development key");
  chmod(path.c_str(), 0600);
  return key;
}

absl::StatusOr<std::string> Key(const std::string& data_dir) {
  absl::StatusOr<std::string> key =
      omnia::ingest::LoadSecret(absl::GetFlag(FLAGS_hmac_key_file), kKeyEnv);
  if (key.ok() || !absl::GetFlag(FLAGS_insecure_dev_hmac_key)) return key;
  return DevelopmentKey(data_dir);
}

}  // namespace

int main(int argc, char** argv) {
  omnia::base::TurnOffMutexDeadlockDetection();
  omnia::server::BlockTerminationSignals();
  absl::SetProgramUsageMessage("omnia ingestion service");
  absl::ParseCommandLine(argc, argv);
  // Dates users see are Italian: without the zone there is no correct "today".
  if (absl::Status zone = omnia::domain::CheckItalianTimeZone(); !zone.ok()) {
    return omnia::server::ExitWithError("ingestion", zone);
  }
  omnia::SystemClock clock;
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (absl::Status dir = omnia::server::EnsureWritableDirectory(data_dir); !dir.ok()) {
    omnia::server::LogInfo(clock.Now(), "ingestion", dir.ToString());
    return 1;
  }
  // Refuse to start without a key: pseudonymisation is not optional.
  absl::StatusOr<std::string> key = Key(data_dir);
  absl::StatusOr<std::unique_ptr<omnia::ingest::Pseudonymizer>> pseudonymizer =
      key.ok() ? omnia::ingest::Pseudonymizer::Create(*key)
               : absl::StatusOr<std::unique_ptr<omnia::ingest::Pseudonymizer>>(key.status());
  if (!pseudonymizer.ok()) {
    omnia::server::LogInfo(
        clock.Now(), "ingestion",
        absl::StrCat("no usable pseudonymisation key: ", pseudonymizer.status().message()));
    return 1;
  }
  absl::StatusOr<std::unique_ptr<omnia::storage::KvStore>> kv = omnia::storage::OpenRocksDb(
      (std::filesystem::path(data_dir) / "log").string(), omnia::ingest::EventLog::Columns());
  absl::StatusOr<std::unique_ptr<omnia::ingest::EventLog>> log =
      kv.ok() ? omnia::ingest::EventLog::Open(std::move(*kv), clock)
              : absl::StatusOr<std::unique_ptr<omnia::ingest::EventLog>>(kv.status());
  if (!log.ok()) {
    omnia::server::LogInfo(clock.Now(), "ingestion",
                           absl::StrCat("cannot open the log: ", log.status().ToString()));
    return 1;
  }

  if (absl::Status bound = (*log)->BindPseudonymKey((*pseudonymizer)->KeyFingerprint());
      !bound.ok()) {
    omnia::server::LogInfo(clock.Now(), "ingestion", bound.ToString());
    return 1;
  }
  if (absl::Status reserved = (*log)->ReserveIndex(absl::GetFlag(FLAGS_expected_event_ids));
      !reserved.ok()) {
    return omnia::server::ExitWithError("ingestion", reserved);
  }

  const omnia::domain::Codelists codelists = omnia::domain::Codelists::Builtin();
  absl::StatusOr<std::string> token = omnia::server::OutgoingTokenFromFlags();
  if (!token.ok()) return omnia::server::ExitWithError("ingestion", token.status());
  absl::StatusOr<std::shared_ptr<grpc::Channel>> aggregation =
      omnia::server::PeerChannelFromFlags(absl::GetFlag(FLAGS_aggregation_address));
  if (!aggregation.ok()) return omnia::server::ExitWithError("ingestion", aggregation.status());
  omnia::ingest_grpc::GrpcAggregationSink sink(*aggregation, codelists,
                                               absl::GetFlag(FLAGS_aggregation_deadline), *token);
  absl::StatusOr<int> write_nice =
      omnia::server::WriteNiceFromFlag(absl::GetFlag(FLAGS_write_nice));
  if (!write_nice.ok()) return omnia::server::ExitWithError("ingestion", write_nice.status());
  omnia::ingest::ForwarderOptions forwarder_options;
  forwarder_options.producer_id = absl::GetFlag(FLAGS_producer_id);
  forwarder_options.max_events_per_request = absl::GetFlag(FLAGS_max_events_per_forward);
  forwarder_options.thread_nice = *write_nice;
  absl::StatusOr<int> in_flight =
      omnia::server::RequestsInFlightFromFlag(absl::GetFlag(FLAGS_forward_requests_in_flight));
  if (!in_flight.ok()) return omnia::server::ExitWithError("ingestion", in_flight.status());
  forwarder_options.requests_in_flight = static_cast<size_t>(*in_flight);
  forwarder_options.log_error = [&clock](const std::string& error) {
    omnia::server::LogInfo(clock.Now(), "ingestion", error);
  };
  omnia::ingest::Forwarder forwarder(**log, sink, forwarder_options);
  omnia::server::Executor executor(4, *write_nice);
  omnia::ingestion::IngestionOptions options;
  options.max_backlog_events = absl::GetFlag(FLAGS_max_backlog_events);
  omnia::ingestion::IngestionService service(
      {&codelists, pseudonymizer->get(), log->get(), &forwarder, &executor, &clock}, options);

  absl::StatusOr<omnia::server::ServerOptions> server_options =
      omnia::server::ServerOptionsFromFlags("ingestion");
  if (!server_options.ok()) {
    return omnia::server::ExitWithError("ingestion", server_options.status());
  }
  omnia::server::ServiceHost host(*std::move(server_options),
                                  std::make_shared<prometheus::Registry>(), clock);
  host.AddCollectable(omnia::ingestion::MetricsCollector(
      **log, forwarder, clock, (std::filesystem::path(data_dir) / "log").string()));
  const int exit_code = omnia::server::ServeUntilTerminated(
      host, {{&service, omnia::v1::IngestionService::service_full_name()}}, [&] {
        forwarder.Start();
        return absl::OkStatus();
      });
  forwarder.Stop();
  return exit_code;
}

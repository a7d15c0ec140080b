// omnia-crashtest: kill-and-verify, in the manner of RocksDB's db_crashtest. Runs the four
// services on loopback; a producer streams events, imports raw-event files and a published
// report (with revisions), publishes releases and asks for rebuilds, retrying whatever a crash
// interrupts exactly as the contracts allow; meanwhile a killer sends SIGKILL to a random service
// at random moments and restarts it. At the end every cube cell of every level must equal an
// independent recomputation from what the producer sent, and every release that was published
// must still download with the sha256 recorded at publication.
//
// Usage: omnia-crashtest [--kills=100] [--seed=N] [--batch_interval=20ms]; prints its seed first so
// a failing run can be repeated, and a summary last; exit 0 only when nothing was lost, doubled or
// corrupted.
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/base/lock_checks.h"
#include "libs/base/sha256.h"
#include "libs/client/event_streamer.h"
#include "libs/client/upload.h"
#include "libs/rpc/channel.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "omnia/v1/catalogue.grpc.pb.h"
#include "omnia/v1/export.grpc.pb.h"
#include "omnia/v1/ingestion.grpc.pb.h"
#include "tests/support/cluster.h"
#include "tests/support/cube_oracle.h"

ABSL_FLAG(int, kills, 100, "services to kill -9 (each then restarted) during the run");
ABSL_FLAG(uint64_t, seed, 0, "random seed of the workload and the kills; 0 picks one");
ABSL_FLAG(absl::Duration, batch_interval, absl::Milliseconds(20),
          "pause between streamed batches; the producer streams until the last kill is done");
ABSL_FLAG(int, batch_events, 200, "events per streamed batch");
ABSL_FLAG(absl::Duration, min_kill_interval, absl::Milliseconds(150),
          "shortest pause between kills");
ABSL_FLAG(absl::Duration, max_kill_interval, absl::Milliseconds(900),
          "longest pause between kills");
ABSL_FLAG(std::string, binary_dir, OMNIA_BINARY_DIR, "build tree holding services/");
ABSL_FLAG(std::string, source_dir, OMNIA_SOURCE_DIR, "source tree (for deploy/config)");

namespace omnia::crashtest {
namespace {

using testing::Event;

const char* const kServices[] = {"ingestion", "aggregation", "catalogue", "exporter"};
constexpr int kPublishedYear = 2021;  // events are 2022-2023, so the report's year stays apart

std::unique_ptr<grpc::ClientContext> Context(const std::string& token, absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

// An APPLICATIONS report of kPublishedYear, one revision per value of `revision`, as a file and
// as the equivalent application events for the oracle (the measure is a plain count).
struct Report {
  std::string csv;
  std::vector<Event> equivalent;
};

Report MakeReport(int revision) {
  Report report;
  report.csv = "Anno,Mese,Tipo_intervento,Regione,numero_domande\n";
  const char* regions[] = {"ABRUZZO", "LAZIO", "PIEMONTE", "SICILIA"};
  const char* types[] = {"CIGO", "FIS"};
  for (int month = 1; month <= 12; ++month) {
    for (const char* region : regions) {
      for (const char* type : types) {
        const int value = (month * 7 + revision * 3 + static_cast<int>(region[0])) % 23;
        if (value == 0) continue;
        static const char* kMonths[] = {"Gennaio",   "Febbraio", "Marzo",    "Aprile",
                                        "Maggio",    "Giugno",   "Luglio",   "Agosto",
                                        "Settembre", "Ottobre",  "Novembre", "Dicembre"};
        absl::StrAppend(&report.csv, kPublishedYear, ",", kMonths[month - 1], ",", type, ",",
                        region, ",", value, "\n");
        for (int i = 0; i < value; ++i) {
          Event e;
          e.year = kPublishedYear;
          e.month = month;
          e.day = 1;
          e.region = region;
          e.type = type;
          report.equivalent.push_back(e);
        }
      }
    }
  }
  return report;
}

// A raw application file of events with ids "R<file>-<i>", as text and as oracle events.
std::pair<std::string, std::vector<Event>> MakeRawFile(int file, std::mt19937_64& rng) {
  std::vector<Event> events = testing::MakeEvents(300, 50, rng(), absl::StrCat("R", file, "-"));
  std::string csv = "application_id,authorized_on,region,intervention_type\n";
  std::vector<Event> applications;
  for (const Event& e : events) {
    if (e.payment) continue;
    absl::StrAppendFormat(&csv, "%s,%04d-%02d-%02d,%s,%s\n", e.id, e.year, e.month, e.day, e.region,
                          e.type);
    applications.push_back(e);
  }
  return {csv, applications};
}

class CrashTest {
 public:
  CrashTest(uint64_t seed, int kills)
      : seed_(seed),
        kills_(kills),
        cluster_(absl::GetFlag(FLAGS_binary_dir), absl::GetFlag(FLAGS_source_dir)) {}

  int Run() {
    if (!cluster_.StartAll()) return Fail("the services did not start");
    std::thread producer([&] { Produce(); });
    std::thread writer([&] { WriteFilesPublishAndRebuild(); });
    Kill();
    killing_ = false;
    producer.join();
    stop_writer_ = true;
    writer.join();
    if (!producer_status_.ok()) return Fail(producer_status_.ToString());
    return Verify();
  }

 private:
  // Streams every event, resending what a crash left unacknowledged, until all are acked.
  void Produce() {
    client::StreamerOptions options;
    options.bearer_token = cluster_.operator_token();
    options.give_up_after = absl::Minutes(5);
    const size_t per_batch = absl::GetFlag(FLAGS_batch_events);
    uint64_t sequence = 0;
    client::EventStreamer streamer(rpc::CreateInsecureChannel(cluster_.address("ingestion")),
                                   options);
    producer_status_ = streamer.Run([&]() -> std::optional<v1::EventBatch> {
      if (!killing_) return std::nullopt;
      // A steady flow for as long as services are being killed, so every kill lands while
      // events are moving.
      absl::SleepFor(absl::GetFlag(FLAGS_batch_interval));
      const size_t begin = events_.size();
      const std::vector<Event> fresh = testing::MakeEvents(
          static_cast<int>(per_batch), 20000, seed_ + sequence, absl::StrCat("B", sequence, "-"));
      events_.insert(events_.end(), fresh.begin(), fresh.end());
      return testing::ToBatch(events_, begin, events_.size(), ++sequence, "crash-producer");
    });
    reconnects_ = streamer.stats().reconnects;
    producing_ = false;
  }

  // Raw-event files, report revisions, releases and rebuilds, each retried until it succeeds
  // (files and reports) or recorded only when it did (releases).
  void WriteFilesPublishAndRebuild() {
    std::mt19937_64 rng(seed_ ^ 0x5bd1e995);
    int round = 0;
    while (!stop_writer_) {
      ++round;
      auto [csv, applications] = MakeRawFile(round, rng);
      if (RetryUntilOk([&] { return ImportRaw(csv); })) {
        std::lock_guard<std::mutex> lock(mu_);
        file_events_.insert(file_events_.end(), applications.begin(), applications.end());
      }
      if (round % 2 == 1) {
        Report report = MakeReport(round);
        if (RetryUntilOk([&] { return ImportReport(report.csv); })) {
          std::lock_guard<std::mutex> lock(mu_);
          report_ = std::move(report);
        }
      }
      if (round % 3 == 0) Publish(round);
      if (round % 5 == 0) Rebuild();
      absl::SleepFor(absl::Milliseconds(300));
    }
  }

  bool RetryUntilOk(const std::function<grpc::Status()>& call) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      const grpc::Status status = call();
      if (status.ok()) return true;
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
          status.error_code() != grpc::StatusCode::CANCELLED &&
          status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED &&
          status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED &&
          status.error_code() != grpc::StatusCode::UNKNOWN) {
        std::cerr << "refused: " << status.error_message() << "\n";
        ++unexpected_errors_;
        return false;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    ++unexpected_errors_;
    return false;
  }

  template <typename Request, typename Response, typename Open>
  grpc::Status Upload(Open open, const std::string& content) {
    auto context = Context(cluster_.operator_token(), absl::Seconds(30));
    Response response;
    auto writer = open(context.get(), &response);
    Request header;
    header.mutable_header()->set_file_name("crash.csv");
    if (writer->Write(header)) client::WriteUploadBody(*writer, content, 4096);
    return writer->Finish();
  }

  grpc::Status ImportRaw(const std::string& csv) {
    auto stub =
        v1::IngestionService::NewStub(rpc::CreateInsecureChannel(cluster_.address("ingestion")));
    return Upload<v1::ImportRawEventsRequest, v1::ImportRawEventsResponse>(
        [&](grpc::ClientContext* c, v1::ImportRawEventsResponse* r) {
          return stub->ImportRawEvents(c, r);
        },
        csv);
  }

  grpc::Status ImportReport(const std::string& csv) {
    auto stub =
        v1::IngestionService::NewStub(rpc::CreateInsecureChannel(cluster_.address("ingestion")));
    return Upload<v1::ImportPublishedReportRequest, v1::ImportPublishedReportResponse>(
        [&](grpc::ClientContext* c, v1::ImportPublishedReportResponse* r) {
          return stub->ImportPublishedReport(c, r);
        },
        csv);
  }

  // Publishes a release and records the sha256 of each of its attachments.
  void Publish(int round) {
    auto catalogue =
        v1::CatalogueService::NewStub(rpc::CreateInsecureChannel(cluster_.address("catalogue")));
    v1::PublishRequest request;
    request.set_release_id(absl::StrCat("crash-", round));
    v1::PublishResponse response;
    if (!catalogue
             ->Publish(Context(cluster_.operator_token(), absl::Seconds(60)).get(), request,
                       &response)
             .ok()) {
      return;  // interrupted: a failed publication must have changed nothing
    }
    v1::ListDatasetsRequest list;
    list.set_page_size(100);
    v1::ListDatasetsResponse datasets;
    if (!catalogue->ListDatasets(Context("", absl::Seconds(10)).get(), list, &datasets).ok()) {
      return;
    }
    std::vector<std::tuple<std::string, v1::Format, std::string>> files;
    for (const v1::Dataset& listed : datasets.datasets()) {
      v1::GetDatasetRequest get;
      get.set_dataset_id(listed.dataset_id());
      get.set_release_id(request.release_id());
      v1::GetDatasetResponse dataset;
      if (!catalogue->GetDataset(Context("", absl::Seconds(10)).get(), get, &dataset).ok()) return;
      for (const v1::Attachment& a : dataset.dataset().attachments()) {
        files.emplace_back(listed.dataset_id(), a.format(), a.sha256());
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    releases_[request.release_id()] = std::move(files);
  }

  void Rebuild() {
    auto stub =
        v1::IngestionService::NewStub(rpc::CreateInsecureChannel(cluster_.address("ingestion")));
    v1::RebuildAggregationResponse response;
    const grpc::Status status = stub->RebuildAggregation(
        Context(cluster_.operator_token(), absl::Seconds(60)).get(), {}, &response);
    if (status.ok()) ++rebuilds_;
  }

  void Kill() {
    std::mt19937_64 rng(seed_);
    const int64_t min_ms = absl::ToInt64Milliseconds(absl::GetFlag(FLAGS_min_kill_interval));
    const int64_t max_ms = absl::ToInt64Milliseconds(absl::GetFlag(FLAGS_max_kill_interval));
    for (int kill = 0; kill < kills_; ++kill) {
      absl::SleepFor(
          absl::Milliseconds(min_ms + static_cast<int64_t>(rng() % (max_ms - min_ms + 1))));
      const std::string service = kServices[rng() % 4];
      if (!producing_) {
        std::cerr << "kill " << kill << " came after the producer stopped\n";
        ++unexpected_errors_;
      }
      cluster_.Kill(service);
      if (!cluster_.Start(service)) {
        std::cerr << service << " did not come back after kill " << kill << "\n";
        ++unexpected_errors_;
        return;
      }
      ++kills_done_;
      if (kill % 10 == 9) std::cout << "kills: " << kill + 1 << std::endl;
    }
  }

  bool WaitUntilApplied() {
    auto stub =
        v1::IngestionService::NewStub(rpc::CreateInsecureChannel(cluster_.address("ingestion")));
    const absl::Time deadline = absl::Now() + absl::Minutes(3);
    while (absl::Now() < deadline) {
      v1::GetIngestionStatusResponse status;
      if (stub->GetIngestionStatus(Context("", absl::Seconds(5)).get(), {}, &status).ok() &&
          status.backlog_entries() == 0 &&
          status.applied_log_sequence() == status.last_log_sequence()) {
        return true;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  // Downloads every recorded attachment of every release and compares its sha256.
  int VerifyReleases() {
    auto exporter =
        v1::ExportService::NewStub(rpc::CreateInsecureChannel(cluster_.address("exporter")));
    int bad = 0;
    for (const auto& [release, files] : releases_) {
      for (const auto& [dataset, format, sha256] : files) {
        v1::ExportRequest request;
        request.set_dataset_id(dataset);
        request.set_format(format);
        request.set_release_id(release);
        auto context = Context("", absl::Seconds(60));
        auto reader = exporter->Export(context.get(), request);
        Sha256 digest;
        v1::ExportResponse part;
        while (reader->Read(&part)) {
          if (part.has_data()) digest.Update(part.data());
        }
        const grpc::Status status = reader->Finish();
        const std::string got = status.ok() ? digest.HexDigest() : status.error_message();
        if (got != sha256) {
          if (++bad <= 5) {
            std::cerr << "release " << release << " " << dataset << " format " << format
                      << ": recorded sha256 " << sha256 << ", downloaded " << got << "\n";
          }
        }
      }
    }
    return bad;
  }

  int Verify() {
    if (!WaitUntilApplied()) return Fail("aggregation did not catch up with the log");
    std::vector<Event> expected = events_;
    expected.insert(expected.end(), file_events_.begin(), file_events_.end());
    if (report_.has_value()) {
      expected.insert(expected.end(), report_->equivalent.begin(), report_->equivalent.end());
    }
    auto aggregation = v1::AggregationService::NewStub(
        rpc::CreateInsecureChannel(cluster_.address("aggregation")));
    absl::StatusOr<std::map<testing::CellKey, uint64_t>> actual =
        testing::QueryEverything(*aggregation, kPublishedYear, 2023);
    if (!actual.ok()) return Fail(actual.status().ToString());
    const testing::CubeComparison cubes =
        testing::CompareCubes(testing::Recompute(expected), *actual);
    for (const std::string& difference : cubes.first_differences) std::cerr << difference << "\n";
    const int bad_files = VerifyReleases();
    size_t files = 0;
    for (const auto& [release, list] : releases_) files += list.size();
    std::cout << absl::StrFormat(
        "seed %d: kills survived %d of %d; events sent %d (+%d from files), stream reconnects %d; "
        "events lost %d, events doubled %d, cells differing %d; releases %d (%d files, %d not "
        "matching their sha256); rebuilds %d; unexpected errors %d\n",
        seed_, kills_done_, kills_, events_.size(), file_events_.size(), reconnects_,
        cubes.units_missing, cubes.units_extra, cubes.cells_differing, releases_.size(), files,
        bad_files, rebuilds_.load(), unexpected_errors_.load());
    const bool ok = cubes.cells_differing == 0 && bad_files == 0 && unexpected_errors_ == 0 &&
                    kills_done_ == kills_;
    if (!ok) std::cerr << cluster_.Logs().substr(0, 20000);
    std::cout << (ok ? "PASS" : "FAIL") << std::endl;
    return ok ? 0 : 1;
  }

  int Fail(const std::string& why) {
    std::cerr << "crash test: " << why << "\n" << cluster_.Logs().substr(0, 20000);
    std::cout << "FAIL" << std::endl;
    return 1;
  }

  const uint64_t seed_;
  const int kills_;
  testing::Cluster cluster_;
  std::vector<Event> events_;
  absl::Status producer_status_;
  uint64_t reconnects_ = 0;
  std::atomic<bool> producing_{true};
  std::atomic<bool> killing_{true};
  std::atomic<bool> stop_writer_{false};
  std::atomic<int> rebuilds_{0};
  std::atomic<int> unexpected_errors_{0};
  int kills_done_ = 0;
  std::mutex mu_;
  std::vector<Event> file_events_;
  std::optional<Report> report_;
  std::map<std::string, std::vector<std::tuple<std::string, v1::Format, std::string>>> releases_;
};

}  // namespace
}  // namespace omnia::crashtest

int main(int argc, char** argv) {
  omnia::base::TurnOffMutexDeadlockDetection();
  absl::SetProgramUsageMessage("kill -9 random omnia services under load, then verify");
  absl::ParseCommandLine(argc, argv);
  uint64_t seed = absl::GetFlag(FLAGS_seed);
  if (seed == 0) seed = std::random_device()() | 1;
  std::cout << "crash test seed " << seed << " (repeat with --seed=" << seed << ")" << std::endl;
  omnia::crashtest::CrashTest test(seed, absl::GetFlag(FLAGS_kills));
  return test.Run();
}

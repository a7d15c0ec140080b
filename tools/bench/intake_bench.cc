// omnia-intake-bench: ingestion's batch intake in process (validation, pseudonymisation,
// deduplication and the synced log write), on a real RocksDB log in a temporary directory, for
// the `bench` target. Nothing forwards the log: this is what acknowledging a batch costs.
//
//   omnia-intake-bench --payments=N --applications=N --workers=N --mobility_percent=P
//
// Prints one JSON line, intake_all: the generated dataset sent as batches of --batch events in
// stream order (1 % of payments repeated, 1 id in 13 in lower case, as the throughput bench), one
// batch after another on one thread; wall seconds, events per second and the process's CPU
// microseconds per event (which other work on the machine barely changes).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/civil_time.h"
#include "libs/base/clock.h"
#include "libs/base/lock_checks.h"
#include "libs/domain/codelists.h"
#include "libs/ingest/batch_intake.h"
#include "libs/ingest/event_log.h"
#include "libs/ingest/pseudonymizer.h"
#include "libs/storage/rocksdb_store.h"
#include "libs/synth/generator.h"
#include "tools/bench/process_cpu.h"

ABSL_FLAG(uint64_t, payments, 4'000'000, "payments generated");
ABSL_FLAG(uint64_t, applications, 400'000, "applications generated");
ABSL_FLAG(uint64_t, workers, 400'000, "distinct workers");
ABSL_FLAG(uint32_t, mobility_percent, 50, "percent of payments drawn independently of the worker");
ABSL_FLAG(size_t, batch, 10'000, "events per batch (a StreamEvents batch holds at most 10,000)");
ABSL_FLAG(uint64_t, expected_event_ids, 11'100'000,
          "ids the deduplication index is sized for, as the service's flag (its size decides how "
          "often a probe misses the processor's caches)");
ABSL_FLAG(std::string, scratch, "/tmp", "directory for the temporary log");

namespace {

namespace fs = std::filesystem;
using omnia::ingest::RawEvent;

// Collects generated events into batches of `batch_size`, in stream order.
class Batcher : public omnia::synth::EventVisitor {
 public:
  explicit Batcher(size_t batch_size) : batch_size_(batch_size) { batches_.emplace_back(); }
  absl::Status OnApplication(const omnia::domain::ApplicationAuthorized& event) override {
    return Add(event);
  }
  absl::Status OnPayment(const omnia::domain::PaymentIssued& event) override { return Add(event); }
  std::vector<std::vector<RawEvent>> Take() { return std::move(batches_); }

 private:
  absl::Status Add(RawEvent event) {
    if (batches_.back().size() == batch_size_) batches_.emplace_back();
    batches_.back().push_back(std::move(event));
    return absl::OkStatus();
  }
  const size_t batch_size_;
  std::vector<std::vector<RawEvent>> batches_;
};

int Fail(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "omnia-intake-bench: %s: %s\n", what.c_str(),
               std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  omnia::base::TurnOffMutexDeadlockDetection();
  absl::ParseCommandLine(argc, argv);
  omnia::synth::GeneratorOptions options;
  options.payments = absl::GetFlag(FLAGS_payments);
  options.applications = absl::GetFlag(FLAGS_applications);
  options.workers = absl::GetFlag(FLAGS_workers);
  options.mobility_percent = absl::GetFlag(FLAGS_mobility_percent);
  options.duplicate_per_mille = 10;
  options.lowercase_per_mille = 77;
  Batcher batcher(absl::GetFlag(FLAGS_batch));
  if (absl::Status s = omnia::synth::Generate(options, &batcher); !s.ok()) {
    return Fail("generating", s);
  }
  const std::vector<std::vector<RawEvent>> batches = batcher.Take();

  const fs::path dir =
      fs::path(absl::GetFlag(FLAGS_scratch)) / ("omnia-intake-bench-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  // Events dated up to 2025 are all in the past for this clock.
  const omnia::FakeClock clock(absl::FromCivil(absl::CivilDay(2026, 1, 1), absl::UTCTimeZone()));
  auto kv = omnia::storage::OpenRocksDb((dir / "log").string(), omnia::ingest::EventLog::Columns());
  if (!kv.ok()) return Fail("opening the store", kv.status());
  auto log = omnia::ingest::EventLog::Open(std::move(*kv), clock);
  if (!log.ok()) return Fail("opening the log", log.status());
  if (absl::Status s = (*log)->ReserveIndex(absl::GetFlag(FLAGS_expected_event_ids)); !s.ok()) {
    return Fail("sizing the index", s);
  }
  auto pseudonymizer =
      omnia::ingest::Pseudonymizer::Create("a benchmark key of at least thirty-two bytes");
  if (!pseudonymizer.ok()) return Fail("keying", pseudonymizer.status());
  const omnia::domain::Codelists codelists = omnia::domain::Codelists::Builtin();
  const omnia::ingest::BatchIntake intake(codelists, **pseudonymizer, **log, clock, [] {},
                                          {.max_backlog_events = ~uint64_t{0}});

  const std::string producer = "bench";
  const std::vector<omnia::ingest::Violation> nothing_malformed;
  uint64_t events = 0;
  const double cpu_start = omnia::bench::ProcessCpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < batches.size(); ++i) {
    const omnia::ingest::BatchReport report =
        intake.Handle({producer, i + 1, batches[i], nothing_malformed, 0, {}});
    if (report.outcome != omnia::ingest::BatchOutcome::kAccepted) {
      return Fail("batch " + std::to_string(i + 1), report.status);
    }
    events += batches[i].size();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = omnia::bench::ProcessCpuSeconds() - cpu_start;
  log->reset();
  fs::remove_all(dir);
  std::printf(
      "{\"step\": \"intake_all\", \"mobility_percent\": %u, \"events\": %llu, \"batches\": %zu, "
      "\"seconds\": %.3f, \"events_per_second\": %.0f, \"cpu_us_per_event\": %.3f}\n",
      options.mobility_percent, static_cast<unsigned long long>(events), batches.size(), seconds,
      static_cast<double>(events) / seconds, cpu * 1e6 / static_cast<double>(events));
  return 0;
}

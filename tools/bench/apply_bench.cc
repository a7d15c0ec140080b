// omnia-apply-bench: the aggregation's Apply in process, on a real RocksDB store in a temporary
// directory, for the `bench` target.
//
//   omnia-apply-bench --payments=N --applications=N --workers=N --mobility_percent=P
//
// Prints JSON lines:
//   apply_all          every batch of the generated dataset applied in order (durable writes):
//                      seconds and events per second;
//   apply_small_large  one and the same batch applied to a cube holding only the batches before
//                      it in its month, and to a cube holding the whole dataset except that batch:
//                      the two times and their ratio. Work proportional to the batch shows a
//                      ratio near 1; work proportional to the cells it touches grows with the
//                      cube.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/base/lock_checks.h"
#include "libs/base/sha256.h"
#include "libs/base/thread_priority.h"
#include "libs/cube/cube_store.h"
#include "libs/domain/codelists.h"
#include "libs/storage/rocksdb_store.h"
#include "libs/synth/generator.h"
#include "tools/bench/process_cpu.h"

ABSL_FLAG(uint64_t, payments, 2'000'000, "payments generated");
ABSL_FLAG(uint64_t, applications, 200'000, "applications generated");
ABSL_FLAG(uint64_t, workers, 200'000, "distinct workers");
ABSL_FLAG(uint32_t, mobility_percent, 0, "percent of payments drawn independently of the worker");
ABSL_FLAG(size_t, batch, 200'000,
          "events per applied batch (the forwarder's request size until it grew to 300,000; kept "
          "so that runs compare across rounds)");
ABSL_FLAG(std::string, scratch, "/tmp", "directory for the temporary stores");
ABSL_FLAG(int, apply_threads, 0,
          "threads sharing each batch's apply, the caller included (0: one per processor, as "
          "the aggregation service)");
ABSL_FLAG(std::string, codelists_dir, "",
          "only write regions.csv (region,macro_area) and types.csv (intervention_type,family) "
          "from the builtin codelists to this directory, for the DuckDB peer, and exit");

namespace {

using omnia::cube::CubeStore;
using omnia::cube::FactBatch;
namespace fs = std::filesystem;

// Turns generated events into fact batches of `batch_size` events, in stream order.
class Batcher : public omnia::synth::EventVisitor {
 public:
  Batcher(const omnia::domain::Codelists& codelists, size_t batch_size)
      : codelists_(codelists), batch_size_(batch_size) {
    Start();
  }
  absl::Status OnApplication(const omnia::domain::ApplicationAuthorized& event) override {
    batches_.back().applications.push_back(
        {omnia::domain::YearMonthOf(event.authorized_on),
         codelists_.RegionByInpsLabel(event.region)->index,
         codelists_.InterventionTypeByCode(event.intervention_type)->index});
    Count();
    return absl::OkStatus();
  }
  absl::Status OnPayment(const omnia::domain::PaymentIssued& event) override {
    omnia::cube::PaymentFact fact;
    fact.month = omnia::domain::YearMonthOf(event.paid_on);
    fact.region = codelists_.RegionByInpsLabel(event.region)->index;
    fact.type = codelists_.InterventionTypeByCode(event.intervention_type)->index;
    fact.months_covered = static_cast<uint64_t>(event.months_covered);
    // A stand-in for the keyed pseudonym: any 32 bytes that identify the upper-cased id.
    const std::string digest =
        absl::HexStringToBytes(omnia::Sha256Hex(absl::AsciiStrToUpper(event.worker_id)));
    std::copy(digest.begin(), digest.end(), fact.worker.begin());
    batches_.back().payments.push_back(fact);
    Count();
    return absl::OkStatus();
  }
  std::vector<FactBatch> Take() { return std::move(batches_); }

 private:
  void Start() {
    batches_.emplace_back();
    batches_.back().producer = "bench";
    batches_.back().sequence = batches_.size();
    in_batch_ = 0;
  }
  void Count() {
    if (++in_batch_ == batch_size_) Start();
  }
  const omnia::domain::Codelists& codelists_;
  const size_t batch_size_;
  std::vector<FactBatch> batches_;
  size_t in_batch_ = 0;
};

std::unique_ptr<CubeStore> OpenCube(const std::string& dir,
                                    const omnia::domain::Codelists& codelists,
                                    omnia::base::ForkJoinPool* pool) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto kv = omnia::storage::OpenRocksDb(dir, CubeStore::Columns());
  if (!kv.ok()) {
    std::fprintf(stderr, "omnia-apply-bench: %s\n", std::string(kv.status().message()).c_str());
    std::exit(1);
  }
  auto store = CubeStore::Open(std::move(*kv), codelists, pool);
  if (!store.ok()) std::exit(1);
  return std::move(*store);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Applies `batch` renumbered as the store's next sequence; returns the seconds it took.
double ApplyTimed(CubeStore& store, FactBatch batch) {
  batch.sequence = store.LastSequence(batch.producer) + 1;
  const auto start = std::chrono::steady_clock::now();
  if (!store.Apply(batch).ok()) std::exit(1);
  return SecondsSince(start);
}

// The parents the lattice rolls regions and types up to, as the peer reads them.
bool WriteCodelists(const omnia::domain::Codelists& codelists, const std::string& dir) {
  std::ofstream regions(dir + "/regions.csv");
  regions << "region,macro_area\n";
  for (const auto& region : codelists.regions()) {
    regions << '"' << region.inps_label << "\"," << region.macro_area_code << "\n";
  }
  std::ofstream types(dir + "/types.csv");
  types << "intervention_type,family\n";
  for (const auto& type : codelists.intervention_types()) {
    types << type.code << "," << type.family_code << "\n";
  }
  return regions.good() && types.good();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  omnia::base::TurnOffMutexDeadlockDetection();
  absl::ParseCommandLine(argc, argv);
  const omnia::domain::Codelists codelists = omnia::domain::Codelists::Builtin();
  if (const std::string dir = absl::GetFlag(FLAGS_codelists_dir); !dir.empty()) {
    return WriteCodelists(codelists, dir) ? 0 : 1;
  }
  omnia::synth::GeneratorOptions options;
  options.payments = absl::GetFlag(FLAGS_payments);
  options.applications = absl::GetFlag(FLAGS_applications);
  options.workers = absl::GetFlag(FLAGS_workers);
  options.mobility_percent = absl::GetFlag(FLAGS_mobility_percent);
  int threads = absl::GetFlag(FLAGS_apply_threads);
  if (threads <= 0) threads = static_cast<int>(omnia::base::ProcessorsThisThreadMayUse());
  // As the aggregation service runs them: helpers only on idle processors.
  omnia::base::ForkJoinPool pool(threads - 1, {0, /*idle_processors_only=*/true});
  Batcher batcher(codelists, absl::GetFlag(FLAGS_batch));
  if (!omnia::synth::Generate(options, &batcher).ok()) return 1;
  std::vector<FactBatch> batches = batcher.Take();
  const std::string scratch = absl::StrCat(absl::GetFlag(FLAGS_scratch), "/omnia-apply-bench");

  // The whole dataset but one batch in the middle, timed; then that batch on top of it.
  const size_t probe = batches.size() / 2;
  auto large = OpenCube(scratch + "/large", codelists, &pool);
  uint64_t events = 0;
  const auto start = std::chrono::steady_clock::now();
  const double start_cpu = omnia::bench::ProcessCpuSeconds();
  for (size_t i = 0; i < batches.size(); ++i) {
    if (i == probe) continue;
    events += batches[i].applications.size() + batches[i].payments.size();
    ApplyTimed(*large, batches[i]);
  }
  const double all_seconds = SecondsSince(start);
  const double all_cpu = omnia::bench::ProcessCpuSeconds() - start_cpu;
  std::printf(
      "{\"step\": \"apply_all\", \"mobility_percent\": %u, \"apply_threads\": %d, "
      "\"events\": %llu, \"seconds\": %.3f, \"cpu_seconds\": %.3f, "
      "\"events_per_second\": %.0f}\n",
      options.mobility_percent, threads, static_cast<unsigned long long>(events), all_seconds,
      all_cpu, events / all_seconds);

  // The same batch, five times each, on copies of the two cubes (a batch applies only once).
  std::vector<double> small_times;
  std::vector<double> large_times;
  for (int run = 0; run < 5; ++run) {
    auto small = OpenCube(scratch + "/small", codelists, &pool);
    if (probe > 0) ApplyTimed(*small, batches[probe - 1]);
    small_times.push_back(ApplyTimed(*small, batches[probe]));
    small.reset();
    fs::remove_all(scratch + "/large-copy");
    if (!large->Checkpoint(scratch + "/large-copy").ok()) return 1;
    auto kv = omnia::storage::OpenRocksDb(scratch + "/large-copy", CubeStore::Columns());
    auto copy = CubeStore::Open(std::move(*kv), codelists, &pool);
    if (!copy.ok()) return 1;
    large_times.push_back(ApplyTimed(**copy, batches[probe]));
  }
  const double small_median = Median(small_times);
  const double large_median = Median(large_times);
  const auto stats = large->Stats();
  std::printf(
      "{\"step\": \"apply_small_large\", \"mobility_percent\": %u, \"apply_threads\": %d, "
      "\"batch_events\": %zu, "
      "\"small_cube_ms\": %.2f, \"large_cube_ms\": %.2f, \"large_cube_workers\": %llu, "
      "\"ratio\": %.2f}\n",
      options.mobility_percent, threads,
      batches[probe].applications.size() + batches[probe].payments.size(), small_median * 1e3,
      large_median * 1e3, static_cast<unsigned long long>(stats.distinct_workers),
      large_median / small_median);
  fs::remove_all(scratch);
  return 0;
}

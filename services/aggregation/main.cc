// omnia-aggregation: owns the RocksDB cube store; applies forwarded batches exactly once and
// answers cube queries, releases and statistics.
#include <cstdint>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "libs/base/clock.h"
#include "libs/base/fork_join.h"
#include "libs/base/lock_checks.h"
#include "libs/base/thread_priority.h"
#include "libs/cube/engine.h"
#include "libs/domain/codelists.h"
#include "libs/server/executor.h"
#include "libs/server/server_main.h"
#include "services/aggregation/aggregation_service.h"

ABSL_FLAG(std::string, data_dir, "", "directory of the RocksDB cube store (required)");
ABSL_FLAG(uint64_t, release_cache_bytes, uint64_t{512} << 20,
          "bound on the estimated memory of frozen releases kept in memory for queries; the "
          "least recently queried are evicted first and read from disk again when next queried. "
          "One release is always kept, so a release larger than the bound is still served, alone");

ABSL_FLAG(int, write_nice, 16,
          "nice value (0-19) of the threads that apply writes (and answer the other calls that "
          "wait on the store), so that queries overtake bulk writes when the processors are "
          "busy; by default below ingestion's writers (10), so that producers' batches are "
          "acknowledged first and applying catches up in larger requests; 0 runs them at the "
          "process's priority");

ABSL_FLAG(int, apply_threads, 0,
          "threads that share the work of applying one batch, the applying thread included (0: "
          "one per processor the process may run on; 1: the applying thread alone). The others "
          "run only on processors nothing else wants, so they shorten the time to apply a "
          "backlog without slowing ingestion or queries. In a container with a CPU limit, set "
          "it to the limit: helpers on the host's idle processors would spend the quota");

ABSL_FLAG(uint64_t, expected_workers, 0,
          "distinct workers the worker map makes room for at start (known ones included), so "
          "that it does not grow and rehash every worker on the applying thread while they "
          "arrive; 0 grows as needed. About 37 bytes each, committed at start");

int main(int argc, char** argv) {
  omnia::base::TurnOffMutexDeadlockDetection();
  omnia::server::BlockTerminationSignals();
  absl::SetProgramUsageMessage("omnia aggregation service");
  absl::ParseCommandLine(argc, argv);
  omnia::SystemClock clock;
  absl::StatusOr<omnia::server::ServerOptions> server_options =
      omnia::server::ServerOptionsFromFlags("aggregation");
  if (!server_options.ok()) {
    return omnia::server::ExitWithError("aggregation", server_options.status());
  }
  // Declared before the host, so they outlive it: the host's server and metrics endpoint stop
  // first. The engine itself is owned by the service and its metrics collector, which the
  // metrics endpoint may scrape from its own thread at any time.
  const omnia::domain::Codelists codelists = omnia::domain::Codelists::Builtin();
  absl::StatusOr<int> write_nice =
      omnia::server::WriteNiceFromFlag(absl::GetFlag(FLAGS_write_nice));
  if (!write_nice.ok()) return omnia::server::ExitWithError("aggregation", write_nice.status());
  omnia::server::Executor executor(2, *write_nice);
  absl::StatusOr<int> apply_threads = omnia::server::ApplyThreadsFromFlag(
      absl::GetFlag(FLAGS_apply_threads), omnia::base::ProcessorsThisThreadMayUse());
  if (!apply_threads.ok()) {
    return omnia::server::ExitWithError("aggregation", apply_threads.status());
  }
  // The helpers take only processors nothing else wants: while ingestion or queries keep every
  // processor busy they stay out of the way, and the batch is applied on the executor alone.
  omnia::base::ForkJoinPool apply_pool(*apply_threads - 1,
                                       {*write_nice, /*idle_processors_only=*/true});
  omnia::aggregation::AggregationService service(executor);
  omnia::server::ServiceHost host(*std::move(server_options),
                                  std::make_shared<prometheus::Registry>(), clock);
  host.AddCollectable(service.MetricsCollector(absl::GetFlag(FLAGS_data_dir)));
  return omnia::server::ServeUntilTerminated(
      host, {{&service, omnia::v1::AggregationService::service_full_name()}},
      [&]() -> absl::Status {
        omnia::cube::CubeEngineOptions engine_options;
        engine_options.release_cache_bytes =
            static_cast<size_t>(absl::GetFlag(FLAGS_release_cache_bytes));
        engine_options.apply_pool = &apply_pool;
        engine_options.expected_workers =
            static_cast<size_t>(absl::GetFlag(FLAGS_expected_workers));
        absl::StatusOr<std::unique_ptr<omnia::cube::CubeEngine>> opened =
            omnia::cube::CubeEngine::Open(absl::GetFlag(FLAGS_data_dir), codelists, clock,
                                          engine_options);
        if (!opened.ok()) return opened.status();
        service.Attach(*std::move(opened));
        return absl::OkStatus();
      });
}

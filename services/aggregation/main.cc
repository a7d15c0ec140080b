// omnia-aggregation: owns the RocksDB cube store; applies forwarded batches exactly once and
// answers cube queries, releases and statistics.
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
#include "libs/server/server_main.h"
#include "services/aggregation/aggregation_service.h"

ABSL_FLAG(std::string, data_dir, "", "directory of the RocksDB cube store (required)");

int main(int argc, char** argv) {
  omnia::server::BlockTerminationSignals();
  absl::SetProgramUsageMessage("omnia aggregation service");
  absl::ParseCommandLine(argc, argv);
  omnia::SystemClock clock;
  omnia::server::ServiceHost host(omnia::server::ServerOptionsFromFlags("aggregation"),
                                  std::make_shared<prometheus::Registry>(), clock);
  const omnia::domain::Codelists codelists = omnia::domain::Codelists::Builtin();
  omnia::server::Executor executor(2);
  omnia::aggregation::AggregationService service(executor);
  std::unique_ptr<omnia::cube::CubeEngine> engine;
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

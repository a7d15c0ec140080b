// omnia-aggregation: owns the RocksDB cube store; applies forwarded batches exactly once and
// answers cube queries, releases and statistics.
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "libs/base/clock.h"
#include "libs/server/server_main.h"
#include "omnia/v1/aggregation.grpc.pb.h"

ABSL_FLAG(std::string, data_dir, "", "directory of the RocksDB cube store (required)");

namespace omnia::aggregation {

// RPCs answer UNIMPLEMENTED (the generated default) until the cube store lands.
class AggregationService final : public v1::AggregationService::CallbackService {};

}  // namespace omnia::aggregation

int main(int argc, char** argv) {
  omnia::server::BlockTerminationSignals();
  absl::SetProgramUsageMessage("omnia aggregation service");
  absl::ParseCommandLine(argc, argv);
  omnia::SystemClock clock;
  omnia::server::ServiceHost host(omnia::server::ServerOptionsFromFlags("aggregation"),
                                  std::make_shared<prometheus::Registry>(), clock);
  omnia::aggregation::AggregationService service;
  return omnia::server::ServeUntilTerminated(
      host, {{&service, omnia::v1::AggregationService::service_full_name()}},
      [] { return omnia::server::EnsureWritableDirectory(absl::GetFlag(FLAGS_data_dir)); });
}

// omnia-ingestion: accepts administrative events and published report files, pseudonymises
// worker ids, keeps the durable raw-event log and forwards batches to aggregation.
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "libs/base/clock.h"
#include "libs/server/server_main.h"
#include "omnia/v1/ingestion.grpc.pb.h"

ABSL_FLAG(std::string, data_dir, "", "directory of the durable raw-event log (required)");
ABSL_FLAG(std::string, aggregation_address, "127.0.0.1:50052",
          "HOST:PORT of the aggregation service that applies forwarded batches");

namespace omnia::ingestion {

// RPCs answer UNIMPLEMENTED (the generated default) until the ingestion path lands.
class IngestionService final : public v1::IngestionService::CallbackService {};

}  // namespace omnia::ingestion

int main(int argc, char** argv) {
  omnia::server::BlockTerminationSignals();
  absl::SetProgramUsageMessage("omnia ingestion service");
  absl::ParseCommandLine(argc, argv);
  omnia::SystemClock clock;
  omnia::server::ServiceHost host(omnia::server::ServerOptionsFromFlags("ingestion"),
                                  std::make_shared<prometheus::Registry>(), clock);
  omnia::ingestion::IngestionService service;
  return omnia::server::ServeUntilTerminated(
      host, {{&service, omnia::v1::IngestionService::service_full_name()}},
      [] { return omnia::server::EnsureWritableDirectory(absl::GetFlag(FLAGS_data_dir)); });
}

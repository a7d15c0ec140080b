// omnia-catalogue: dataset metadata, releases and codelists; publishes reports through the
// exporter.
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "libs/base/clock.h"
#include "libs/server/server_main.h"
#include "omnia/v1/catalogue.grpc.pb.h"

ABSL_FLAG(std::string, data_dir, "", "directory of the catalogue store and artifacts (required)");
ABSL_FLAG(std::string, exporter_address, "127.0.0.1:50054",
          "HOST:PORT of the exporter service that renders attachments");

namespace omnia::catalogue {

// RPCs answer UNIMPLEMENTED (the generated default) until the catalogue lands.
class CatalogueService final : public v1::CatalogueService::CallbackService {};

}  // namespace omnia::catalogue

int main(int argc, char** argv) {
  omnia::server::BlockTerminationSignals();
  absl::SetProgramUsageMessage("omnia catalogue service");
  absl::ParseCommandLine(argc, argv);
  omnia::SystemClock clock;
  omnia::server::ServiceHost host(omnia::server::ServerOptionsFromFlags("catalogue"),
                                  std::make_shared<prometheus::Registry>(), clock);
  omnia::catalogue::CatalogueService service;
  return omnia::server::ServeUntilTerminated(
      host, {{&service, omnia::v1::CatalogueService::service_full_name()}},
      [] { return omnia::server::EnsureWritableDirectory(absl::GetFlag(FLAGS_data_dir)); });
}

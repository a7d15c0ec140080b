// omnia-exporter: stateless; renders datasets and ad-hoc queries as CSV, JSON, XML and XLSX
// streams from the aggregation service's cubes.
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "libs/base/clock.h"
#include "libs/server/server_main.h"
#include "omnia/v1/export.grpc.pb.h"

ABSL_FLAG(std::string, aggregation_address, "127.0.0.1:50052",
          "HOST:PORT of the aggregation service that answers cube queries");

namespace omnia::exporter {

// RPCs answer UNIMPLEMENTED (the generated default) until the exporter lands.
class ExportService final : public v1::ExportService::CallbackService {};

}  // namespace omnia::exporter

int main(int argc, char** argv) {
  omnia::server::BlockTerminationSignals();
  absl::SetProgramUsageMessage("omnia exporter service");
  absl::ParseCommandLine(argc, argv);
  omnia::SystemClock clock;
  omnia::server::ServiceHost host(omnia::server::ServerOptionsFromFlags("exporter"),
                                  std::make_shared<prometheus::Registry>(), clock);
  omnia::exporter::ExportService service;
  return omnia::server::ServeUntilTerminated(
      host, {{&service, omnia::v1::ExportService::service_full_name()}},
      [] { return absl::OkStatus(); });
}

// Each of the four service binaries, started as a real process on free loopback ports and seen
// from outside: healthy through grpc.health.v1, its omnia.v1 service listed by reflection,
// Prometheus text on /metrics, and a clean exit 0 on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "libs/client/probes.h"
#include "tests/support/child_process.h"

namespace omnia {
namespace {

struct Binary {
  std::string name;       // e.g. "ingestion"
  std::string service;    // full protobuf service name
  bool has_state;         // takes --data_dir
  std::string peer_flag;  // flag naming the service it calls, if any
  std::vector<std::string> extra_args = {};
};

std::string PrintBinary(const ::testing::TestParamInfo<Binary>& info) { return info.param.name; }

class ServiceBinaryTest : public ::testing::TestWithParam<Binary> {};

TEST_P(ServiceBinaryTest, ServesHealthReflectionMetricsAndDrainsOnSigterm) {
  const Binary& binary = GetParam();
  testing::TempDir dir;
  const std::string grpc_address = absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
  const std::string metrics_address = absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
  std::vector<std::string> args = {"--grpc_address=" + grpc_address,
                                   "--metrics_address=" + metrics_address};
  if (binary.has_state) args.push_back("--data_dir=" + dir.path() + "/data");
  args.insert(args.end(), binary.extra_args.begin(), binary.extra_args.end());
  if (!binary.peer_flag.empty()) {
    // The peer is not running: a service must still come up (and retry its peer later).
    args.push_back(
        absl::StrCat("--", binary.peer_flag, "=127.0.0.1:", testing::FreeLoopbackPort()));
  }
  const std::string path =
      absl::StrCat(OMNIA_BINARY_DIR, "/services/", binary.name, "/omnia-", binary.name);
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  testing::ChildProcess process(path, args, dir.path() + "/service.log");

  auto channel = rpc::CreateInsecureChannel(grpc_address);
  ASSERT_TRUE(client::WaitUntilServing(channel, "", absl::Seconds(20)).ok()) << process.Log();
  EXPECT_EQ(client::CheckHealth(channel, binary.service, absl::Seconds(5)).value_or("error"),
            "SERVING");

  absl::StatusOr<std::vector<std::string>> services =
      client::ListServicesByReflection(channel, absl::Seconds(5));
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_NE(std::find(services->begin(), services->end(), binary.service), services->end());
  EXPECT_NE(std::find(services->begin(), services->end(), "grpc.health.v1.Health"),
            services->end());

  absl::StatusOr<std::string> metrics =
      client::HttpGet(metrics_address, "/metrics", absl::Seconds(5));
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  // The health checks above went through the metrics interceptor.
  EXPECT_NE(metrics->find("omnia_rpc_requests_total{grpc_code=\"OK\",grpc_method=\"Check\","
                          "grpc_service=\"grpc.health.v1.Health\"}"),
            std::string::npos)
      << *metrics;
  for (const char* family :
       {"process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_open_fds ",
        "process_start_time_seconds ", "omnia_build_info{commit="}) {
    EXPECT_NE(metrics->find(family), std::string::npos) << family << "\n" << *metrics;
  }
  EXPECT_NE(metrics->find("# TYPE omnia_rpc_duration_seconds histogram"), std::string::npos);

  process.Signal(SIGTERM);
  const std::optional<int> exit_code = process.WaitForExit(absl::Seconds(20));
  ASSERT_TRUE(exit_code.has_value()) << "did not exit after SIGTERM\n" << process.Log();
  EXPECT_EQ(*exit_code, 0) << process.Log();
  if (binary.has_state) {
    EXPECT_TRUE(std::filesystem::is_directory(dir.path() + "/data"));
  }
}

TEST(IngestionBinaryTest, RefusesToStartWithoutAPseudonymisationKey) {
  testing::TempDir dir;
  unsetenv("OMNIA_HMAC_KEY");
  testing::ChildProcess process(
      absl::StrCat(OMNIA_BINARY_DIR, "/services/ingestion/omnia-ingestion"),
      {absl::StrCat("--grpc_address=127.0.0.1:", testing::FreeLoopbackPort()),
       "--data_dir=" + dir.path() + "/data"},
      dir.path() + "/service.log");
  const std::optional<int> exit_code = process.WaitForExit(absl::Seconds(20));
  ASSERT_TRUE(exit_code.has_value());
  EXPECT_EQ(*exit_code, 1);
  EXPECT_NE(process.Log().find("pseudonymisation key"), std::string::npos) << process.Log();
}

INSTANTIATE_TEST_SUITE_P(
    AllServices, ServiceBinaryTest,
    ::testing::Values(Binary{"ingestion",
                             "omnia.v1.IngestionService",
                             true,
                             "aggregation_address",
                             {"--insecure_dev_hmac_key"}},
                      Binary{"aggregation", "omnia.v1.AggregationService", true, ""},
                      Binary{"catalogue", "omnia.v1.CatalogueService", true, "exporter_address"},
                      Binary{"exporter", "omnia.v1.ExportService", false, "aggregation_address"}),
    PrintBinary);

}  // namespace
}  // namespace omnia

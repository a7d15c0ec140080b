// Metrics as an operator sees them: Debian's Prometheus server scrapes the four services on
// loopback while a small workload runs, and its HTTP API shows every target up and the key
// series with the values the workload implies.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/client/event_streamer.h"
#include "libs/client/probes.h"
#include "omnia/v1/catalogue.grpc.pb.h"
#include "omnia/v1/ingestion.grpc.pb.h"
#include "tests/support/cluster.h"
#include "tests/support/payment_batches.h"

namespace omnia {
namespace {

constexpr int kEvents = 600;

class PrometheusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/prometheus")) {
      GTEST_SKIP() << "Debian's prometheus package is not installed";
    }
    ASSERT_TRUE(cluster_.StartAll());
    prometheus_address_ = absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
    const std::string config = cluster_.root() + "/prometheus.yml";
    std::ofstream out(config);
    out << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n";
    for (const char* name : {"ingestion", "aggregation", "catalogue", "exporter"}) {
      out << "  - job_name: " << name << "\n    static_configs:\n      - targets: ['"
          << cluster_.metrics_address(name) << "']\n";
    }
    out.close();
    prometheus_ = std::make_unique<testing::ChildProcess>(
        "/usr/bin/prometheus",
        std::vector<std::string>{"--config.file=" + config,
                                 "--storage.tsdb.path=" + cluster_.root() + "/tsdb",
                                 "--web.listen-address=" + prometheus_address_},
        cluster_.root() + "/prometheus.log");
  }

  // The value of an instant query's single result, or nullopt when it has none (yet).
  std::optional<double> Value(const std::string& promql) {
    std::string encoded;
    for (char c : promql) {
      if (isalnum(static_cast<unsigned char>(c)) || c == '_') {
        encoded += c;
      } else {
        char hex[4];
        snprintf(hex, sizeof(hex), "%%%02X", static_cast<unsigned char>(c));
        encoded += hex;
      }
    }
    absl::StatusOr<std::string> body =
        client::HttpGet(prometheus_address_, "/api/v1/query?query=" + encoded, absl::Seconds(5));
    if (!body.ok()) return std::nullopt;
    // {"status":"success","data":{"resultType":"vector","result":[{"metric":{...},
    // "value":[1700000000.1,"42"]}]}}
    static const std::regex kValue("\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]");
    std::smatch match;
    if (!std::regex_search(*body, match, kValue)) return std::nullopt;
    return std::stod(match[1]);
  }

  // Polls until `promql` has a value satisfying `ok`, for up to 30 s.
  std::optional<double> WaitFor(const std::string& promql, const std::function<bool(double)>& ok) {
    std::optional<double> value;
    for (int i = 0; i < 150; ++i) {
      value = Value(promql);
      if (value.has_value() && ok(*value)) return value;
      absl::SleepFor(absl::Milliseconds(200));
    }
    ADD_FAILURE() << promql << " never satisfied the check; last value "
                  << (value ? std::to_string(*value) : "none") << "\n"
                  << prometheus_->Log();
    return value;
  }

  testing::Cluster cluster_{OMNIA_BINARY_DIR, std::filesystem::current_path().string()};
  std::string prometheus_address_;
  std::unique_ptr<testing::ChildProcess> prometheus_;
};

TEST_F(PrometheusTest, EveryServiceIsScrapedWithItsRedAndDomainMetrics) {
  // Workload: events in, one rejected batch, a publication, a download.
  client::StreamerOptions options;
  options.bearer_token = cluster_.operator_token();
  client::EventStreamer streamer(rpc::CreateInsecureChannel(cluster_.address("ingestion")),
                                 options);
  int next = 0;
  uint64_t sequence = 0;
  ASSERT_TRUE(streamer
                  .Run([&]() -> std::optional<v1::EventBatch> {
                    if (next >= kEvents) return std::nullopt;
                    v1::EventBatch batch =
                        testing::PaymentBatch("metrics-test", ++sequence, next, 100);
                    next += 100;
                    return batch;
                  })
                  .ok());
  auto catalogue =
      v1::CatalogueService::NewStub(rpc::CreateInsecureChannel(cluster_.address("catalogue")));
  for (int i = 0; i < 100; ++i) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + cluster_.operator_token());
    v1::PublishRequest request;
    request.set_release_id("metrics");
    v1::PublishResponse response;
    if (catalogue->Publish(&context, request, &response).ok()) break;
    absl::SleepFor(absl::Milliseconds(100));  // until aggregation has applied the events
  }

  EXPECT_EQ(WaitFor("count(up == 1)", [](double v) { return v == 4; }), 4);
  EXPECT_EQ(WaitFor("omnia_ingestion_events_total{outcome=\"accepted\"}",
                    [](double v) { return v == kEvents; }),
            kEvents);
  EXPECT_EQ(WaitFor("omnia_ingestion_backlog_events", [](double v) { return v == 0; }), 0);
  WaitFor(
      "sum(omnia_rpc_requests_total{job=\"ingestion\",grpc_service=\"omnia.v1.IngestionService\","
      "grpc_method=\"StreamEvents\",grpc_code=\"OK\"})",
      [](double v) { return v >= 1; });
  WaitFor(
      "sum(omnia_rpc_requests_total{job=\"aggregation\",grpc_service=\"omnia.v1."
      "AggregationService\",grpc_method=\"Apply\"})",
      [](double v) { return v >= 1; });
  WaitFor("sum(omnia_rpc_duration_seconds_count{job=\"catalogue\"})",
          [](double v) { return v >= 1; });
  WaitFor("sum(omnia_cube_cells)", [](double v) { return v > 0; });
  WaitFor("omnia_cube_distinct_workers", [](double v) { return v == 10; });
  WaitFor("omnia_cube_releases", [](double v) { return v == 1; });
  // Publishing exported the frozen release, which aggregation now holds in memory.
  WaitFor("omnia_cube_release_cache_bytes", [](double v) { return v > 0; });
  WaitFor("sum(omnia_export_bytes_total)", [](double v) { return v > 0; });
  WaitFor("omnia_catalogue_datasets", [](double v) { return v > 0; });
  WaitFor("min(omnia_storage_bytes)", [](double v) { return v > 0; });
}

}  // namespace
}  // namespace omnia

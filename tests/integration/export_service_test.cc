// The exporter in process, over real gRPC on loopback, against a stand-in aggregation: a client
// that stops reading is cut off within the bound and holds no rendering thread after it, so
// others are served; the per-release cache stays within its bytes.
#include "services/exporter/export_service.h"

#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/base/sha256.h"
#include "libs/rpc/channel.h"
#include "libs/server/service_host.h"
#include "tests/support/fake_aggregation.h"
#include "tests/unit/catalogue/test_config.h"

namespace omnia::exporter {
namespace {

#if defined(__SANITIZE_THREAD__)
// Under ThreadSanitizer everything runs several times slower; a client that is reading must not
// look stalled.
constexpr absl::Duration kStallBound = absl::Seconds(3);
#else
constexpr absl::Duration kStallBound = absl::Milliseconds(500);
#endif

class ExportServiceTest : public ::testing::Test {
 protected:
  void Start(ExportServiceOptions options) {
    absl::StatusOr<catalogue::CatalogueConfig> config = catalogue::LoadDeployedConfig();
    ASSERT_TRUE(config.ok()) << config.status();
    config_.emplace(*std::move(config));
    service_ = std::make_unique<ExportService>(codelists_, *config_,
                                               rpc::CreateInsecureChannel(aggregation_.address()),
                                               executor_, options);
    server::ServerOptions server_options;
    server_options.name = "exporter-test";
    server_options.max_receive_message_bytes = kMaxRequestBytes;
    server_options.authorizer =
        std::make_shared<const server::CallAuthorizer>(server::CallAuthorizer::InsecureNoAuth());
    host_ = std::make_unique<server::ServiceHost>(server_options,
                                                  std::make_shared<prometheus::Registry>(), clock_);
    ASSERT_TRUE(host_->Start({{service_.get(), v1::ExportService::service_full_name()}}).ok());
    host_->SetServing(true);
  }

  // Options with the short stall bound of these tests and `queued` chunks ahead of the network.
  static ExportServiceOptions ShortStallBound(size_t queued) {
    ExportServiceOptions options;
    options.stalled_client_timeout = kStallBound;
    options.max_queued_chunks = queued;
    return options;
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", host_->grpc_port()); }

  // A client whose small HTTP/2 windows let little data in ahead of its reads: when it stops
  // reading, the server's writes back up after a few chunks instead of after MiB of buffers.
  std::unique_ptr<v1::ExportService::Stub> SmallWindowStub() const {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 16 << 10);
    return v1::ExportService::NewStub(
        grpc::CreateCustomChannel(address(), grpc::InsecureChannelCredentials(), args));
  }

  // A request for a file of several MiB: every month, region and type of six years.
  static v1::ExportRequest LargeQuery() {
    v1::ExportRequest request;
    v1::CellQuery* query = request.mutable_query();
    query->add_measures("APPLICATIONS");
    query->add_measures("BENEFIT_MONTHS");
    query->set_period_level(v1::PERIOD_LEVEL_MONTH);
    query->set_region_level(v1::REGION_LEVEL_REGION);
    query->set_type_level(v1::TYPE_LEVEL_TYPE);
    request.set_format(v1::FORMAT_JSON);
    return request;
  }

  // Reads what is left of an export; its status.
  static grpc::Status ReadToTheEnd(grpc::ClientReader<v1::ExportResponse>& reader,
                                   std::string* bytes = nullptr) {
    v1::ExportResponse message;
    while (reader.Read(&message)) {
      if (bytes != nullptr) bytes->append(message.data());
    }
    return reader.Finish();
  }

  // Reads a whole export; its status.
  grpc::Status Download(const v1::ExportRequest& request, absl::Duration timeout,
                        std::string* bytes = nullptr) {
    auto stub = v1::ExportService::NewStub(rpc::CreateInsecureChannel(address()));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    return ReadToTheEnd(*stub->Export(&context, request), bytes);
  }

  bool WaitForNoActiveExport(absl::Duration timeout) {
    const absl::Time end = absl::Now() + timeout;
    while (service_->active_exports() > 0) {
      if (absl::Now() > end) return false;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return true;
  }

  SystemClock clock_;
  domain::Codelists codelists_ = domain::Codelists::Builtin();
  std::optional<catalogue::CatalogueConfig> config_;
  testing::FakeAggregation aggregation_{{2020, 2021, 2022, 2023, 2024, 2025}};
  // One rendering thread: a client that could pin it would stop every other export.
  server::Executor executor_{1};
  std::unique_ptr<ExportService> service_;
  std::unique_ptr<server::ServiceHost> host_;
};

TEST_F(ExportServiceTest, AClientThatStopsReadingIsCutOffAndOthersAreServed) {
  Start(ShortStallBound(2));

  // The hostile client reads the first message and then nothing.
  auto hostile_stub = SmallWindowStub();
  grpc::ClientContext hostile_context;  // no deadline: nothing would ever end the call
  auto hostile = hostile_stub->Export(&hostile_context, LargeQuery());
  v1::ExportResponse first;
  ASSERT_TRUE(hostile->Read(&first));
  ASSERT_TRUE(first.has_header());

  // Another client, meanwhile: served once the stalled call is cut off, well before its own
  // deadline (before, it waited behind the stalled call until that deadline).
  const absl::Time start = absl::Now();
  std::string bytes;
  const grpc::Status other = Download(LargeQuery(), absl::Seconds(20), &bytes);
  EXPECT_TRUE(other.ok()) << other.error_message();
  EXPECT_GT(bytes.size(), 1u << 20);
  EXPECT_LT(absl::Now() - start, kStallBound + absl::Seconds(10));

  // The stalled call has ended on the server and freed what it held.
  EXPECT_TRUE(WaitForNoActiveExport(kStallBound + absl::Seconds(5)));
  EXPECT_EQ(service_->stalled_exports(), 1u);
  // The hostile client, reading again, finds its stream failed, not a truncated success.
  const grpc::Status status = ReadToTheEnd(*hostile);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_NE(status.error_message().find("read nothing"), std::string::npos)
      << status.error_message();
}

TEST_F(ExportServiceTest, SeveralStalledClientsAreAllCutOff) {
  Start(ShortStallBound(1));
  auto stub = SmallWindowStub();
  constexpr int kClients = 3;
  grpc::ClientContext contexts[kClients];
  std::unique_ptr<grpc::ClientReader<v1::ExportResponse>> readers[kClients];
  // Each reads its header (sent once the single rendering thread gets to it), then nothing.
  for (int i = 0; i < kClients; ++i) {
    readers[i] = stub->Export(&contexts[i], LargeQuery());
    v1::ExportResponse header;
    ASSERT_TRUE(readers[i]->Read(&header));
  }
  // One after the other on the single rendering thread, each within the bound.
  EXPECT_TRUE(WaitForNoActiveExport(kClients * kStallBound + absl::Seconds(10)));
  EXPECT_EQ(service_->stalled_exports(), static_cast<uint64_t>(kClients));
  for (int i = 0; i < kClients; ++i) EXPECT_FALSE(ReadToTheEnd(*readers[i]).ok());
  EXPECT_TRUE(Download(LargeQuery(), absl::Seconds(20)).ok());
}

TEST_F(ExportServiceTest, AReadingClientIsNotCutOff) {
  Start(ShortStallBound(1));
  std::string bytes;
  const grpc::Status status = Download(LargeQuery(), absl::Seconds(20), &bytes);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(service_->stalled_exports(), 0u);
}

v1::ExportRequest DatasetAt(const std::string& release_id) {
  v1::ExportRequest request;
  request.set_dataset_id("integrazioni-salariali-domande-2023");
  request.set_release_id(release_id);
  return request;
}

TEST_F(ExportServiceTest, TheReleaseCacheKeepsTheMostRecentReleasesWithinItsBytes) {
  ExportServiceOptions options;
  // Room for one release's years, not two.
  options.release_cache_bytes = 300;
  Start(options);
  for (const std::string release : {"r1", "r2", "r2", "r1"}) {
    const grpc::Status status = Download(DatasetAt(release), absl::Seconds(20));
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_LE(service_->release_cache_bytes(), 300u);
  }
  // r2's second export was answered from the cache; r1 had been evicted by r2.
  EXPECT_EQ(aggregation_.coverage_queries("r2"), 1);
  EXPECT_EQ(aggregation_.coverage_queries("r1"), 2);
}

TEST_F(ExportServiceTest, AReleaseIsAskedForOnceWhileItStaysCached) {
  Start(ExportServiceOptions());
  for (const std::string release : {"r1", "r2", "r1", "r2"}) {
    ASSERT_TRUE(Download(DatasetAt(release), absl::Seconds(20)).ok());
  }
  EXPECT_EQ(aggregation_.coverage_queries("r1"), 1);
  EXPECT_EQ(aggregation_.coverage_queries("r2"), 1);
  EXPECT_GT(service_->release_cache_bytes(), 0u);
}

TEST_F(ExportServiceTest, AnOversizedRequestIsRefusedBeforeAnyWork) {
  Start(ExportServiceOptions());
  const std::string huge_release(kMaxRequestBytes, 'x');
  const grpc::Status status = Download(DatasetAt(huge_release), absl::Seconds(10));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_EQ(aggregation_.coverage_queries(huge_release), 0);
}

// What one export sent: its header, data and summary messages and how it ended.
struct Exported {
  grpc::Status status;
  std::vector<v1::ExportResponse> headers;
  std::string data;
  std::vector<v1::ExportResponse> summaries;
};

Exported ExportAll(v1::ExportService::Stub& stub, const v1::ExportRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  auto reader = stub.Export(&context, request);
  Exported out;
  v1::ExportResponse message;
  while (reader->Read(&message)) {
    if (message.has_header()) out.headers.push_back(message);
    if (message.has_summary()) out.summaries.push_back(message);
    out.data += message.data();
  }
  out.status = reader->Finish();
  return out;
}

TEST_F(ExportServiceTest, ADatasetIsStreamedWithItsHeaderAndAMatchingSummary) {
  Start(ExportServiceOptions());
  auto stub = v1::ExportService::NewStub(rpc::CreateInsecureChannel(address()));
  v1::ExportRequest request = DatasetAt("r1");
  request.set_format(v1::FORMAT_XML);
  const Exported exported = ExportAll(*stub, request);
  ASSERT_TRUE(exported.status.ok()) << exported.status.error_message();
  ASSERT_EQ(exported.headers.size(), 1u);
  EXPECT_EQ(exported.headers[0].header().file_name(), "integrazioni-salariali-domande-2023.xml");
  EXPECT_EQ(exported.headers[0].header().release_id(), "r1");
  ASSERT_EQ(exported.summaries.size(), 1u);
  EXPECT_EQ(exported.summaries[0].summary().size_bytes(), exported.data.size());
  EXPECT_EQ(exported.summaries[0].summary().sha256(), Sha256Hex(exported.data));
  EXPECT_GT(exported.summaries[0].summary().rows(), 0u);
  EXPECT_GT(service_->bytes_exported(v1::FORMAT_XML), 0u);
}

TEST_F(ExportServiceTest, ABadRequestIsRefusedNamingTheFieldBeforeAnyByte) {
  Start(ExportServiceOptions());
  auto stub = v1::ExportService::NewStub(rpc::CreateInsecureChannel(address()));
  v1::ExportRequest unknown_measure;
  unknown_measure.mutable_query()->add_measures("SALARIES");
  const Exported measure = ExportAll(*stub, unknown_measure);
  EXPECT_EQ(measure.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(measure.status.error_message().find("SALARIES"), std::string::npos)
      << measure.status.error_message();
  EXPECT_TRUE(measure.headers.empty());
  EXPECT_TRUE(measure.data.empty());

  const Exported no_subject = ExportAll(*stub, v1::ExportRequest());
  EXPECT_EQ(no_subject.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(no_subject.status.error_message().find("subject"), std::string::npos);

  v1::ExportRequest unknown_dataset = DatasetAt("r1");
  unknown_dataset.set_dataset_id("integrazioni-salariali-domande-2019");
  const Exported dataset = ExportAll(*stub, unknown_dataset);
  EXPECT_EQ(dataset.status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(dataset.headers.empty());
  EXPECT_EQ(service_->bytes_exported(v1::FORMAT_CSV), 0u);
}

TEST_F(ExportServiceTest, ACancelledExportEndsAndFreesWhatItHeld) {
  // The default stall bound (30 s): only the cancellation can end the call within the test.
  Start(ExportServiceOptions());
  auto stub = SmallWindowStub();
  grpc::ClientContext context;
  auto reader = stub->Export(&context, LargeQuery());
  v1::ExportResponse first;
  ASSERT_TRUE(reader->Read(&first));
  ASSERT_TRUE(first.has_header());
  context.TryCancel();
  const grpc::Status status = ReadToTheEnd(*reader);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED) << status.error_message();
  // The call ends on the server well before the stall bound would have ended it, and others
  // are served.
  // Well under the 30 s stall bound: the cancel, not the bound, ended the export.
  EXPECT_TRUE(WaitForNoActiveExport(absl::Seconds(20)));
  EXPECT_EQ(service_->stalled_exports(), 0u);
  EXPECT_TRUE(Download(DatasetAt("r1"), absl::Seconds(20)).ok());
}

}  // namespace
}  // namespace omnia::exporter

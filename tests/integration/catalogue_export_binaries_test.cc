// The public services as real processes: they refuse requests larger than their largest
// legitimate one (RESOURCE_EXHAUSTED) instead of buffering up to 64 MiB per call, and the
// catalogue refuses to start when a recorded release has lost a file, deleting nothing.
#include <gtest/gtest.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/base/clock.h"
#include "libs/base/sha256.h"
#include "libs/catalogue/catalogue_store.h"
#include "libs/catalogue/config.h"
#include "libs/catalogue/datasets.h"
#include "libs/client/probes.h"
#include "libs/rpc/channel.h"
#include "omnia/v1/catalogue.grpc.pb.h"
#include "omnia/v1/export.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tests/unit/catalogue/test_config.h"

namespace omnia {
namespace {

constexpr size_t kOversized = 100 << 10;

std::string BinaryPath(const std::string& name) {
  return absl::StrCat(OMNIA_BINARY_DIR, "/services/", name, "/omnia-", name);
}

class PublicServiceProcess {
 public:
  PublicServiceProcess(const std::string& name, const std::string& data_dir) {
    std::vector<std::string> args = {
        "--grpc_address=" + address_, "--catalogue_config=" + catalogue::DeployedConfigPath(),
        "--aggregation_address=127.0.0.1:" + std::to_string(testing::FreeLoopbackPort())};
    if (name == "catalogue") {
      args.push_back("--data_dir=" + data_dir);
      args.push_back("--exporter_address=127.0.0.1:" + std::to_string(testing::FreeLoopbackPort()));
    }
    process_.emplace(BinaryPath(name), args, data_dir + "-" + name + ".log");
  }

  const std::string& address() const { return address_; }
  testing::ChildProcess& process() { return *process_; }

  // A channel to the service once it serves; null (with the log in the test output) if it does
  // not come up.
  std::shared_ptr<grpc::Channel> WaitUntilServing() {
    auto channel = rpc::CreateInsecureChannel(address_);
    const absl::Status serving = client::WaitUntilServing(channel, "", absl::Seconds(20));
    EXPECT_TRUE(serving.ok()) << serving << "\n" << process_->Log();
    return serving.ok() ? channel : nullptr;
  }

 private:
  std::string address_ = absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
  std::optional<testing::ChildProcess> process_;
};

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  return context;
}

TEST(PublicServiceLimitsTest, TheCatalogueRefusesOversizedRequests) {
  testing::TempDir dir;
  PublicServiceProcess catalogue("catalogue", dir.path() + "/data");
  auto channel = catalogue.WaitUntilServing();
  ASSERT_NE(channel, nullptr);
  auto stub = v1::CatalogueService::NewStub(channel);
  v1::ListDatasetsRequest request;
  v1::ListDatasetsResponse response;
  request.set_query(std::string(kOversized, 'x'));
  grpc::Status status = stub->ListDatasets(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  // A long but legitimate request is answered.
  request.set_query(std::string(4 << 10, 'x'));
  status = stub->ListDatasets(Context().get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST(PublicServiceLimitsTest, TheExporterRefusesOversizedRequests) {
  testing::TempDir dir;
  PublicServiceProcess exporter("exporter", dir.path() + "/data");
  auto channel = exporter.WaitUntilServing();
  ASSERT_NE(channel, nullptr);
  auto stub = v1::ExportService::NewStub(channel);
  v1::ExportRequest request;
  request.set_dataset_id(std::string(kOversized, 'x'));
  auto context = Context();
  auto reader = stub->Export(context.get(), request);
  v1::ExportResponse message;
  while (reader->Read(&message)) {
  }
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
}

TEST(CatalogueStartupTest, RefusesToStartWhenARecordedFileIsMissing) {
  testing::TempDir dir;
  const std::string data_dir = dir.path() + "/data";
  // A release recorded with files that are not in the artifact directory, as after a lost or
  // partly restored volume.
  SystemClock clock;
  std::filesystem::create_directories(data_dir);
  {
    absl::StatusOr<std::unique_ptr<catalogue::CatalogueStore>> store =
        catalogue::OpenDeployedCatalogue(data_dir + "/catalogue", clock);
    ASSERT_TRUE(store.ok()) << store.status();
    const catalogue::CatalogueConfig& config = (*store)->config();
    std::vector<catalogue::RenderedDataset> datasets;
    for (const catalogue::DatasetSpec& spec : catalogue::DatasetsFor(config, {2023}, 2022)) {
      catalogue::RenderedDataset& dataset = datasets.emplace_back();
      dataset.spec = spec;
      for (const auto& format : config.formats()) {
        v1::Attachment& attachment = dataset.attachments.emplace_back();
        attachment.set_format(format.format());
        attachment.set_sha256(Sha256Hex(spec.dataset_id + std::to_string(format.format())));
        attachment.set_size_bytes(10);
      }
    }
    ASSERT_TRUE((*store)->RecordRelease("r1", "", std::move(datasets)).ok());
  }
  std::filesystem::create_directories(data_dir + "/artifacts");

  PublicServiceProcess catalogue("catalogue", data_dir);
  const std::optional<int> exit_code = catalogue.process().WaitForExit(absl::Seconds(20));
  ASSERT_TRUE(exit_code.has_value()) << "the catalogue started";
  EXPECT_EQ(*exit_code, 1);
  const std::string log = catalogue.process().Log();
  EXPECT_NE(log.find("release r1, dataset "), std::string::npos) << log;
  EXPECT_NE(log.find("is missing"), std::string::npos) << log;
  EXPECT_NE(log.find("Nothing was deleted"), std::string::npos) << log;
  // The store is still there with its release.
  absl::StatusOr<std::unique_ptr<catalogue::CatalogueStore>> store =
      catalogue::OpenDeployedCatalogue(data_dir + "/catalogue", clock);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->CurrentReleaseId().value_or(""), "r1");
}

}  // namespace
}  // namespace omnia

// Publish in process, with the real exporter over loopback gRPC and a stand-in aggregation: a
// publication stores every file whole and durably before recording the release, and a second
// Publish while one runs fails at once with ABORTED, as catalogue.proto documents, instead of
// waiting for it.
#include "services/catalogue/catalogue_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/client/channel.h"
#include "libs/server/service_host.h"
#include "libs/storage/file_system.h"
#include "services/exporter/export_service.h"
#include "tests/support/child_process.h"
#include "tests/support/fake_aggregation.h"
#include "tests/unit/catalogue/test_config.h"

namespace omnia::catalogue {
namespace {

class CatalogueServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<CatalogueStore>> store =
        OpenDeployedCatalogue(dir_.path() + "/catalogue", clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    std::filesystem::create_directories(artifact_dir());
    artifacts_.emplace(files_, artifact_dir());

    exporter_ = std::make_unique<exporter::ExportService>(
        codelists_, store_->config(), client::CreateInsecureChannel(aggregation_.address()),
        executor_, exporter::ExportServiceOptions());
    server::ServerOptions options;
    options.name = "exporter-test";
    options.authorizer =
        std::make_shared<const server::CallAuthorizer>(server::CallAuthorizer::InsecureNoAuth());
    exporter_host_ = std::make_unique<server::ServiceHost>(
        options, std::make_shared<prometheus::Registry>(), clock_);
    ASSERT_TRUE(
        exporter_host_->Start({{exporter_.get(), v1::ExportService::service_full_name()}}).ok());
    exporter_host_->SetServing(true);

    service_ = std::make_unique<CatalogueService>(
        *store_, *artifacts_, codelists_, client::CreateInsecureChannel(aggregation_.address()),
        client::CreateInsecureChannel(absl::StrCat("127.0.0.1:", exporter_host_->grpc_port())),
        executor_, CatalogueServiceOptions());
  }

  std::string artifact_dir() const { return dir_.path() + "/artifacts"; }

  SystemClock clock_;
  domain::Codelists codelists_ = domain::Codelists::Builtin();
  testing::TempDir dir_;
  std::unique_ptr<CatalogueStore> store_;
  storage::PosixFileSystem files_;
  std::optional<ArtifactStore> artifacts_;
  testing::FakeAggregation aggregation_{{2022, 2023}};
  server::Executor executor_{2};
  std::unique_ptr<exporter::ExportService> exporter_;
  std::unique_ptr<server::ServiceHost> exporter_host_;
  std::unique_ptr<CatalogueService> service_;
};

TEST_F(CatalogueServiceTest, APublishedReleaseHasEveryFileStoredWhole) {
  absl::StatusOr<PublishResult> published = service_->RunPublish("r1", "first");
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_TRUE(published->created);
  absl::StatusOr<std::vector<v1::Dataset>> datasets = store_->DatasetsAt("r1");
  ASSERT_TRUE(datasets.ok());
  ASSERT_FALSE(datasets->empty());
  EXPECT_TRUE(VerifyArtifacts(*store_, *artifacts_).ok());
  // Only stored files are left: no temporary file survives a publication.
  for (const auto& entry : std::filesystem::directory_iterator(artifact_dir())) {
    EXPECT_NE(entry.path().filename().string()[0], '.') << entry.path();
  }
}

TEST_F(CatalogueServiceTest, APublishWhileAnotherRunsIsAbortedAtOnce) {
  aggregation_.HoldFreeze();
  std::optional<absl::StatusOr<PublishResult>> first;
  std::thread publishing([&] { first = service_->RunPublish("r1", "first"); });
  aggregation_.WaitUntilFreezing();

  // Before, these waited for the first publication to finish.
  const absl::Time start = absl::Now();
  const absl::StatusOr<PublishResult> second = service_->RunPublish("r2", "second");
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAborted) << second.status();
  EXPECT_EQ(service_->RunPublish("", "").status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(service_->RunPublish("r1", "").status().code(), absl::StatusCode::kAborted);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));

  aggregation_.ReleaseFreeze();
  publishing.join();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(first->ok()) << first->status();
  EXPECT_TRUE((*first)->created);
  // Nothing of the refused calls was recorded; once the first is done, publishing works again.
  EXPECT_EQ(store_->GetRelease("r2").status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<PublishResult> retried = service_->RunPublish("r2", "second");
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_TRUE(retried->created);
}

TEST_F(CatalogueServiceTest, ARetryOfAFinishedPublishIsAnsweredWhileAnotherRuns) {
  ASSERT_TRUE(service_->RunPublish("r1", "first").ok());
  aggregation_.HoldFreeze();
  std::optional<absl::StatusOr<PublishResult>> running;
  std::thread publishing([&] { running = service_->RunPublish("r2", "second"); });
  aggregation_.WaitUntilFreezing();
  const absl::StatusOr<PublishResult> retry = service_->RunPublish("r1", "first");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_FALSE(retry->created);
  EXPECT_EQ(retry->release.release_id(), "r1");
  aggregation_.ReleaseFreeze();
  publishing.join();
  ASSERT_TRUE(running.has_value());
  EXPECT_TRUE(running->ok()) << running->status();
}

}  // namespace
}  // namespace omnia::catalogue

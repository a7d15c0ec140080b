// Publish in process, with the real exporter over loopback gRPC and a stand-in aggregation: a
// publication stores every file whole and durably before recording the release, and a second
// Publish while one runs fails at once with ABORTED, as catalogue.proto documents, instead of
// waiting for it.
#include "services/catalogue/catalogue_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/base/sha256.h"
#include "libs/catalogue/attachment_reads.h"
#include "libs/rpc/channel.h"
#include "libs/server/auth.h"
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
        codelists_, store_->config(), rpc::CreateInsecureChannel(aggregation_.address()), executor_,
        exporter::ExportServiceOptions());
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
        *store_, *artifacts_, codelists_, rpc::CreateInsecureChannel(aggregation_.address()),
        rpc::CreateInsecureChannel(absl::StrCat("127.0.0.1:", exporter_host_->grpc_port())),
        executor_, ServiceOptions());
  }

  static CatalogueServiceOptions ServiceOptions() {
    CatalogueServiceOptions options;
    options.public_base_url = "https://dati.example.it";
    return options;
  }

  // Serves service_ over loopback gRPC, where only the holder of kGatewayToken may call
  // ReadAttachment; returns a stub of it.
  // A client whose small HTTP/2 windows let little data in ahead of its reads: a large file
  // cannot have been sent whole before the client's cancel reaches the server.
  std::unique_ptr<v1::CatalogueService::Stub> SmallWindowStub() const {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 16 << 10);
    return v1::CatalogueService::NewStub(
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", catalogue_host_->grpc_port()),
                                  grpc::InsecureChannelCredentials(), args));
  }

  std::unique_ptr<v1::CatalogueService::Stub> ServeCatalogue() {
    absl::StatusOr<server::TokenAuthenticator> tokens = server::TokenAuthenticator::Parse(
        absl::StrCat("gateway ", Sha256Hex(kGatewayToken), " CatalogueService/ReadAttachment\n",
                     "operator ", Sha256Hex(kOperatorToken), " CatalogueService/Publish\n"));
    EXPECT_TRUE(tokens.ok()) << tokens.status();
    server::ServerOptions options;
    options.name = "catalogue-test";
    options.authorizer = std::make_shared<const server::CallAuthorizer>(
        server::CallAuthorizer::RequireTokens(*std::move(tokens)));
    catalogue_host_ = std::make_unique<server::ServiceHost>(
        options, std::make_shared<prometheus::Registry>(), clock_);
    EXPECT_TRUE(
        catalogue_host_->Start({{service_.get(), v1::CatalogueService::service_full_name()}}).ok());
    catalogue_host_->SetServing(true);
    return v1::CatalogueService::NewStub(
        rpc::CreateInsecureChannel(absl::StrCat("127.0.0.1:", catalogue_host_->grpc_port())));
  }

  struct ReadResult {
    grpc::Status status;
    v1::Attachment attachment;
    std::string data;
    size_t messages = 0;
    size_t largest_chunk = 0;
  };

  static ReadResult Read(v1::CatalogueService::Stub& stub, const v1::ReadAttachmentRequest& request,
                         const std::string& token = kGatewayToken) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    auto reader = stub.ReadAttachment(&context, request);
    ReadResult result;
    v1::ReadAttachmentResponse message;
    while (reader->Read(&message)) {
      if (message.has_attachment()) result.attachment = message.attachment();
      result.data += message.data();
      result.largest_chunk = std::max(result.largest_chunk, message.data().size());
      ++result.messages;
    }
    result.status = reader->Finish();
    return result;
  }

  static constexpr char kGatewayToken[] = "gateway-token-0123456789abcdef";
  static constexpr char kOperatorToken[] = "operator-token-0123456789abcdef";

  // Publish over gRPC as the operator; the call's status. `cancel_after`, when set, cancels the
  // call once it has run that long.
  static grpc::Status PublishCall(v1::CatalogueService::Stub& stub, const std::string& release_id,
                                  v1::PublishResponse* response,
                                  std::optional<absl::Duration> cancel_after = std::nullopt) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kOperatorToken));
    v1::PublishRequest request;
    request.set_release_id(release_id);
    request.set_description("over gRPC");
    std::thread canceller;
    if (cancel_after.has_value()) {
      canceller = std::thread([&context, after = *cancel_after] {
        absl::SleepFor(after);
        context.TryCancel();
      });
    }
    const grpc::Status status = stub.Publish(&context, request, response);
    if (canceller.joinable()) canceller.join();
    return status;
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
  std::unique_ptr<server::ServiceHost> catalogue_host_;
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
  // The first publication holds Freeze for up to 10 s: well under that means no waiting.
  EXPECT_LT(absl::Now() - start, absl::Seconds(8));

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

// The largest attachment of a release, the one most worth reading in ranges.
v1::Attachment LargestAttachment(const std::vector<v1::Dataset>& datasets,
                                 std::string* dataset_id) {
  v1::Attachment largest;
  for (const v1::Dataset& dataset : datasets) {
    for (const v1::Attachment& attachment : dataset.attachments()) {
      if (attachment.size_bytes() > largest.size_bytes()) {
        largest = attachment;
        *dataset_id = dataset.dataset_id();
      }
    }
  }
  return largest;
}

TEST_F(CatalogueServiceTest, ReadAttachmentStreamsEveryFileAndAnyRangeOfIt) {
  ASSERT_TRUE(service_->RunPublish("r1", "first").ok());
  auto stub = ServeCatalogue();
  absl::StatusOr<std::vector<v1::Dataset>> datasets = store_->DatasetsAt("r1");
  ASSERT_TRUE(datasets.ok());
  for (const v1::Dataset& dataset : *datasets) {
    for (const v1::Attachment& attachment : dataset.attachments()) {
      v1::ReadAttachmentRequest request;
      request.set_release_id("r1");
      request.set_dataset_id(dataset.dataset_id());
      request.set_file_name(attachment.file_name());
      const ReadResult whole = Read(*stub, request);
      ASSERT_TRUE(whole.status.ok()) << whole.status.error_message();
      EXPECT_EQ(whole.data.size(), attachment.size_bytes()) << attachment.file_name();
      EXPECT_EQ(Sha256Hex(whole.data), attachment.sha256()) << attachment.file_name();
      EXPECT_EQ(whole.attachment.sha256(), attachment.sha256());
      EXPECT_EQ(whole.attachment.download().url(),
                absl::StrCat("https://dati.example.it/releases/r1/", dataset.dataset_id(), "/",
                             attachment.file_name()));
      EXPECT_LE(whole.largest_chunk, kAttachmentChunkBytes);
    }
  }

  std::string dataset_id;
  const v1::Attachment largest = LargestAttachment(*datasets, &dataset_id);
  v1::ReadAttachmentRequest request;
  request.set_release_id("r1");
  request.set_dataset_id(dataset_id);
  request.set_file_name(largest.file_name());
  const std::string whole = Read(*stub, request).data;
  ASSERT_GT(whole.size(), 100u);
  // A middle range, a range running to the end (length 0), and the empty range at the end.
  request.set_offset(17);
  request.set_length(whole.size() / 2);
  EXPECT_EQ(Read(*stub, request).data, whole.substr(17, whole.size() / 2));
  request.set_length(0);
  EXPECT_EQ(Read(*stub, request).data, whole.substr(17));
  request.set_offset(whole.size());
  const ReadResult at_end = Read(*stub, request);
  EXPECT_TRUE(at_end.status.ok()) << at_end.status.error_message();
  EXPECT_EQ(at_end.data, "");
  EXPECT_EQ(at_end.attachment.size_bytes(), whole.size());
}

TEST_F(CatalogueServiceTest, ReadAttachmentRefusesUnknownNamesBadRangesAndOtherCallers) {
  ASSERT_TRUE(service_->RunPublish("r1", "first").ok());
  auto stub = ServeCatalogue();
  absl::StatusOr<std::vector<v1::Dataset>> datasets = store_->DatasetsAt("r1");
  ASSERT_TRUE(datasets.ok());
  const v1::Dataset& dataset = datasets->front();
  v1::ReadAttachmentRequest good;
  good.set_release_id("r1");
  good.set_dataset_id(dataset.dataset_id());
  good.set_file_name(dataset.attachments(0).file_name());
  const uint64_t size = dataset.attachments(0).size_bytes();

  const auto code = [&](const v1::ReadAttachmentRequest& request,
                        const std::string& token = kGatewayToken) {
    return Read(*stub, request, token).status.error_code();
  };
  EXPECT_EQ(code(good, ""), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(code(good, "someone-else-0123456789abcdef"), grpc::StatusCode::UNAUTHENTICATED);
  v1::ReadAttachmentRequest request = good;
  request.set_release_id("r9");
  EXPECT_EQ(code(request), grpc::StatusCode::NOT_FOUND);
  request = good;
  request.set_dataset_id("no-such-dataset");
  EXPECT_EQ(code(request), grpc::StatusCode::NOT_FOUND);
  request = good;
  request.set_file_name("../" + good.file_name());
  EXPECT_EQ(code(request), grpc::StatusCode::NOT_FOUND);
  request = good;
  request.set_file_name(dataset.attachments(0).sha256() + ".csv");  // the name on disk
  EXPECT_EQ(code(request), grpc::StatusCode::NOT_FOUND);
  request = good;
  request.set_release_id("");
  EXPECT_EQ(code(request), grpc::StatusCode::INVALID_ARGUMENT);
  request = good;
  request.set_offset(size + 1);
  EXPECT_EQ(code(request), grpc::StatusCode::OUT_OF_RANGE);
  request = good;
  request.set_offset(1);
  request.set_length(size);
  EXPECT_EQ(code(request), grpc::StatusCode::OUT_OF_RANGE);
}

TEST_F(CatalogueServiceTest, GetDatasetGivesDownloadUrlsAndTheReleaseTime) {
  ASSERT_TRUE(service_->RunPublish("r1", "first").ok());
  auto stub = ServeCatalogue();
  absl::StatusOr<std::vector<v1::Dataset>> datasets = store_->DatasetsAt("r1");
  ASSERT_TRUE(datasets.ok());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  v1::GetDatasetRequest request;
  request.set_dataset_id(datasets->front().dataset_id());
  v1::GetDatasetResponse response;
  ASSERT_TRUE(stub->GetDataset(&context, request, &response).ok());
  EXPECT_EQ(response.release().release_id(), "r1");
  EXPECT_GT(response.release().create_time().seconds(), 0);
  ASSERT_GT(response.dataset().attachments_size(), 0);
  for (const v1::Attachment& attachment : response.dataset().attachments()) {
    EXPECT_EQ(attachment.download().url(),
              ReleaseFileUrl("https://dati.example.it", "r1", request.dataset_id(),
                             attachment.file_name()));
  }
}

TEST_F(CatalogueServiceTest, PublishOverGrpcRecordsTheRelease) {
  auto stub = ServeCatalogue();
  v1::PublishResponse response;
  const grpc::Status status = PublishCall(*stub, "r1", &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.created());
  EXPECT_EQ(response.release().release_id(), "r1");
  EXPECT_GT(response.release().dataset_count(), 0);
  EXPECT_TRUE(store_->GetRelease("r1").ok());
}

TEST_F(CatalogueServiceTest, ABadPublishIsRefusedNamingTheFieldAndRecordsNothing) {
  auto stub = ServeCatalogue();
  v1::PublishResponse response;
  const grpc::Status status = PublishCall(*stub, "../r1", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("release_id"), std::string::npos) << status.error_message();
  absl::StatusOr<ReleasePage> releases = store_->ListReleases(10, "");
  ASSERT_TRUE(releases.ok());
  EXPECT_TRUE(releases->releases.empty());
  EXPECT_TRUE(std::filesystem::is_empty(artifact_dir()));
  // A bad page token on a read is refused the same way.
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::ListDatasetsRequest list;
  list.set_page_token("not-a-token");
  v1::ListDatasetsResponse datasets;
  const grpc::Status listed = stub->ListDatasets(&context, list, &datasets);
  EXPECT_EQ(listed.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(listed.error_message().find("page_token"), std::string::npos) << listed.error_message();
}

TEST_F(CatalogueServiceTest, ACancelledPublishLeavesTheServiceUsable) {
  auto stub = ServeCatalogue();
  aggregation_.HoldFreeze();
  v1::PublishResponse cancelled;
  const grpc::Status status = PublishCall(*stub, "r1", &cancelled, absl::Milliseconds(300));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED) << status.error_message();
  aggregation_.ReleaseFreeze();
  // The publication the server had started completes whole or not at all; a retry is
  // answered either way, and nothing partial is ever served.
  v1::PublishResponse retried;
  grpc::Status retry;
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  do {
    retry = PublishCall(*stub, "r1", &retried);
    if (retry.error_code() != grpc::StatusCode::ABORTED) break;
    absl::SleepFor(absl::Milliseconds(100));
  } while (absl::Now() < give_up);
  ASSERT_TRUE(retry.ok()) << retry.error_message();
  EXPECT_EQ(retried.release().release_id(), "r1");
  EXPECT_TRUE(VerifyArtifacts(*store_, *artifacts_).ok());
}

TEST_F(CatalogueServiceTest, ACancelledReadEndsAndOthersAreServed) {
  ASSERT_TRUE(service_->RunPublish("r1", "first").ok());
  auto stub = ServeCatalogue();
  absl::StatusOr<std::vector<v1::Dataset>> datasets = store_->DatasetsAt("r1");
  ASSERT_TRUE(datasets.ok());
  std::string dataset_id;
  const v1::Attachment largest = LargestAttachment(*datasets, &dataset_id);
  ASSERT_GE(largest.size_bytes(), 4 * catalogue::kAttachmentChunkBytes)
      << "a file of a few chunks could be sent whole before the cancel arrives";
  v1::ReadAttachmentRequest request;
  request.set_release_id("r1");
  request.set_dataset_id(dataset_id);
  request.set_file_name(largest.file_name());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  context.AddMetadata("authorization", absl::StrCat("Bearer ", kGatewayToken));
  const std::unique_ptr<v1::CatalogueService::Stub> slow_reader = SmallWindowStub();
  auto reader = slow_reader->ReadAttachment(&context, request);
  v1::ReadAttachmentResponse first;
  ASSERT_TRUE(reader->Read(&first));
  context.TryCancel();
  v1::ReadAttachmentResponse rest;
  while (reader->Read(&rest)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  const ReadResult again = Read(*stub, request);
  ASSERT_TRUE(again.status.ok()) << again.status.error_message();
  EXPECT_EQ(Sha256Hex(again.data), largest.sha256());
}

}  // namespace
}  // namespace omnia::catalogue

// Publish without a network, over stand-ins for aggregation and the exporter: what a publisher
// relies on is that a release is recorded only once every attachment of every dataset is stored
// whole under its content hash, that any failure (freeze, render, a file that is not what was
// announced) records nothing, that a retry of a finished publication is answered with the stored
// release, and that a second publication while one runs is refused at once.
#include "libs/catalogue/publisher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "libs/base/sha256.h"
#include "libs/storage/file_system.h"
#include "tests/support/child_process.h"
#include "tests/unit/catalogue/test_config.h"

namespace omnia::catalogue {
namespace {

using ::testing::HasSubstr;

class FakeCubes final : public CubeReleases {
 public:
  absl::StatusOr<Frozen> Freeze(const std::string& release_id,
                                const std::string& description) override {
    frozen.push_back(absl::StrCat(release_id, ": ", description));
    if (!freeze_status.ok()) return freeze_status;
    const auto [it, created] = held.try_emplace(release_id, live);
    return Frozen{created, it->second};
  }
  absl::StatusOr<AppliedSequences> LiveSequences() override { return live; }
  absl::StatusOr<ReleaseCoverage> Coverage(const std::string& /*release_id*/) override {
    return coverage;
  }

  absl::Status freeze_status;
  ReleaseCoverage coverage{{2023, 2024}, 2023};
  std::vector<std::string> frozen;
  std::map<std::string, AppliedSequences> held;  // the releases aggregation holds
  AppliedSequences live = {{"ingestion", 1}};    // what the live cubes hold
};

// Renders "<dataset> <format> <release>" in two pieces and announces its true digest, unless told
// otherwise.
class FakeRenderer final : public AttachmentRenderer {
 public:
  absl::StatusOr<RenderedFile> Render(
      const std::string& dataset_id, v1::Format format, const std::string& release_id,
      const std::function<absl::Status(std::string_view)>& write) override {
    ++calls;
    if (clock != nullptr) clock->Advance(absl::Seconds(1));
    if (started != nullptr && !started->HasBeenNotified()) started->Notify();
    // Bounded, so that a second publication that wrongly got this far fails the test instead of
    // hanging it.
    if (release != nullptr) release->WaitForNotificationWithTimeout(absl::Seconds(30));
    if (dataset_id == failing_dataset) return absl::UnavailableError("the exporter went away");
    const std::string content =
        absl::StrCat(dataset_id, " ", static_cast<int>(format), " ", release_id, "\n");
    const size_t half = content.size() / 2;
    if (absl::Status s = write(std::string_view(content).substr(0, half)); !s.ok()) return s;
    if (absl::Status s = write(std::string_view(content).substr(half)); !s.ok()) return s;
    RenderedFile file;
    file.file_name = absl::StrCat(dataset_id, format == v1::FORMAT_CSV ? ".csv" : ".bin");
    file.media_type = "application/octet-stream";
    file.size_bytes = content.size();
    file.sha256 = wrong_digest ? std::string(64, '0') : Sha256Hex(content);
    file.rows = 1;
    return file;
  }

  int calls = 0;
  FakeClock* clock = nullptr;  // when set, each file takes a second
  std::string failing_dataset;
  bool wrong_digest = false;
  absl::Notification* started = nullptr;
  absl::Notification* release = nullptr;
};

class PublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<CatalogueStore>> store =
        OpenDeployedCatalogue(dir_.path() + "/catalogue", clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    std::filesystem::create_directories(dir_.path() + "/artifacts");
    artifacts_.emplace(files_, dir_.path() + "/artifacts");
    publisher_.emplace(*store_, *artifacts_, cubes_, renderer_);
  }

  // Files in the artifact directory.
  size_t StoredFiles() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator(dir_.path() + "/artifacts")) {
      ++n;
    }
    return n;
  }

  testing::TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1767225600)};
  storage::PosixFileSystem files_;
  std::unique_ptr<CatalogueStore> store_;
  std::optional<ArtifactStore> artifacts_;
  FakeCubes cubes_;
  FakeRenderer renderer_;
  std::optional<Publisher> publisher_;
};

TEST_F(PublisherTest, AReleaseRecordsEveryAttachmentStoredWholeUnderItsHash) {
  const absl::StatusOr<PublishResult> published = publisher_->Publish("r1", "first");
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_TRUE(published->created);
  EXPECT_EQ(published->release.release_id(), "r1");
  EXPECT_EQ(cubes_.frozen, std::vector<std::string>{"r1: first"});

  absl::StatusOr<std::vector<v1::Dataset>> datasets = store_->DatasetsAt("r1");
  ASSERT_TRUE(datasets.ok()) << datasets.status();
  ASSERT_FALSE(datasets->empty());
  const int formats = static_cast<int>(store_->config().formats().size());
  EXPECT_EQ(renderer_.calls, static_cast<int>(datasets->size()) * formats);
  for (const v1::Dataset& dataset : *datasets) {
    ASSERT_EQ(dataset.attachments_size(), formats) << dataset.dataset_id();
    for (const v1::Attachment& attachment : dataset.attachments()) {
      const std::string path = artifacts_->PathOf(attachment);
      EXPECT_THAT(path, HasSubstr(attachment.sha256()));
      EXPECT_EQ(std::filesystem::file_size(path), attachment.size_bytes()) << path;
    }
  }
  EXPECT_TRUE(VerifyArtifacts(*store_, *artifacts_).ok());
}

TEST_F(PublisherTest, ARetryOfAFinishedPublicationIsAnsweredWithoutWork) {
  ASSERT_TRUE(publisher_->Publish("r1", "first").ok());
  const int calls = renderer_.calls;
  const absl::StatusOr<PublishResult> retry = publisher_->Publish("r1", "first");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_FALSE(retry->created);
  EXPECT_EQ(renderer_.calls, calls);
  EXPECT_EQ(cubes_.frozen.size(), 1u);
}

TEST_F(PublisherTest, ARenderFailureRecordsNothingAndNamesTheDataset) {
  renderer_.failing_dataset = "integrazioni-salariali-domande-2024";
  const absl::StatusOr<PublishResult> published = publisher_->Publish("r1", "first");
  EXPECT_EQ(published.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(published.status().message()),
              HasSubstr("integrazioni-salariali-domande-2024: the exporter went away"));
  EXPECT_EQ(store_->GetRelease("r1").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PublisherTest, AFileThatIsNotWhatWasAnnouncedIsNeitherStoredNorRecorded) {
  renderer_.wrong_digest = true;
  const absl::StatusOr<PublishResult> published = publisher_->Publish("r1", "first");
  EXPECT_EQ(published.status().code(), absl::StatusCode::kDataLoss) << published.status();
  EXPECT_EQ(store_->GetRelease("r1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(StoredFiles(), 0u);
}

TEST_F(PublisherTest, AFailedFreezeOrEmptyCubesRecordNothing) {
  cubes_.freeze_status = absl::UnavailableError("aggregation is down");
  EXPECT_EQ(publisher_->Publish("r1", "").status().code(), absl::StatusCode::kUnavailable);
  cubes_.freeze_status = absl::OkStatus();
  cubes_.coverage = ReleaseCoverage{};
  EXPECT_EQ(publisher_->Publish("r1", "").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(renderer_.calls, 0);
  EXPECT_EQ(store_->GetRelease("r1").status().code(), absl::StatusCode::kNotFound);
}

// catalogue.proto: "If any step fails, the catalogue stays as it was and the call fails;
// retrying is safe." A retry without an id publishes the cubes as they are at the retry, not as
// a failed attempt froze them, and is not stuck when that attempt found them empty.
TEST_F(PublisherTest, ARetryWithoutAnIdFreezesAfreshInsteadOfReusingAFailedAttemptsFreeze) {
  renderer_.failing_dataset = "integrazioni-salariali-domande-2024";
  ASSERT_EQ(publisher_->Publish("", "").status().code(), absl::StatusCode::kUnavailable);
  ASSERT_EQ(cubes_.frozen, std::vector<std::string>{"2026-01-01: "});

  renderer_.failing_dataset.clear();
  cubes_.live["ingestion"] = 2;  // data arrived since the failed attempt
  const absl::StatusOr<PublishResult> retried = publisher_->Publish("", "");
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_TRUE(retried->created);
  EXPECT_EQ(retried->release.release_id(), "2026-01-01.2");
  EXPECT_EQ(cubes_.frozen,
            (std::vector<std::string>{"2026-01-01: ", "2026-01-01: ", "2026-01-01.2: "}));
}

// catalogue.proto: when release_id is empty "the catalogue assigns the publication date": the id
// and the publication date agree even when the rendering crosses midnight in Italy.
TEST_F(PublisherTest, AnAssignedIdIsThePublicationDateAcrossMidnight) {
  clock_.Advance(absl::Hours(23) - absl::Seconds(5));  // 2026-01-01 23:59:55 in Rome
  renderer_.clock = &clock_;
  const absl::StatusOr<PublishResult> published = publisher_->Publish("", "");
  ASSERT_TRUE(published.ok()) << published.status();
  ASSERT_GT(renderer_.calls, 5);  // the rendering ended after midnight
  EXPECT_EQ(published->release.release_id(), "2026-01-01");
  EXPECT_EQ(published->release.publication_date().day(), 1);
  EXPECT_EQ(published->release.publication_date().month(), 1);
}

// Nothing arrived since the failed attempt: its freeze is what a fresh one would hold, and is
// reused rather than adding a checkpoint per retry.
TEST_F(PublisherTest, ARetryWithoutAnIdReusesAFailedAttemptsFreezeWhenNothingArrivedSince) {
  renderer_.failing_dataset = "integrazioni-salariali-domande-2024";
  ASSERT_EQ(publisher_->Publish("", "").status().code(), absl::StatusCode::kUnavailable);
  ASSERT_EQ(publisher_->Publish("", "").status().code(), absl::StatusCode::kUnavailable);
  renderer_.failing_dataset.clear();
  const absl::StatusOr<PublishResult> retried = publisher_->Publish("", "");
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->release.release_id(), "2026-01-01");
  EXPECT_EQ(cubes_.held.size(), 1u);
}

TEST_F(PublisherTest, ADescriptionTooLongIsRefusedBeforeFreezing) {
  const absl::StatusOr<PublishResult> published = publisher_->Publish("r1", std::string(1001, 'a'));
  EXPECT_EQ(published.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(published.status().message()), HasSubstr("description"));
  EXPECT_TRUE(cubes_.frozen.empty());
  EXPECT_EQ(renderer_.calls, 0);
}

TEST_F(PublisherTest, AMalformedReleaseIdIsRefusedBeforeFreezing) {
  EXPECT_EQ(publisher_->Publish("../r1", "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(cubes_.frozen.empty());
}

TEST_F(PublisherTest, APublicationWhileAnotherRunsIsAbortedAtOnce) {
  absl::Notification started;
  absl::Notification release;
  renderer_.started = &started;
  renderer_.release = &release;
  absl::StatusOr<PublishResult> first;
  std::thread publishing([&] { first = publisher_->Publish("r1", "first"); });
  started.WaitForNotification();
  EXPECT_EQ(publisher_->Publish("r2", "second").status().code(), absl::StatusCode::kAborted);
  release.Notify();
  publishing.join();
  EXPECT_TRUE(first.ok()) << first.status();
}

}  // namespace
}  // namespace omnia::catalogue

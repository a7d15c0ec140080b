// Published files are stored durably under their content hash before a release records them,
// and the catalogue refuses to start when a recorded file is missing or altered, deleting
// nothing.
#include "libs/catalogue/artifact_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/base/clock.h"
#include "libs/catalogue/datasets.h"
#include "tests/support/child_process.h"
#include "tests/support/fault_injecting_file_system.h"
#include "tests/unit/catalogue/test_config.h"

namespace omnia::catalogue {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

constexpr char kDir[] = "artifacts";

absl::Status Store(ArtifactStore& artifacts, const std::string& content,
                   const std::string& extension) {
  absl::StatusOr<std::unique_ptr<ArtifactWriter>> writer = artifacts.Begin("upload");
  if (!writer.ok()) return writer.status();
  // In two pieces, as chunks arrive.
  const size_t half = content.size() / 2;
  if (absl::Status s = (*writer)->Append(content.substr(0, half)); !s.ok()) return s;
  if (absl::Status s = (*writer)->Append(content.substr(half)); !s.ok()) return s;
  return (*writer)->Commit({Sha256Hex(content), content.size()}, extension);
}

TEST(ArtifactStoreTest, StoresAFileDurablyUnderItsDigest) {
  testing::FaultInjectingFileSystem fs;
  ArtifactStore artifacts(fs, kDir);
  ASSERT_TRUE(Store(artifacts, "Anno,Mese\r\n", ".csv").ok());
  const std::string path = absl::StrCat(kDir, "/", Sha256Hex("Anno,Mese\r\n"), ".csv");
  EXPECT_THAT(
      fs.calls(),
      ElementsAre("create artifacts/.upload.partial", "append artifacts/.upload.partial",
                  "append artifacts/.upload.partial", "sync artifacts/.upload.partial",
                  "close artifacts/.upload.partial",
                  absl::StrCat("rename artifacts/.upload.partial ", path), "syncdir artifacts"));
  fs.Crash();
  EXPECT_THAT(fs.Visible(path), Optional(std::string("Anno,Mese\r\n")));
}

TEST(ArtifactStoreTest, AFileThatDoesNotMatchWhatWasAnnouncedIsNotStored) {
  testing::FaultInjectingFileSystem fs;
  ArtifactStore artifacts(fs, kDir);
  absl::StatusOr<std::unique_ptr<ArtifactWriter>> writer = artifacts.Begin("upload");
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append("truncated").ok());
  const absl::Status status = (*writer)->Commit({Sha256Hex("truncated and more"), 18}, ".csv");
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  writer->reset();
  EXPECT_TRUE(fs.Paths().empty());
}

class VerifyArtifactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<CatalogueStore>> store =
        OpenDeployedCatalogue(dir_.path() + "/catalogue", clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  // Publishes `id` with every file stored; a dataset's files hold `content` (default "v1").
  void Publish(const std::string& id, const std::map<std::string, std::string>& content = {}) {
    std::vector<RenderedDataset> datasets;
    for (const DatasetSpec& spec : DatasetsFor(store_->config(), {2022, 2023}, 2022)) {
      RenderedDataset& dataset = datasets.emplace_back();
      dataset.spec = spec;
      const auto it = content.find(spec.dataset_id);
      for (const auto& format : store_->config().formats()) {
        const std::string bytes = absl::StrCat(spec.dataset_id, "|", format.format(), "|",
                                               it == content.end() ? "v1" : it->second);
        v1::Attachment& attachment = dataset.attachments.emplace_back();
        attachment.set_format(format.format());
        attachment.set_sha256(Sha256Hex(bytes));
        attachment.set_size_bytes(bytes.size());
        absl::StatusOr<std::string> name =
            AttachmentFileName(store_->config(), spec.dataset_id, format.format());
        ASSERT_TRUE(name.ok());
        attachment.set_file_name(*name);
        ASSERT_TRUE(
            Store(artifacts_, bytes, std::filesystem::path(*name).extension().string()).ok());
      }
    }
    ASSERT_TRUE(store_->RecordRelease(id, "", std::move(datasets)).ok());
  }

  std::string PathOf(const std::string& dataset_id, v1::Format format,
                     const std::string& release = "") {
    absl::StatusOr<v1::Dataset> dataset = store_->GetDataset(dataset_id, release);
    EXPECT_TRUE(dataset.ok()) << dataset.status();
    for (const v1::Attachment& a : dataset->attachments()) {
      if (a.format() == format) return artifacts_.PathOf(a);
    }
    return "";
  }

  // Replaces a stored file's bytes in place, as damage from outside would.
  void Overwrite(const std::string& path, const std::string& bytes) {
    fs_.PutDurableFile(path, bytes);
  }

  void ExpectRefused(const std::string& message) {
    const std::vector<std::string> before = fs_.Paths();
    fs_.ClearCalls();
    const absl::Status status = VerifyArtifacts(*store_, artifacts_);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(status.message(), HasSubstr(message));
    EXPECT_THAT(status.message(), HasSubstr("Nothing was deleted"));
    EXPECT_EQ(fs_.Paths(), before);
    EXPECT_TRUE(fs_.calls().empty()) << "verification must only read";
  }

  FakeClock clock_{absl::FromUnixSeconds(1768471200)};
  testing::TempDir dir_;
  std::unique_ptr<CatalogueStore> store_;
  testing::FaultInjectingFileSystem fs_;
  ArtifactStore artifacts_{fs_, kDir};
};

constexpr char kDomande2023[] = "integrazioni-salariali-domande-2023";

TEST_F(VerifyArtifactsTest, AWholeArchivePasses) {
  EXPECT_TRUE(VerifyArtifacts(*store_, artifacts_).ok());  // nothing published yet
  Publish("r1");
  Publish("r2", {{kDomande2023, "rettifica"}});
  EXPECT_TRUE(VerifyArtifacts(*store_, artifacts_).ok());
}

TEST_F(VerifyArtifactsTest, AMissingFileOfAnyReleaseIsRefused) {
  Publish("r1");
  Publish("r2", {{kDomande2023, "rettifica"}});
  // Only r1 has this file: r2 changed the dataset.
  const std::string path = PathOf(kDomande2023, v1::FORMAT_XML, "r1");
  ASSERT_NE(path, PathOf(kDomande2023, v1::FORMAT_XML, "r2"));
  ASSERT_TRUE(fs_.Remove(path).ok());
  ExpectRefused(absl::StrCat("release r1, dataset ", kDomande2023, ": ", path, " is missing"));
}

TEST_F(VerifyArtifactsTest, AFileOfTheCurrentReleaseWithOtherBytesIsRefused) {
  Publish("r1");
  const std::string path = PathOf(kDomande2023, v1::FORMAT_CSV);
  std::string bytes = *fs_.Visible(path);
  bytes[0] ^= 1;  // same size, different content
  Overwrite(path, bytes);
  ExpectRefused(absl::StrCat(path, " has sha256 ", Sha256Hex(bytes)));
}

TEST_F(VerifyArtifactsTest, AnOlderReleasesFileIsCheckedBySize) {
  Publish("r1");
  Publish("r2", {{kDomande2023, "rettifica"}});
  const std::string path = PathOf(kDomande2023, v1::FORMAT_CSV, "r1");
  Overwrite(path, *fs_.Visible(path) + "extra");
  ExpectRefused(absl::StrCat(path, " has "));
}

}  // namespace
}  // namespace omnia::catalogue

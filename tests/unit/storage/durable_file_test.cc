// State files are written temp → fsync(file) → rename → fsync(directory): a failure or a power
// cut at any step leaves the old content or the whole new one, never a torn or empty file, and
// a write reported done survives a power cut.
#include "libs/storage/durable_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/child_process.h"
#include "tests/support/fault_injecting_file_system.h"

namespace omnia::storage {
namespace {

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::Optional;

constexpr char kPath[] = "data/CURRENT";
constexpr char kOld[] = "cube-1";
constexpr char kNew[] = "cube-2 with a longer name";

TEST(DurableFileTest, WritesTempSyncsRenamesThenSyncsTheDirectory) {
  testing::FaultInjectingFileSystem fs;
  fs.PutDurableFile(kPath, kOld);
  ASSERT_TRUE(WriteFileDurably(fs, kPath, kNew).ok());
  EXPECT_THAT(fs.calls(), ElementsAre("create data/CURRENT.tmp", "append data/CURRENT.tmp",
                                      "sync data/CURRENT.tmp", "close data/CURRENT.tmp",
                                      "rename data/CURRENT.tmp data/CURRENT", "syncdir data"));
  EXPECT_THAT(fs.Visible(kPath), Optional(Eq(kNew)));
  // Reported done: a power cut now keeps the new content.
  fs.Crash();
  EXPECT_THAT(fs.Visible(kPath), Optional(Eq(kNew)));
}

TEST(DurableFileTest, AFailureOrPowerCutAtEveryStepLeavesTheOldOrTheNewContent) {
  testing::FaultInjectingFileSystem probe;
  probe.PutDurableFile(kPath, kOld);
  ASSERT_TRUE(WriteFileDurably(probe, kPath, kNew).ok());
  const size_t steps = probe.calls().size();

  for (size_t step = 0; step < steps; ++step) {
    SCOPED_TRACE(probe.calls()[step]);
    testing::FaultInjectingFileSystem fs;
    fs.PutDurableFile(kPath, kOld);
    fs.FailCall(step);
    const absl::Status status = WriteFileDurably(fs, kPath, kNew);
    EXPECT_FALSE(status.ok());
    // Readers right after the failure, and after a power cut that follows it; nothing but the
    // target is left behind once the writer has given up.
    EXPECT_THAT(fs.Visible(kPath), Optional(AnyOf(Eq(kOld), Eq(kNew))));
    EXPECT_THAT(fs.Paths(), ElementsAre(kPath));
    fs.Crash();
    EXPECT_THAT(fs.Visible(kPath), Optional(AnyOf(Eq(kOld), Eq(kNew))));
  }
}

TEST(DurableFileTest, AStreamedFileIsCommittedUnderItsFinalNameOrNotAtAll) {
  testing::FaultInjectingFileSystem fs;
  {
    absl::StatusOr<std::unique_ptr<DurableFileWriter>> writer =
        DurableFileWriter::Create(fs, "artifacts/.partial");
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append("abc").ok());
    ASSERT_TRUE((*writer)->Append("def").ok());
    ASSERT_TRUE((*writer)->Commit("artifacts/0123.csv").ok());
  }
  {
    // Abandoned before Commit: the temporary file goes, no final name appears.
    absl::StatusOr<std::unique_ptr<DurableFileWriter>> writer =
        DurableFileWriter::Create(fs, "artifacts/.partial");
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append("ghi").ok());
  }
  EXPECT_THAT(fs.Paths(), ElementsAre("artifacts/0123.csv"));
  fs.Crash();
  EXPECT_THAT(fs.Visible("artifacts/0123.csv"), Optional(Eq("abcdef")));
}

TEST(DurableFileTest, TheFinalNameMustBeInTheTemporaryFilesDirectory) {
  testing::FaultInjectingFileSystem fs;
  absl::StatusOr<std::unique_ptr<DurableFileWriter>> writer =
      DurableFileWriter::Create(fs, "a/.partial");
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ((*writer)->Commit("b/file").code(), absl::StatusCode::kInvalidArgument);
}

TEST(DurableFileTest, WorksOnTheRealFileSystem) {
  testing::TempDir dir;
  PosixFileSystem fs;
  const std::string path = dir.path() + "/CURRENT";
  ASSERT_TRUE(WriteFileDurably(fs, path, kOld).ok());
  ASSERT_TRUE(WriteFileDurably(fs, path, kNew).ok());
  EXPECT_EQ(ReadWholeFile(fs, path).value_or("?"), kNew);
  EXPECT_EQ(fs.FileSize(path).value_or(0), sizeof(kNew) - 1);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_EQ(fs.FileSize(dir.path() + "/missing").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace omnia::storage

// The cube data directory at start-up: CURRENT names the live cube and every release record has
// its checkpoint. A directory where that does not hold (a pointer to nothing, a lost CURRENT
// beside several cubes) is refused with a message saying what is wrong, and nothing in it is
// created, changed or deleted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "libs/cube/engine.h"
#include "tests/support/child_process.h"

namespace omnia::cube {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// Every path under `dir` with its size: what "nothing changed" is checked against.
std::set<std::pair<std::string, uintmax_t>> Listing(const std::string& dir) {
  std::set<std::pair<std::string, uintmax_t>> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    out.emplace(entry.path().string(), entry.is_regular_file() ? entry.file_size() : 0);
  }
  return out;
}

class EngineStartupTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::unique_ptr<CubeEngine>> Open() {
    return CubeEngine::Open(dir_.path(), codelists_, clock_);
  }

  // A directory as a running service leaves it: data applied, one release, one rebuild done.
  void Populate() {
    absl::StatusOr<std::unique_ptr<CubeEngine>> engine = Open();
    ASSERT_TRUE(engine.ok()) << engine.status();
    FactBatch batch;
    batch.producer = "p";
    batch.sequence = 1;
    batch.applications.push_back({domain::YearMonth{2023, 3}, 1, 1});
    ASSERT_TRUE((*engine)->Apply(batch).ok());
    ASSERT_TRUE((*engine)->Freeze("r1", "first").ok());
    absl::StatusOr<std::unique_ptr<RebuildSession>> rebuild = (*engine)->BeginRebuild();
    ASSERT_TRUE(rebuild.ok());
    ASSERT_TRUE((*rebuild)->Apply(batch).ok());
    ASSERT_TRUE((*rebuild)->Commit().ok());
  }

  void ExpectRefusedUnchanged(const std::string& message) {
    const auto before = Listing(dir_.path());
    absl::StatusOr<std::unique_ptr<CubeEngine>> engine = Open();
    ASSERT_FALSE(engine.ok());
    EXPECT_EQ(engine.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(engine.status().message(), HasSubstr(message));
    EXPECT_THAT(engine.status().message(), HasSubstr("nothing was deleted"));
    EXPECT_EQ(Listing(dir_.path()), before);
  }

  SystemClock clock_;
  domain::Codelists codelists_ = domain::Codelists::Builtin();
  testing::TempDir dir_;
};

TEST_F(EngineStartupTest, AConsistentDirectoryReopensWithItsData) {
  Populate();
  EXPECT_EQ(ReadText(fs::path(dir_.path()) / "CURRENT"), "cube-2");
  absl::StatusOr<std::unique_ptr<CubeEngine>> engine = Open();
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_EQ((*engine)->LastSequence("p"), 1u);
  EXPECT_EQ((*engine)->ListReleases().size(), 1u);
}

TEST_F(EngineStartupTest, CurrentNamingAMissingCubeIsRefused) {
  Populate();
  // Before, the engine created an empty cube under the missing name and deleted the real one.
  WriteText(fs::path(dir_.path()) / "CURRENT", "cube-7");
  ExpectRefusedUnchanged("CURRENT names cube-7, which does not exist");
  EXPECT_TRUE(fs::exists(fs::path(dir_.path()) / "cube-2"));
}

TEST_F(EngineStartupTest, CurrentHoldingGarbageIsRefused) {
  Populate();
  WriteText(fs::path(dir_.path()) / "CURRENT", "");
  ExpectRefusedUnchanged("not the name of a cube directory");
  WriteText(fs::path(dir_.path()) / "CURRENT", "../elsewhere");
  ExpectRefusedUnchanged("not the name of a cube directory");
}

TEST_F(EngineStartupTest, ALostCurrentBesideALaterCubeIsRefused) {
  Populate();
  fs::remove(fs::path(dir_.path()) / "CURRENT");
  // Before, the engine wrote CURRENT = cube-1 and deleted cube-2, the live cube.
  ExpectRefusedUnchanged("CURRENT is missing but cube-2 exists");
}

TEST_F(EngineStartupTest, AReleaseRecordWithoutItsCheckpointIsRefused) {
  Populate();
  fs::remove_all(fs::path(dir_.path()) / "releases" / "r1");
  ExpectRefusedUnchanged("has no checkpoint directory");
}

TEST_F(EngineStartupTest, AFirstStartInterruptedBeforeCurrentWasWrittenCompletes) {
  {
    absl::StatusOr<std::unique_ptr<CubeEngine>> engine = Open();
    ASSERT_TRUE(engine.ok()) << engine.status();
  }
  fs::remove(fs::path(dir_.path()) / "CURRENT");
  absl::StatusOr<std::unique_ptr<CubeEngine>> engine = Open();
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_EQ(ReadText(fs::path(dir_.path()) / "CURRENT"), "cube-1");
}

TEST_F(EngineStartupTest, TheLeftoverOfAnInterruptedRebuildIsRemoved) {
  Populate();
  fs::create_directories(fs::path(dir_.path()) / "cube-3");
  absl::StatusOr<std::unique_ptr<CubeEngine>> engine = Open();
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_FALSE(fs::exists(fs::path(dir_.path()) / "cube-3"));
  EXPECT_TRUE(fs::exists(fs::path(dir_.path()) / "cube-2"));
}

}  // namespace
}  // namespace omnia::cube

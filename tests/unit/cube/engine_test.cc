// The cube engine's releases: a release records exactly the applied sequences of the state it
// froze, even while batches keep arriving, so a reader of the release knows precisely which
// writes it contains.
#include "libs/cube/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/support/child_process.h"

namespace omnia::cube {
namespace {

constexpr char kProducer[] = "ingestion-test";

// Batch `sequence` adds one application in a base cell no other batch uses, so the number of
// base cells of a state is the number of batches it holds.
FactBatch OneNewCell(uint64_t sequence) {
  const int n = static_cast<int>(sequence - 1);
  FactBatch batch;
  batch.producer = kProducer;
  batch.sequence = sequence;
  batch.applications.push_back({domain::YearMonth{2023, 1 + n % 12}, (n / 12) % 20, n / 240});
  return batch;
}

uint64_t BaseCells(const CubeStats& stats) {
  uint64_t cells = 0;
  for (const auto& [level, counts] : stats.levels) {
    if (level.period_level == domain::PeriodLevel::kMonth &&
        level.region_level == RegionLevel::kRegion && level.type_level == TypeLevel::kType) {
      cells += counts.micro_data_cells;
    }
  }
  return cells;
}

TEST(CubeEngineTest, AReleaseRecordsTheSequencesOfExactlyTheStateItFroze) {
  const domain::Codelists codelists = domain::Codelists::Builtin();
  SystemClock clock;
  testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<CubeEngine>> engine =
      CubeEngine::Open(dir.path(), codelists, clock);
  ASSERT_TRUE(engine.ok()) << engine.status();

  constexpr uint64_t kBatches = 1000;  // 12 months x 20 regions x 6 types hold 1440 cells
  std::atomic<uint64_t> applied{0};
  std::thread writer([&] {
    for (uint64_t sequence = 1; sequence <= kBatches; ++sequence) {
      absl::StatusOr<ApplyOutcome> outcome = (*engine)->Apply(OneNewCell(sequence));
      ASSERT_TRUE(outcome.ok()) << outcome.status();
      applied = sequence;
    }
  });
  int frozen = 0;
  while (applied < kBatches && frozen < 20) {
    if (applied == 0) continue;
    const std::string id = absl::StrCat("r", frozen++);
    absl::StatusOr<std::pair<ReleaseInfo, bool>> release = (*engine)->Freeze(id, "");
    ASSERT_TRUE(release.ok()) << release.status();
    absl::StatusOr<CubeStats> content = (*engine)->Stats(id);
    ASSERT_TRUE(content.ok()) << content.status();
    EXPECT_EQ(release->first.applied_sequences.at(kProducer), BaseCells(*content)) << id;
  }
  writer.join();
  EXPECT_GT(frozen, 0);
}

}  // namespace
}  // namespace omnia::cube

// The engine keeps frozen releases in memory within a bound on bytes: querying many releases
// evicts the least recently queried, an evicted release answers exactly as before when it is read
// again, a release larger than the bound is still served, and concurrent queries of a release
// that is not in memory read it from disk once.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <map>
#include <thread>
#include <tuple>
#include <vector>

#include "libs/cube/engine.h"
#include "tests/support/child_process.h"

namespace omnia::cube {
namespace {

using domain::Measure;
using domain::YearMonth;

constexpr char kProducer[] = "ingestion-test";
const std::vector<std::string> kReleases = {"A", "B", "C"};

// A query answer in comparable form: (packed cell key, value, provenance) per cell.
using Answer = std::vector<std::tuple<uint64_t, uint64_t, Provenance>>;

// Batch `sequence` adds `sequence` times more facts than batch 1, with workers of its own, so
// each release (frozen after one more batch) holds more cells and larger worker sets than the one
// before.
FactBatch Batch(uint64_t sequence) {
  FactBatch batch;
  batch.producer = kProducer;
  batch.sequence = sequence;
  const int facts = 300 * static_cast<int>(sequence);
  for (int i = 0; i < facts; ++i) {
    const YearMonth month{2022 + i % 3, 1 + (i * 7) % 12};
    const int region = (i * 5 + static_cast<int>(sequence)) % 20;
    const int type = i % 6;
    batch.applications.push_back({month, region, type});
    PaymentFact payment{month, region, type, Pseudonym{}, static_cast<uint64_t>(1 + i % 4)};
    const uint64_t worker = sequence * 1'000'000 + static_cast<uint64_t>(i);
    std::memcpy(payment.worker.data(), &worker, sizeof(worker));
    batch.payments.push_back(payment);
  }
  return batch;
}

CubeQuery EveryCell(const domain::Codelists& codelists) {
  CubeQuery query;
  query.measures = {domain::kAllMeasures.begin(), domain::kAllMeasures.end()};
  query.from = {2020, 1};
  query.to = {2025, 12};
  query.regions = AllRegions(codelists);
  query.types = AllTypes(codelists);
  return query;
}

class ReleaseCacheTest : public ::testing::Test {
 protected:
  // Freezes release A after batch 1, B after batch 2, C after batch 3, then records each
  // release's answer and its bytes in the cache, read with an unbounded cache.
  void SetUp() override {
    {
      std::unique_ptr<CubeEngine> engine = OpenEngine(std::numeric_limits<size_t>::max());
      for (uint64_t sequence = 1; sequence <= kReleases.size(); ++sequence) {
        ASSERT_TRUE(engine->Apply(Batch(sequence)).ok());
        ASSERT_TRUE(engine->Freeze(kReleases[sequence - 1], "").ok());
      }
      for (const std::string& id : kReleases) {
        const size_t before = engine->ReleaseCache().bytes;
        expected_[id] = AnswerOf(*engine, id);
        bytes_[id] = engine->ReleaseCache().bytes - before;
      }
    }
    ASSERT_LT(bytes_["A"], bytes_["B"]);
    ASSERT_LT(bytes_["B"], bytes_["C"]);
  }

  std::unique_ptr<CubeEngine> OpenEngine(size_t release_cache_bytes) {
    CubeEngineOptions options;
    options.release_cache_bytes = release_cache_bytes;
    absl::StatusOr<std::unique_ptr<CubeEngine>> engine =
        CubeEngine::Open(dir_.path(), codelists_, clock_, options);
    EXPECT_TRUE(engine.ok()) << engine.status();
    return engine.ok() ? *std::move(engine) : nullptr;
  }

  Answer AnswerOf(CubeEngine& engine, const std::string& release_id) {
    absl::StatusOr<std::vector<QueryCell>> cells = engine.Query(EveryCell(codelists_), release_id);
    EXPECT_TRUE(cells.ok()) << cells.status();
    Answer answer;
    if (!cells.ok()) return answer;
    for (const QueryCell& cell : *cells) {
      answer.emplace_back(PackCellKey(cell.key), cell.value, cell.provenance);
    }
    return answer;
  }

  // Queries `release_id` and checks its answer is exactly the one recorded before any eviction.
  void ExpectExactAnswer(CubeEngine& engine, const std::string& release_id) {
    EXPECT_EQ(AnswerOf(engine, release_id), expected_[release_id]) << "release " << release_id;
  }

  const domain::Codelists codelists_ = domain::Codelists::Builtin();
  SystemClock clock_;
  testing::TempDir dir_;
  std::map<std::string, Answer> expected_;
  std::map<std::string, size_t> bytes_;
};

TEST_F(ReleaseCacheTest, TheRecordedAnswersAreTheReleasesContent) {
  // Release A holds batch 1 only: its APPLICATIONS cells add up to batch 1's 300 applications.
  uint64_t applications = 0;
  for (const auto& [packed, value, provenance] : expected_["A"]) {
    if (UnpackCellKey(packed).measure == Measure::kApplications) applications += value;
  }
  EXPECT_EQ(applications, 300u);
  EXPECT_NE(expected_["A"], expected_["B"]);
  EXPECT_NE(expected_["B"], expected_["C"]);
}

TEST_F(ReleaseCacheTest, QueryingManyReleasesEvictsTheLeastRecentlyQueried) {
  // Any two releases fit, the three do not.
  const size_t bound = bytes_["B"] + bytes_["C"];
  std::unique_ptr<CubeEngine> engine = OpenEngine(bound);
  ASSERT_NE(engine, nullptr);
  struct Step {
    std::string release;
    uint64_t loads_after;  // releases read from disk so far
    std::string why;
  };
  const std::vector<Step> steps = {
      {"A", 1, "A read from disk"},
      {"B", 2, "B read from disk"},
      {"A", 2, "A answered from memory, now more recent than B"},
      {"C", 3, "C read from disk, evicting B"},
      {"A", 3, "A, though read first, was queried more recently than B and stayed"},
      {"B", 4, "B read again after its eviction, evicting C"},
      {"A", 4, "A still in memory"},
      {"C", 5, "C read again after its eviction, evicting B"},
  };
  for (const Step& step : steps) {
    ExpectExactAnswer(*engine, step.release);
    const CubeEngine::ReleaseCacheStats cache = engine->ReleaseCache();
    EXPECT_EQ(cache.loads, step.loads_after) << step.why;
    EXPECT_LE(cache.bytes, bound) << step.why;
    EXPECT_EQ(cache.releases, std::min<size_t>(step.loads_after, 2)) << step.why;
  }
  EXPECT_EQ(engine->ReleaseCache().bytes, bytes_["A"] + bytes_["C"]);
  // Statistics of a release go through the same bounded cache.
  absl::StatusOr<CubeStats> stats = engine->Stats("B");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(engine->ReleaseCache().loads, 6u) << "B read again for its statistics";
}

TEST_F(ReleaseCacheTest, AReleaseLargerThanTheBoundIsServedAndKeptAlone) {
  std::unique_ptr<CubeEngine> engine = OpenEngine(1);
  ASSERT_NE(engine, nullptr);
  ExpectExactAnswer(*engine, "C");
  ExpectExactAnswer(*engine, "C");  // every page of a paged query reads the release again
  CubeEngine::ReleaseCacheStats cache = engine->ReleaseCache();
  EXPECT_EQ(cache.loads, 1u) << "the oversized release stays in memory while it is queried";
  EXPECT_EQ(cache.releases, 1u);
  EXPECT_EQ(cache.bytes, bytes_["C"]);

  ExpectExactAnswer(*engine, "A");
  cache = engine->ReleaseCache();
  EXPECT_EQ(cache.loads, 2u);
  EXPECT_EQ(cache.releases, 1u) << "the next release queried replaces it";
  EXPECT_EQ(cache.bytes, bytes_["A"]);
  ExpectExactAnswer(*engine, "C");
  EXPECT_EQ(engine->ReleaseCache().loads, 3u);
}

TEST_F(ReleaseCacheTest, ConcurrentQueriesOfAReleaseNotInMemoryReadItOnce) {
  std::unique_ptr<CubeEngine> engine = OpenEngine(bytes_["C"]);
  ASSERT_NE(engine, nullptr);
  ExpectExactAnswer(*engine, "C");
  ExpectExactAnswer(*engine, "B");  // evicts C
  ASSERT_EQ(engine->ReleaseCache().loads, 2u);

  constexpr int kQueries = 8;
  std::atomic<int> ready{0};
  std::vector<std::thread> queries;
  for (int i = 0; i < kQueries; ++i) {
    queries.emplace_back([&] {
      ++ready;
      while (ready < kQueries) std::this_thread::yield();
      ExpectExactAnswer(*engine, "C");
    });
  }
  for (std::thread& query : queries) query.join();
  EXPECT_EQ(engine->ReleaseCache().loads, 3u);
}

TEST_F(ReleaseCacheTest, AnUnknownReleaseIsNotFoundAndNotCached) {
  std::unique_ptr<CubeEngine> engine = OpenEngine(bytes_["C"]);
  ASSERT_NE(engine, nullptr);
  for (int attempt = 0; attempt < 2; ++attempt) {
    absl::StatusOr<std::vector<QueryCell>> cells = engine->Query(EveryCell(codelists_), "Z");
    EXPECT_EQ(cells.status().code(), absl::StatusCode::kNotFound);
  }
  EXPECT_EQ(engine->ReleaseCache().releases, 0u);
  EXPECT_EQ(engine->ReleaseCache().bytes, 0u);
}

}  // namespace
}  // namespace omnia::cube

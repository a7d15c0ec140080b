// Paged queries: a page is computed from its position on, at a cost that follows the page's size
// and not the whole result, and the pages of a query put together are exactly its result.
#include "libs/cube/query.h"

#include <gtest/gtest.h>

#include <memory>
#include <tuple>
#include <vector>

#include "libs/cube/cube_store.h"
#include "libs/storage/rocksdb_store.h"
#include "tests/support/child_process.h"

namespace omnia::cube {
namespace {

using domain::Measure;
using domain::PeriodLevel;

auto Tie(const QueryCell& c) {
  return std::make_tuple(
      static_cast<int>(c.key.measure), static_cast<int>(c.key.period.level), c.key.period.year,
      c.key.period.index, static_cast<int>(c.key.region_level), c.key.region,
      static_cast<int>(c.key.type_level), c.key.type, c.value, static_cast<int>(c.provenance));
}

class QueryPagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto kv = storage::OpenRocksDb(dir_.path() + "/cube", CubeStore::Columns());
    ASSERT_TRUE(kv.ok()) << kv.status();
    auto store = CubeStore::Open(std::move(*kv), codelists_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    // Sparse data: applications in a few months of 2021 and 2023 only.
    FactBatch batch;
    batch.producer = "p";
    batch.sequence = 1;
    for (int i = 0; i < 400; ++i) {
      batch.applications.push_back(
          {domain::YearMonth{i % 2 == 0 ? 2021 : 2023, 1 + (i * 7) % 12}, (i * 5) % 20, i % 6});
    }
    ASSERT_TRUE(store_->Apply(batch).ok());
  }

  CubeQuery Query(bool dense) const {
    CubeQuery q;
    q.measures = {Measure::kApplications, Measure::kBenefitMonths};
    q.from = {2020, 1};
    q.to = {2025, 12};
    q.period_level = PeriodLevel::kMonth;
    q.region_level = RegionLevel::kRegion;
    q.type_level = TypeLevel::kType;
    q.regions = AllRegions(codelists_);
    q.types = AllTypes(codelists_);
    q.dense = dense;
    return q;
  }

  // Every page of `query` in turn; fails the test if a page costs more than its bound.
  std::vector<QueryCell> AllPages(const CubeQuery& query, size_t page_size) {
    std::vector<QueryCell> cells;
    uint64_t position = 0;
    for (int pages = 0; pages < 1000000; ++pages) {
      absl::StatusOr<QueryPage> page = store_->QueryOnePage(query, position, page_size);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      EXPECT_LE(page->cells.size(), page_size);
      EXPECT_LE(page->groups_visited, page_size * kGroupsPerPageCell);
      cells.insert(cells.end(), page->cells.begin(), page->cells.end());
      if (!page->next_position.has_value()) break;
      EXPECT_GT(*page->next_position, position);
      position = *page->next_position;
    }
    return cells;
  }

  void ExpectPagesEqualWhole(const CubeQuery& query, size_t page_size) {
    absl::StatusOr<std::vector<QueryCell>> whole = store_->Query(query);
    ASSERT_TRUE(whole.ok()) << whole.status();
    const std::vector<QueryCell> paged = AllPages(query, page_size);
    ASSERT_EQ(paged.size(), whole->size()) << "page size " << page_size;
    for (size_t i = 0; i < paged.size(); ++i) {
      ASSERT_EQ(Tie(paged[i]), Tie((*whole)[i])) << "cell " << i << ", page size " << page_size;
    }
  }

  domain::Codelists codelists_ = domain::Codelists::Builtin();
  testing::TempDir dir_;
  std::unique_ptr<CubeStore> store_;
};

TEST_F(QueryPagingTest, PagesPutTogetherAreTheWholeResult) {
  for (const bool dense : {false, true}) {
    SCOPED_TRACE(dense ? "dense" : "sparse");
    for (const size_t page_size : {1, 7, 100, 1000, 10000}) {
      ExpectPagesEqualWhole(Query(dense), page_size);
    }
  }
}

TEST_F(QueryPagingTest, PagesPutTogetherAreTheWholeResultAtCoarserLevels) {
  CubeQuery query = Query(false);
  query.period_level = PeriodLevel::kQuarter;
  query.region_level = RegionLevel::kMacroArea;
  query.type_level = TypeLevel::kFamily;
  ExpectPagesEqualWhole(query, 3);
  query.dense = true;
  ExpectPagesEqualWhole(query, 5);
}

TEST_F(QueryPagingTest, ALatePageCostsNoMoreThanTheFirst) {
  const CubeQuery query = Query(true);
  absl::StatusOr<std::vector<QueryCell>> whole = store_->Query(query);
  ASSERT_TRUE(whole.ok());
  // Dense: one cell per group, so a page of 10 looks at 10 groups, plus one to know that more
  // follow, wherever it starts; the whole result is thousands of groups.
  ASSERT_GT(whole->size(), 10000u);
  for (const uint64_t start : {uint64_t{0}, uint64_t{5000}, uint64_t{whole->size() - 20}}) {
    absl::StatusOr<QueryPage> page = store_->QueryOnePage(query, start, 10);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_EQ(page->cells.size(), 10u);
    EXPECT_EQ(Tie(page->cells[0]), Tie((*whole)[start]));
    EXPECT_LE(page->groups_visited, 11u) << "page at " << start;
    EXPECT_EQ(page->next_position, start + 10);
  }
  absl::StatusOr<QueryPage> last = store_->QueryOnePage(query, whole->size() - 5, 10);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->cells.size(), 5u);
  EXPECT_FALSE(last->next_position.has_value());
}

TEST_F(QueryPagingTest, ASparsePageLooksAtABoundedNumberOfGroups) {
  const CubeQuery query = Query(false);
  // 2020 holds nothing: the first page stops after its bound of groups with a position to
  // resume from, instead of scanning the whole year.
  absl::StatusOr<QueryPage> page = store_->QueryOnePage(query, 0, 2);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->groups_visited, 2 * kGroupsPerPageCell);
  EXPECT_TRUE(page->cells.empty());
  EXPECT_EQ(page->next_position, 2 * kGroupsPerPageCell);
}

TEST_F(QueryPagingTest, APositionPastTheEndIsRefused) {
  const CubeQuery query = Query(true);
  absl::StatusOr<std::vector<QueryCell>> whole = store_->Query(query);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(store_->QueryOnePage(query, whole->size() + 1, 10).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<QueryPage> at_end = store_->QueryOnePage(query, whole->size(), 10);
  ASSERT_TRUE(at_end.ok());
  EXPECT_TRUE(at_end->cells.empty());
  EXPECT_FALSE(at_end->next_position.has_value());
}

TEST_F(QueryPagingTest, WorkersOverPublishedCellsFailOnEveryPage) {
  std::vector<PublishedCell> cells;
  for (int region = 0; region < 20; ++region) cells.push_back({{2022, 3}, region, 0, 5});
  ASSERT_TRUE(store_->ReplacePublished("import", 1, Measure::kWorkers, {2022}, cells).ok());
  CubeQuery query = Query(false);
  query.measures = {Measure::kApplications, Measure::kWorkers};
  query.region_level = RegionLevel::kItaly;
  EXPECT_EQ(store_->Query(query).status().code(), absl::StatusCode::kFailedPrecondition);
  // The first page holds only applications, yet fails like the whole query.
  EXPECT_EQ(store_->QueryOnePage(query, 0, 1).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // At base level every group is a single published cell: allowed.
  query.region_level = RegionLevel::kRegion;
  EXPECT_TRUE(store_->Query(query).ok());
  EXPECT_TRUE(store_->QueryOnePage(query, 0, 1).ok());
}

}  // namespace
}  // namespace omnia::cube

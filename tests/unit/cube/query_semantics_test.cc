// RunQuery and RunQueryPage on a small cube whose every cell is known: group-by levels, region
// and type filters (including those that cut a precomputed rollup), period ranges, dense results,
// exact distinct workers, and the published layer replacing micro-data year by year.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/cube/cube_store.h"
#include "libs/cube/query.h"
#include "libs/storage/memory_store.h"

namespace omnia::cube {
namespace {

using domain::Measure;
using domain::PeriodLevel;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Dense indexes of the built-in codelists used below.
constexpr int kPiemonte = 0;
constexpr int kLombardia = 2;
constexpr int kLazio = 11;
constexpr int kCigo = 0;
constexpr int kCigs = 1;
constexpr int kFis = 3;

Pseudonym Worker(char id) {
  Pseudonym worker;
  worker.fill(id);
  return worker;
}

// "period region type = value", with the period as year, year-Qn or year-mm, and a trailing *
// for a published cell.
std::string Describe(const QueryCell& cell) {
  const domain::PeriodKey& p = cell.key.period;
  std::string period = absl::StrCat(p.year);
  if (p.level == PeriodLevel::kQuarter) absl::StrAppend(&period, "-Q", p.index);
  if (p.level == PeriodLevel::kMonth)
    absl::StrAppend(&period, "-", p.index < 10 ? "0" : "", p.index);
  return absl::StrCat(period, " ", cell.key.region, " ", cell.key.type, " = ", cell.value,
                      cell.provenance == Provenance::kPublished ? "*" : "");
}

class QuerySemanticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = CubeStore::Open(storage::NewMemoryKvStore(CubeStore::Columns()), codelists_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    FactBatch batch;
    batch.producer = "test";
    batch.sequence = 1;
    const auto applications = [&](domain::YearMonth month, int region, int type, int n) {
      for (int i = 0; i < n; ++i) batch.applications.push_back({month, region, type});
    };
    applications({2022, 12}, kPiemonte, kCigo, 1);
    applications({2023, 1}, kPiemonte, kCigo, 3);
    applications({2023, 2}, kLombardia, kCigs, 2);
    applications({2023, 4}, kLazio, kFis, 5);
    // Worker A is paid twice in 2023 (in two regions and types), worker B once.
    batch.payments.push_back({{2023, 1}, kPiemonte, kCigo, Worker('A'), 2});
    batch.payments.push_back({{2023, 2}, kLombardia, kCigs, Worker('A'), 1});
    batch.payments.push_back({{2023, 2}, kLombardia, kCigs, Worker('B'), 4});
    ASSERT_TRUE(store_->Apply(batch).ok());
    LoadState();
  }

  void LoadState() {
    absl::StatusOr<CubeState> state = CubeStore::LoadState(store_->kv(), codelists_);
    ASSERT_TRUE(state.ok()) << state.status();
    state_ = std::move(*state);
  }

  CubeQuery Query(Measure measure, PeriodLevel period, RegionLevel region, TypeLevel type) const {
    CubeQuery q;
    q.measures = {measure};
    q.from = {2022, 1};
    q.to = {2023, 12};
    q.period_level = period;
    q.region_level = region;
    q.type_level = type;
    q.regions = AllRegions(codelists_);
    q.types = AllTypes(codelists_);
    return q;
  }

  std::vector<std::string> Run(const CubeQuery& query) {
    absl::StatusOr<std::vector<QueryCell>> cells = RunQuery(state_, codelists_, query);
    EXPECT_TRUE(cells.ok()) << cells.status();
    std::vector<std::string> described;
    if (cells.ok()) {
      for (const QueryCell& cell : *cells) described.push_back(Describe(cell));
    }
    return described;
  }

  const domain::Codelists codelists_ = domain::Codelists::Builtin();
  std::unique_ptr<CubeStore> store_;
  CubeState state_;
};

TEST_F(QuerySemanticsTest, BaseCellsComeBackInPeriodRegionTypeOrder) {
  EXPECT_THAT(
      Run(Query(Measure::kApplications, PeriodLevel::kMonth, RegionLevel::kRegion,
                TypeLevel::kType)),
      ElementsAre("2022-12 0 0 = 1", "2023-01 0 0 = 3", "2023-02 2 1 = 2", "2023-04 11 3 = 5"));
}

TEST_F(QuerySemanticsTest, CoarserLevelsSumTheirParts) {
  EXPECT_THAT(
      Run(Query(Measure::kApplications, PeriodLevel::kYear, RegionLevel::kItaly, TypeLevel::kAll)),
      ElementsAre("2022 0 0 = 1", "2023 0 0 = 10"));
  // Quarters by macro-area (0 Nord-Ovest, 2 Centro) and family (0 CIG, 1 Fondi).
  CubeQuery q = Query(Measure::kApplications, PeriodLevel::kQuarter, RegionLevel::kMacroArea,
                      TypeLevel::kFamily);
  q.from = {2023, 1};
  EXPECT_THAT(Run(q), ElementsAre("2023-Q1 0 0 = 5", "2023-Q2 2 1 = 5"));
}

TEST_F(QuerySemanticsTest, FiltersKeepOnlyTheNamedRegionsAndTypes) {
  CubeQuery q =
      Query(Measure::kApplications, PeriodLevel::kYear, RegionLevel::kItaly, TypeLevel::kAll);
  absl::StatusOr<IndexSet> lombardia_and_centre =
      ResolveRegionFilter(codelists_, {"LOMBARDIA", "CENTRO"});
  ASSERT_TRUE(lombardia_and_centre.ok());
  q.regions = *lombardia_and_centre;
  EXPECT_THAT(Run(q), ElementsAre("2023 0 0 = 7"));  // Lombardia 2 + Lazio 5; Piemonte cut

  absl::StatusOr<IndexSet> cig = ResolveTypeFilter(codelists_, {"CIG"});
  ASSERT_TRUE(cig.ok());
  q.regions = AllRegions(codelists_);
  q.types = *cig;
  EXPECT_THAT(Run(q), ElementsAre("2022 0 0 = 1", "2023 0 0 = 5"));  // FIS is in FONDI

  EXPECT_EQ(ResolveRegionFilter(codelists_, {"ATLANTIDE"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveTypeFilter(codelists_, {"NOPE"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(QuerySemanticsTest, APeriodRangeCutsTheYearItStartsIn) {
  CubeQuery q =
      Query(Measure::kApplications, PeriodLevel::kYear, RegionLevel::kItaly, TypeLevel::kAll);
  q.from = {2023, 2};
  q.to = {2023, 3};
  EXPECT_THAT(Run(q), ElementsAre("2023 0 0 = 2"));
}

TEST_F(QuerySemanticsTest, WorkersAreCountedOnceAcrossTheCellsTheyAppearIn) {
  EXPECT_THAT(
      Run(Query(Measure::kWorkers, PeriodLevel::kYear, RegionLevel::kItaly, TypeLevel::kAll)),
      ElementsAre("2023 0 0 = 2"));
  EXPECT_THAT(
      Run(Query(Measure::kWorkers, PeriodLevel::kMonth, RegionLevel::kRegion, TypeLevel::kType)),
      ElementsAre("2023-01 0 0 = 1", "2023-02 2 1 = 2"));
  EXPECT_THAT(
      Run(Query(Measure::kBenefitMonths, PeriodLevel::kYear, RegionLevel::kItaly, TypeLevel::kAll)),
      ElementsAre("2023 0 0 = 7"));
}

TEST_F(QuerySemanticsTest, ADenseQueryAlsoReturnsTheEmptyGroupsAsZero) {
  CubeQuery q =
      Query(Measure::kApplications, PeriodLevel::kQuarter, RegionLevel::kItaly, TypeLevel::kAll);
  q.from = {2023, 1};
  q.dense = true;
  EXPECT_THAT(Run(q), ElementsAre("2023-Q1 0 0 = 5", "2023-Q2 0 0 = 5", "2023-Q3 0 0 = 0",
                                  "2023-Q4 0 0 = 0"));
  q.dense = false;
  EXPECT_THAT(Run(q), ElementsAre("2023-Q1 0 0 = 5", "2023-Q2 0 0 = 5"));
}

TEST_F(QuerySemanticsTest, APublishedYearIsAnsweredFromThePublishedLayerOnly) {
  ASSERT_TRUE(
      store_
          ->ReplacePublished("test", 2, Measure::kApplications, {2023},
                             {{{2023, 1}, kPiemonte, kCigo, 100}, {{2023, 6}, kLazio, kFis, 7}})
          .ok());
  LoadState();
  EXPECT_THAT(
      Run(Query(Measure::kApplications, PeriodLevel::kYear, RegionLevel::kItaly, TypeLevel::kAll)),
      ElementsAre("2022 0 0 = 1", "2023 0 0 = 107*"));
  // Other measures of the same year still come from micro-data.
  EXPECT_THAT(
      Run(Query(Measure::kBenefitMonths, PeriodLevel::kYear, RegionLevel::kItaly, TypeLevel::kAll)),
      ElementsAre("2023 0 0 = 7"));
}

TEST_F(QuerySemanticsTest, PublishedWorkersCannotBeSummedAcrossCells) {
  ASSERT_TRUE(
      store_
          ->ReplacePublished("test", 2, Measure::kWorkers, {2023},
                             {{{2023, 1}, kPiemonte, kCigo, 10}, {{2023, 2}, kLazio, kFis, 20}})
          .ok());
  LoadState();
  // A base cell is the published figure itself.
  EXPECT_THAT(
      Run(Query(Measure::kWorkers, PeriodLevel::kMonth, RegionLevel::kRegion, TypeLevel::kType)),
      ElementsAre("2023-01 0 0 = 10*", "2023-02 11 3 = 20*"));
  // A group over both would count a worker paid in both twice.
  EXPECT_EQ(
      RunQuery(state_, codelists_,
               Query(Measure::kWorkers, PeriodLevel::kYear, RegionLevel::kItaly, TypeLevel::kAll))
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST_F(QuerySemanticsTest, PagesOfOneCellWalkTheWholeResult) {
  const CubeQuery q =
      Query(Measure::kApplications, PeriodLevel::kMonth, RegionLevel::kRegion, TypeLevel::kType);
  std::vector<std::string> paged;
  uint64_t position = 0;
  for (int pages = 0; pages < 1000; ++pages) {
    absl::StatusOr<QueryPage> page = RunQueryPage(state_, codelists_, q, position, 1);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->cells.size(), 1u);
    EXPECT_LE(page->groups_visited, kGroupsPerPageCell);
    for (const QueryCell& cell : page->cells) paged.push_back(Describe(cell));
    if (!page->next_position.has_value()) break;
    position = *page->next_position;
  }
  EXPECT_EQ(paged, Run(q));
}

TEST_F(QuerySemanticsTest, APageMustAskForCellsWithinTheResult) {
  const CubeQuery q =
      Query(Measure::kApplications, PeriodLevel::kYear, RegionLevel::kItaly, TypeLevel::kAll);
  absl::StatusOr<QueryPage> all = RunQueryPage(state_, codelists_, q, 0, 100);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->cells.size(), 2u);
  EXPECT_EQ(all->next_position, std::nullopt);
  EXPECT_EQ(RunQueryPage(state_, codelists_, q, 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunQueryPage(state_, codelists_, q, 1'000'000, 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(QuerySemanticsTest, AnEmptyCubeAnswersNothing) {
  state_ = CubeState();
  EXPECT_THAT(Run(Query(Measure::kApplications, PeriodLevel::kMonth, RegionLevel::kRegion,
                        TypeLevel::kType)),
              IsEmpty());
}

}  // namespace
}  // namespace omnia::cube

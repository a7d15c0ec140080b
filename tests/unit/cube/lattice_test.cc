#include "libs/cube/lattice.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "libs/cube/cell_value.h"
#include "libs/cube/cube_delta.h"
#include "libs/cube/cube_state.h"

namespace omnia::cube {
namespace {

using domain::Measure;
using domain::PeriodKey;
using domain::PeriodLevel;

TEST(LatticeTest, PackedKeysRoundTripThroughStorageBytes) {
  const CellKey key{Measure::kWorkers,       PeriodKey{PeriodLevel::kQuarter, 2023, 2},
                    RegionLevel::kMacroArea, 3,
                    TypeLevel::kFamily,      1};
  const uint64_t packed = PackCellKey(key);
  EXPECT_EQ(UnpackCellKey(packed), key);
  const std::string bytes = EncodeStorageKey(packed);
  ASSERT_EQ(bytes.size(), 6u);
  EXPECT_EQ(DecodeStorageKey(bytes).value(), packed);
  EXPECT_FALSE(DecodeStorageKey("short").ok());
}

TEST(LatticeTest, StorageKeysOfOneLevelSortByYearThenPeriod) {
  auto key = [](int year, int month) {
    return EncodeStorageKey(
        PackCellKey(BaseCell(Measure::kApplications, domain::YearMonth{year, month}, 0, 0)));
  };
  EXPECT_LT(key(2022, 12), key(2023, 1));
  EXPECT_LT(key(2023, 1), key(2023, 2));
}

TEST(LatticeTest, EveryBaseCellHas27DistinctRollups) {
  const domain::Codelists codelists = domain::Codelists::Builtin();
  const domain::Region* lombardia = codelists.FindRegion("LOMBARDIA").value();
  const domain::InterventionType* fis = codelists.FindInterventionType("FIS").value();
  const CellKey base =
      BaseCell(Measure::kBenefitMonths, domain::YearMonth{2021, 5}, lombardia->index, fis->index);
  std::set<uint64_t> seen;
  bool has_italy_year_all = false;
  ForEachRollupOf(codelists, base, [&](const CellKey& k) {
    seen.insert(PackCellKey(k));
    EXPECT_EQ(k.measure, Measure::kBenefitMonths);
    EXPECT_EQ(k.period.year, 2021);
    if (k.period.level == PeriodLevel::kQuarter) {
      EXPECT_EQ(k.period.index, 2);
    }
    if (k.region_level == RegionLevel::kMacroArea) {
      EXPECT_EQ(k.region, codelists.FindMacroArea("NORD_OVEST").value()->index);
    }
    if (k.type_level == TypeLevel::kFamily) {
      EXPECT_EQ(k.type, codelists.FindFamily("FONDI").value()->index);
    }
    has_italy_year_all |= k.period.level == PeriodLevel::kYear &&
                          k.region_level == RegionLevel::kItaly && k.type_level == TypeLevel::kAll;
  });
  EXPECT_EQ(seen.size(), 27u);
  EXPECT_TRUE(has_italy_year_all);
}

TEST(CellValueTest, WorkerSetsMergeByUnionAndCountsBySum) {
  CellValue a;
  a.AddWorker(1);
  a.AddWorker(2);
  CellValue b;
  b.AddWorker(2);
  b.AddWorker(3);
  a.MergeFrom(b);
  EXPECT_EQ(a.value(), 3u);  // worker 2 counted once

  CellValue c = CellValue::Count(5);
  c.MergeFrom(CellValue::Count(7));
  EXPECT_EQ(c.value(), 12u);
}

// MergeOf (one many-way union) gives exactly the union of one-by-one merges, whatever the
// containers hold: arrays, bitsets, results either side of the array/bitset boundary.
TEST(CellValueTest, MergeOfManyPartsIsTheirExactUnion) {
  std::mt19937 random(7);
  struct Shape {
    int parts;
    int ids_per_part;
    uint32_t id_range;
  };
  const Shape shapes[] = {
      {2, 3, 10},           // tiny, overlapping
      {27, 400, 5000},      // one container, results around the array/bitset boundary
      {40, 200, 4096},      // heavy overlap: sum above 4096, union at most 4096
      {8, 3000, 1u << 20},  // ids spread over many containers
      {30, 3000, 70000},    // more than 65536 ids in all: the many-way union
      {3, 5000, 1u << 31},  // sparse and large
  };
  for (const Shape& shape : shapes) {
    std::vector<CellValue> parts(shape.parts);
    CellValue expected;
    for (CellValue& part : parts) {
      for (int i = 0; i < shape.ids_per_part; ++i) part.AddWorker(random() % shape.id_range);
      expected.MergeFrom(part);
    }
    parts.push_back(CellValue::Count(4));  // a count part adds nothing to a set
    std::vector<const CellValue*> pointers;
    for (const CellValue& part : parts) pointers.push_back(&part);
    const CellValue merged = CellValue::MergeOf(pointers);
    ASSERT_TRUE(merged.is_worker_set());
    EXPECT_TRUE(merged.workers() == expected.workers())
        << shape.parts << " parts of " << shape.ids_per_part << " ids below " << shape.id_range;
    EXPECT_EQ(merged.value(), expected.value());
    EXPECT_EQ(CellValue::Parse(merged.Serialize()).value().value(), expected.value());
  }
}

// A batch's expansion, rolled up one dimension at a time on sorted id lists, against a plain
// recomputation: every cell above each event gets the event, as sets and sums.
TEST(CubeDeltaTest, ExpandGivesEveryCellAboveTheBatchsEventsExactlyTheirUnionOrSum) {
  const domain::Codelists codelists = domain::Codelists::Builtin();
  const int regions = static_cast<int>(codelists.regions().size());
  const int types = static_cast<int>(codelists.intervention_types().size());
  std::mt19937 rng(5);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::map<uint64_t, std::set<uint32_t>> want_sets;
  std::map<uint64_t, uint64_t> want_sums;
  std::set<uint64_t> want_base;
  CubeDelta delta;
  for (int i = 0; i < 20000; ++i) {
    const domain::YearMonth ym{pick(2021, 2022), pick(1, 12)};
    const int region = pick(0, regions - 1);
    const int type = pick(0, types - 1);
    if (i % 5 == 0) {
      delta.AddApplication(ym, region, type);
      const CellKey base = BaseCell(Measure::kApplications, ym, region, type);
      want_base.insert(PackCellKey(base));
      ForEachRollupOf(codelists, base, [&](const CellKey& key) { ++want_sums[PackCellKey(key)]; });
      continue;
    }
    // Ids on both sides of a 65,536-id container boundary, most of them repeated.
    const uint32_t worker = static_cast<uint32_t>(pick(0, 3000)) * 37;
    const uint64_t months = static_cast<uint64_t>(pick(0, 2));
    delta.AddPayment(ym, region, type, worker, months);
    const CellKey workers = BaseCell(Measure::kWorkers, ym, region, type);
    want_base.insert(PackCellKey(workers));
    ForEachRollupOf(codelists, workers,
                    [&](const CellKey& key) { want_sets[PackCellKey(key)].insert(worker); });
    if (months == 0) continue;
    const CellKey benefit = BaseCell(Measure::kBenefitMonths, ym, region, type);
    want_base.insert(PackCellKey(benefit));
    ForEachRollupOf(codelists, benefit,
                    [&](const CellKey& key) { want_sums[PackCellKey(key)] += months; });
  }
  const ExpandedDelta expanded = std::move(delta).Expand(codelists);
  EXPECT_EQ(std::set<uint64_t>(expanded.base_keys.begin(), expanded.base_keys.end()), want_base);
  EXPECT_EQ(expanded.base_keys.size(), want_base.size());
  ASSERT_EQ(expanded.lattice.size(), want_sets.size() + want_sums.size());
  for (const auto& [packed, ids] : want_sets) {
    auto it = expanded.lattice.find(packed);
    ASSERT_NE(it, expanded.lattice.end()) << packed;
    ASSERT_TRUE(it->second.is_worker_set());
    std::vector<uint32_t> got(it->second.workers().cardinality());
    it->second.workers().toUint32Array(got.data());
    EXPECT_EQ(std::set<uint32_t>(got.begin(), got.end()), ids) << packed;
  }
  for (const auto& [packed, sum] : want_sums) {
    auto it = expanded.lattice.find(packed);
    ASSERT_NE(it, expanded.lattice.end()) << packed;
    EXPECT_FALSE(it->second.is_worker_set());
    EXPECT_EQ(it->second.value(), sum) << packed;
  }
}

// The roll-up's merge of sorted lists at its edges: the smallest and largest ids, a list that
// runs out first, ids in both lists, and one list holding every id of the other.
TEST(CubeDeltaTest, RollupUnionsKeepExtremeIdsAndSharedIdsOnce) {
  const domain::Codelists codelists = domain::Codelists::Builtin();
  const domain::YearMonth ym{2022, 3};
  const std::vector<std::vector<uint32_t>> per_type = {
      {0, 1, 4294967294u, 4294967295u}, {1, 2, 4294967295u}, {7}, {0, 7, 4294967294u}};
  CubeDelta delta;
  std::set<uint32_t> all;
  for (size_t type = 0; type < per_type.size(); ++type) {
    for (uint32_t worker : per_type[type]) {
      delta.AddPayment(ym, 0, static_cast<int>(type), worker, 0);
      all.insert(worker);
    }
  }
  const ExpandedDelta expanded = std::move(delta).Expand(codelists);
  CellKey top = BaseCell(Measure::kWorkers, ym, 0, 0);
  top.type_level = TypeLevel::kAll;
  top.type = 0;
  auto it = expanded.lattice.find(PackCellKey(top));
  ASSERT_NE(it, expanded.lattice.end());
  std::vector<uint32_t> got(it->second.workers().cardinality());
  it->second.workers().toUint32Array(got.data());
  EXPECT_EQ(got, std::vector<uint32_t>(all.begin(), all.end()));
}

// Cells whose ids are dense in their span are united through a bitmap: ids at both ends of the
// id space, on either side of 64-id word boundaries, shared between parts, and a part with one id.
TEST(CubeDeltaTest, RollupUnionsOfDenseCellsKeepEveryIdOnceAtBothEndsOfTheIdSpace) {
  const domain::Codelists codelists = domain::Codelists::Builtin();
  const std::vector<std::pair<domain::YearMonth, uint32_t>> blocks = {
      {{2022, 3}, 0u}, {{2022, 4}, 1000u}, {{2022, 5}, 4294967295u - 300u}};
  CubeDelta delta;
  std::map<int, std::set<uint32_t>> want;  // by block
  for (int b = 0; b < static_cast<int>(blocks.size()); ++b) {
    const auto& [ym, first] = blocks[b];
    for (uint32_t offset = 0; offset <= 300; ++offset) {
      const uint32_t id = first + offset;
      // Every third id in every type's part, the others in one part each; a few left out.
      if (offset % 7 == 5) continue;
      for (int type = 0; type < 4; ++type) {
        if (offset % 3 == 0 || static_cast<int>(offset % 4) == type) {
          delta.AddPayment(ym, 0, type, id, 0);
        }
      }
      want[b].insert(id);
    }
    delta.AddPayment(ym, 0, 4, first + 150, 0);
  }
  const ExpandedDelta expanded = std::move(delta).Expand(codelists);
  for (int b = 0; b < static_cast<int>(blocks.size()); ++b) {
    CellKey top = BaseCell(Measure::kWorkers, blocks[b].first, 0, 0);
    top.type_level = TypeLevel::kAll;
    top.type = 0;
    auto it = expanded.lattice.find(PackCellKey(top));
    ASSERT_NE(it, expanded.lattice.end()) << b;
    std::vector<uint32_t> got(it->second.workers().cardinality());
    it->second.workers().toUint32Array(got.data());
    EXPECT_EQ(got, std::vector<uint32_t>(want[b].begin(), want[b].end())) << b;
  }
}

// Queries read the state while a batch's unions are prepared: nothing they can see changes
// until the commit, which then holds the union of before and the batch.
TEST(CubeStateTest, APreparedFoldChangesNothingUntilItIsCommitted) {
  const domain::Codelists codelists = domain::Codelists::Builtin();
  const domain::YearMonth april{2023, 4};
  CubeState state;
  CubeDelta first;
  first.AddPayment(april, 3, 1, 7, 2);
  first.AddPayment(april, 3, 1, 9, 1);
  CubeState::PreparedFold fold = state.PrepareMicroFold(std::move(first).Expand(codelists));
  state.CommitMicroFold(fold);
  const uint64_t workers = PackCellKey(BaseCell(Measure::kWorkers, april, 3, 1));
  const uint64_t months = PackCellKey(BaseCell(Measure::kBenefitMonths, april, 3, 1));
  ASSERT_EQ(state.micro.at(workers).value(), 2u);
  ASSERT_EQ(state.micro.at(months).value(), 3u);
  const size_t cells = state.micro.size();

  CubeDelta second;
  second.AddPayment(april, 3, 1, 9, 4);                       // a worker already in the cell
  second.AddPayment(april, 3, 1, 70000, 1);                   // a new one, in another container
  second.AddPayment(domain::YearMonth{2023, 5}, 3, 1, 7, 1);  // a new month
  fold = state.PrepareMicroFold(std::move(second).Expand(codelists));
  EXPECT_EQ(state.micro.at(workers).value(), 2u);
  EXPECT_EQ(state.micro.at(months).value(), 3u);
  EXPECT_EQ(state.micro.size(), cells);
  EXPECT_EQ(state.LatestMonth({Measure::kWorkers}), april);

  state.CommitMicroFold(fold);
  EXPECT_EQ(state.micro.at(workers).value(), 3u);
  EXPECT_EQ(state.micro.at(months).value(), 8u);
  EXPECT_EQ(state.LatestMonth({Measure::kWorkers}), (domain::YearMonth{2023, 5}));
  EXPECT_EQ(state.LatestMonth({Measure::kApplications}), std::nullopt);
  const CellKey italy_year{Measure::kWorkers,   PeriodKey{PeriodLevel::kYear, 2023, 0},
                           RegionLevel::kItaly, 0,
                           TypeLevel::kAll,     0};
  EXPECT_EQ(state.micro.at(PackCellKey(italy_year)).value(), 3u);
}

TEST(CellValueTest, SerializedMergeMatchesInMemoryMerge) {
  CellValue a;
  for (uint32_t i = 0; i < 1000; i += 2) a.AddWorker(i);
  CellValue b;
  for (uint32_t i = 0; i < 1000; i += 3) b.AddWorker(i);
  const std::string merged = MergeSerializedCells(a.Serialize(), b.Serialize());
  a.MergeFrom(b);
  EXPECT_EQ(CellValue::Parse(merged).value().value(), a.value());
  EXPECT_EQ(CellValue::Parse(MergeSerializedCells(std::nullopt, CellValue::Count(4).Serialize()))
                .value()
                .value(),
            4u);
  EXPECT_FALSE(CellValue::Parse("Wgarbage").ok());
  EXPECT_FALSE(CellValue::Parse("").ok());
}

}  // namespace
}  // namespace omnia::cube

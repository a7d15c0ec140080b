// The cube store against an independent, deliberately simple recomputation: plain maps and sets
// over the same generated events give every cell of every level, and the store must match them
// exactly after a straight load, after batches with duplicates and retries, and across restarts.
#include "libs/cube/cube_store.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "absl/time/clock.h"
#include "libs/storage/rocksdb_store.h"
#include "tests/support/child_process.h"
#include "tests/support/fault_injecting_kv_store.h"

namespace omnia::cube {
namespace {

using domain::Measure;
using domain::PeriodLevel;

// (measure, period level, year, period index, region level, region, type level, type)
using GroupKey = std::tuple<int, int, int, int, int, int, int, int>;

struct Reference {
  std::map<GroupKey, uint64_t> sums;
  std::map<GroupKey, std::set<Pseudonym>> workers;
};

struct Events {
  std::vector<ApplicationFact> applications;
  std::vector<PaymentFact> payments;
};

Pseudonym WorkerPseudonym(int worker) {
  Pseudonym p{};
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<char>((worker * 131 + i * 7) & 0xff);
  p[0] = static_cast<char>(worker & 0xff);
  p[1] = static_cast<char>((worker >> 8) & 0xff);
  p[2] = static_cast<char>((worker >> 16) & 0xff);
  return p;
}

Events Generate(uint64_t seed, int applications, int payments, int workers, int first_year,
                int last_year) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Events events;
  for (int i = 0; i < applications; ++i) {
    events.applications.push_back(
        {domain::YearMonth{pick(first_year, last_year), pick(1, 12)}, pick(0, 19), pick(0, 5)});
  }
  for (int i = 0; i < payments; ++i) {
    events.payments.push_back({domain::YearMonth{pick(first_year, last_year), pick(1, 12)},
                               pick(0, 19), pick(0, 5), WorkerPseudonym(pick(0, workers - 1)),
                               static_cast<uint64_t>(pick(0, 3))});
  }
  return events;
}

// Group keys of one base cell at every level, computed directly from the codelists' parents.
std::vector<GroupKey> GroupsOf(const domain::Codelists& codelists, Measure measure,
                               const domain::YearMonth& ym, int region, int type) {
  const int period_index[3] = {ym.month, (ym.month - 1) / 3 + 1, 0};
  const int region_index[3] = {region, codelists.MacroAreaOf(codelists.regions()[region]).index, 0};
  const int type_index[3] = {type, codelists.FamilyOf(codelists.intervention_types()[type]).index,
                             0};
  std::vector<GroupKey> keys;
  for (int p = 0; p < 3; ++p) {
    for (int r = 0; r < 3; ++r) {
      for (int t = 0; t < 3; ++t) {
        keys.emplace_back(static_cast<int>(measure), p, ym.year, period_index[p], r,
                          region_index[r], t, type_index[t]);
      }
    }
  }
  return keys;
}

Reference Recompute(const domain::Codelists& codelists, const Events& events) {
  Reference ref;
  for (const ApplicationFact& a : events.applications) {
    for (const GroupKey& k :
         GroupsOf(codelists, Measure::kApplications, a.month, a.region, a.type)) {
      ref.sums[k] += 1;
    }
  }
  for (const PaymentFact& p : events.payments) {
    for (const GroupKey& k : GroupsOf(codelists, Measure::kWorkers, p.month, p.region, p.type)) {
      ref.workers[k].insert(p.worker);
    }
    if (p.months_covered == 0) continue;
    for (const GroupKey& k :
         GroupsOf(codelists, Measure::kBenefitMonths, p.month, p.region, p.type)) {
      ref.sums[k] += p.months_covered;
    }
  }
  return ref;
}

std::vector<FactBatch> Batches(const Events& events, const std::string& producer, size_t size) {
  std::vector<FactBatch> batches;
  const size_t total = events.applications.size() + events.payments.size();
  for (size_t start = 0; start < total; start += size) {
    FactBatch batch;
    batch.producer = producer;
    batch.sequence = batches.size() + 1;
    for (size_t i = start; i < std::min(total, start + size); ++i) {
      if (i < events.applications.size()) {
        batch.applications.push_back(events.applications[i]);
      } else {
        batch.payments.push_back(events.payments[i - events.applications.size()]);
      }
    }
    batches.push_back(std::move(batch));
  }
  return batches;
}

class CubeStoreTest : public ::testing::Test {
 protected:
  void Open(base::ForkJoinPool* apply_pool = nullptr) {
    store_.reset();
    auto kv = storage::OpenRocksDb(dir_.path() + "/cube", CubeStore::Columns());
    ASSERT_TRUE(kv.ok()) << kv.status();
    auto store = CubeStore::Open(std::move(*kv), codelists_, apply_pool);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  CubeQuery FullQuery(int first_year, int last_year, PeriodLevel p, RegionLevel r, TypeLevel t) {
    CubeQuery q;
    q.measures = {Measure::kApplications, Measure::kWorkers, Measure::kBenefitMonths};
    q.from = {first_year, 1};
    q.to = {last_year, 12};
    q.period_level = p;
    q.region_level = r;
    q.type_level = t;
    q.regions = AllRegions(codelists_);
    q.types = AllTypes(codelists_);
    return q;
  }

  // Every cell of every one of the 27 level combinations equals the reference, and nothing else
  // is returned.
  void ExpectEqualsReference(const Reference& ref, int first_year, int last_year) {
    std::map<GroupKey, uint64_t> expected;
    for (const auto& [k, v] : ref.sums) expected[k] = v;
    for (const auto& [k, v] : ref.workers) expected[k] = v.size();
    std::map<GroupKey, uint64_t> actual;
    for (int p = 0; p < 3; ++p) {
      for (int r = 0; r < 3; ++r) {
        for (int t = 0; t < 3; ++t) {
          auto cells =
              store_->Query(FullQuery(first_year, last_year, static_cast<PeriodLevel>(p),
                                      static_cast<RegionLevel>(r), static_cast<TypeLevel>(t)));
          ASSERT_TRUE(cells.ok()) << cells.status();
          for (const QueryCell& c : *cells) {
            const CellKey& k = c.key;
            actual[GroupKey(static_cast<int>(k.measure), static_cast<int>(k.period.level),
                            k.period.year, k.period.index, static_cast<int>(k.region_level),
                            k.region, static_cast<int>(k.type_level), k.type)] = c.value;
            EXPECT_EQ(c.provenance, Provenance::kMicroData);
          }
        }
      }
    }
    EXPECT_EQ(actual.size(), expected.size());
    EXPECT_TRUE(actual == expected) << "cube differs from the recomputation";
  }

  domain::Codelists codelists_ = domain::Codelists::Builtin();
  testing::TempDir dir_;
  std::unique_ptr<CubeStore> store_;
};

TEST_F(CubeStoreTest, StraightLoadEqualsRecomputationAtEveryLevel) {
  const Events events = Generate(7, 3000, 6000, 800, 2020, 2022);
  Open();
  for (const FactBatch& b : Batches(events, "p", 1000)) {
    ASSERT_EQ(store_->Apply(b).value(), ApplyOutcome::kApplied);
  }
  ExpectEqualsReference(Recompute(codelists_, events), 2020, 2022);
}

TEST_F(CubeStoreTest, LargeBatchesEqualRecomputation) {
  // Batches of thousands of base cells each, the second one merging into every cell the first
  // one made: the forwarder's requests are this large.
  const Events events = Generate(5, 4000, 40000, 3000, 2020, 2022);
  Open();
  const std::vector<FactBatch> batches = Batches(events, "p", 22000);
  ASSERT_EQ(batches.size(), 2u);
  for (const FactBatch& b : batches) {
    ASSERT_EQ(store_->Apply(b).value(), ApplyOutcome::kApplied);
  }
  ExpectEqualsReference(Recompute(codelists_, events), 2020, 2022);
}

// Several threads sharing each batch's roll-up, unions and serialization build the same cube:
// every cell at all 27 levels equals the recomputation, in memory and as stored (reopened).
TEST_F(CubeStoreTest, ThreadsSharingEachBatchBuildTheSameCube) {
  const Events events = Generate(11, 4000, 40000, 3000, 2020, 2022);
  base::ForkJoinPool pool(3, {});
  Open(&pool);
  for (const FactBatch& b : Batches(events, "p", 7000)) {
    ASSERT_EQ(store_->Apply(b).value(), ApplyOutcome::kApplied);
  }
  ExpectEqualsReference(Recompute(codelists_, events), 2020, 2022);
  Open();
  ExpectEqualsReference(Recompute(codelists_, events), 2020, 2022);
}

// An operator who expects N workers reserves the map once: up to N workers never make it grow
// (no rehash of every worker on the applying thread), the cube stays exact, a smaller reservation
// changes nothing, and one no memory could hold is refused without changing anything.
TEST_F(CubeStoreTest, AReservedWorkerMapHoldsTheExpectedWorkersWithoutGrowing) {
  constexpr int kWorkers = 3000;
  Events events = Generate(13, 500, 9000, kWorkers, 2022, 2023);
  for (int w = 0; w < kWorkers; ++w) {  // every worker at least once
    events.payments.push_back({{2023, 6}, 2, 1, WorkerPseudonym(w), 1});
  }
  Open();
  const size_t empty_bytes = store_->WorkerMapBytes();
  ASSERT_TRUE(store_->ReserveWorkers(kWorkers).ok());
  const size_t reserved_bytes = store_->WorkerMapBytes();
  EXPECT_GT(reserved_bytes, empty_bytes);
  for (const FactBatch& b : Batches(events, "p", 1000)) {
    ASSERT_EQ(store_->Apply(b).value(), ApplyOutcome::kApplied);
    EXPECT_EQ(store_->WorkerMapBytes(), reserved_bytes) << "after sequence " << b.sequence;
  }
  EXPECT_EQ(store_->Stats().distinct_workers, static_cast<uint64_t>(kWorkers));
  EXPECT_TRUE(store_->ReserveWorkers(10).ok());
  EXPECT_EQ(store_->WorkerMapBytes(), reserved_bytes);
  const absl::Status hostile = store_->ReserveWorkers(size_t{1} << 40);
  EXPECT_EQ(hostile.code(), absl::StatusCode::kResourceExhausted) << hostile;
  EXPECT_EQ(store_->WorkerMapBytes(), reserved_bytes);
  ExpectEqualsReference(Recompute(codelists_, events), 2022, 2023);
}

TEST_F(CubeStoreTest, DuplicatesAndRetriesNeverCountTwice) {
  const Events events = Generate(11, 2000, 5000, 500, 2021, 2022);
  Open();
  const std::vector<FactBatch> batches = Batches(events, "ingestion-1", 97);
  std::mt19937 rng(3);
  for (size_t i = 0; i < batches.size(); ++i) {
    ASSERT_EQ(store_->Apply(batches[i]).value(), ApplyOutcome::kApplied);
    // A retry of this batch or of any earlier one changes nothing.
    EXPECT_EQ(store_->Apply(batches[i]).value(), ApplyOutcome::kAlreadyApplied);
    EXPECT_EQ(store_->Apply(batches[rng() % (i + 1)]).value(), ApplyOutcome::kAlreadyApplied);
  }
  EXPECT_EQ(store_->LastSequence("ingestion-1"), batches.size());
  ExpectEqualsReference(Recompute(codelists_, events), 2021, 2022);
}

TEST_F(CubeStoreTest, APreviousSequenceIsACompareAndSetOfTheProducersPosition) {
  const Events events = Generate(5, 300, 600, 100, 2022, 2022);
  Open();
  std::vector<FactBatch> batches = Batches(events, "ingestion-1", 300);
  ASSERT_EQ(batches.size(), 3u);
  batches[0].previous_sequence = 0;
  ASSERT_EQ(store_->Apply(batches[0]).value(), ApplyOutcome::kApplied);

  // Built on a position the store is not at (sequence 2 was never applied): refused, untouched.
  batches[2].previous_sequence = 2;
  absl::StatusOr<ApplyOutcome> refused = store_->Apply(batches[2]);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAborted);
  EXPECT_NE(refused.status().message().find("last applied sequence 1"), std::string::npos)
      << refused.status();
  EXPECT_EQ(store_->LastSequence("ingestion-1"), 1u);
  absl::StatusOr<ReplaceOutcome> replaced =
      store_->ReplacePublished("ingestion-1", 9, Measure::kApplications, {2022}, {}, 7);
  EXPECT_EQ(replaced.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store_->LastSequence("ingestion-1"), 1u);

  // A retry of an applied sequence stays a plain duplicate, whatever position it names.
  batches[0].previous_sequence = 5;
  EXPECT_EQ(store_->Apply(batches[0]).value(), ApplyOutcome::kAlreadyApplied);

  batches[1].previous_sequence = 1;
  ASSERT_EQ(store_->Apply(batches[1]).value(), ApplyOutcome::kApplied);
  ASSERT_EQ(store_->Apply(batches[2]).value(), ApplyOutcome::kApplied);  // position 2 now
  ExpectEqualsReference(Recompute(codelists_, events), 2022, 2022);
}

// A sender with two requests in flight may see the second arrive first: it waits for the one it
// builds on and is applied after it, not refused.
TEST_F(CubeStoreTest, ABatchThatOvertookTheOneItBuildsOnWaitsForIt) {
  const Events events = Generate(7, 200, 800, 150, 2022, 2022);
  Open();
  std::vector<FactBatch> batches = Batches(events, "ingestion-1", 500);
  ASSERT_EQ(batches.size(), 2u);
  batches[0].previous_sequence = 0;
  batches[1].previous_sequence = 1;
  absl::StatusOr<ApplyOutcome> second;
  std::thread overtaking([&] { second = store_->Apply(batches[1]); });
  absl::SleepFor(absl::Milliseconds(200));  // the second is waiting by now
  EXPECT_EQ(store_->LastSequence("ingestion-1"), 0u);
  ASSERT_EQ(store_->Apply(batches[0]).value(), ApplyOutcome::kApplied);
  overtaking.join();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, ApplyOutcome::kApplied);
  EXPECT_EQ(store_->LastSequence("ingestion-1"), 2u);
  ExpectEqualsReference(Recompute(codelists_, events), 2022, 2022);
}

// A caller that gave up while its batch waited gets CANCELLED, and the batch is not applied
// even once the one it builds on arrives.
TEST_F(CubeStoreTest, ABatchWhoseCallerGaveUpWhileItWaitedIsNotApplied) {
  const Events events = Generate(7, 200, 800, 150, 2022, 2022);
  Open();
  std::vector<FactBatch> batches = Batches(events, "ingestion-1", 500);
  ASSERT_EQ(batches.size(), 2u);
  batches[0].previous_sequence = 0;
  batches[1].previous_sequence = 1;
  absl::StatusOr<ApplyOutcome> second;
  std::thread overtaking([&] { second = store_->Apply(batches[1], [] { return true; }); });
  absl::SleepFor(absl::Milliseconds(200));
  ASSERT_EQ(store_->Apply(batches[0]).value(), ApplyOutcome::kApplied);
  overtaking.join();
  EXPECT_EQ(second.status().code(), absl::StatusCode::kCancelled) << second.status();
  EXPECT_EQ(store_->LastSequence("ingestion-1"), 1u);
}

// The wait is bounded: a batch whose predecessor never comes is refused after it, unapplied.
TEST_F(CubeStoreTest, ABatchWhosePredecessorNeverComesIsRefusedAfterTheWait) {
  const Events events = Generate(8, 100, 400, 100, 2022, 2022);
  Open();
  std::vector<FactBatch> batches = Batches(events, "ingestion-1", 500);
  ASSERT_EQ(batches.size(), 1u);
  batches[0].sequence = 2;
  batches[0].previous_sequence = 1;
  const absl::Time start = absl::Now();
  absl::StatusOr<ApplyOutcome> refused = store_->Apply(batches[0]);
  EXPECT_GE(absl::Now() - start, CubeStore::kOvertakenWriteWait);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAborted) << refused.status();
  EXPECT_EQ(store_->LastSequence("ingestion-1"), 0u);
  EXPECT_EQ(store_->Stats().distinct_workers, 0u);
}

// Only a position before the batch's own sequence can be waited for: one at or after it can
// never be reached first, so it is refused at once, as before there was a wait.
TEST_F(CubeStoreTest, ABatchBuildingOnItsOwnOrALaterSequenceIsRefusedWithoutWaiting) {
  const Events events = Generate(8, 100, 400, 100, 2022, 2022);
  Open();
  std::vector<FactBatch> batches = Batches(events, "ingestion-1", 500);
  ASSERT_EQ(batches.size(), 1u);
  for (const uint64_t previous : {uint64_t{1}, uint64_t{7}}) {
    batches[0].previous_sequence = previous;  // the batch's own sequence is 1
    const absl::Time start = absl::Now();
    absl::StatusOr<ApplyOutcome> refused = store_->Apply(batches[0]);
    EXPECT_LT(absl::Now() - start, CubeStore::kOvertakenWriteWait) << "previous " << previous;
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kAborted) << refused.status();
  }
  EXPECT_EQ(store_->LastSequence("ingestion-1"), 0u);
  EXPECT_EQ(store_->Stats().distinct_workers, 0u);
}

TEST_F(CubeStoreTest, RestartInTheMiddleKeepsEverythingOnce) {
  const Events events = Generate(5, 1500, 4000, 300, 2020, 2021);
  const std::vector<FactBatch> batches = Batches(events, "p", 250);
  Open();
  for (size_t i = 0; i < batches.size() / 2; ++i) ASSERT_TRUE(store_->Apply(batches[i]).ok());
  Open();  // as after a crash: everything comes back from RocksDB
  EXPECT_EQ(store_->LastSequence("p"), batches.size() / 2);
  // The producer does not know what landed and resends everything from the start.
  for (const FactBatch& b : batches) ASSERT_TRUE(store_->Apply(b).ok());
  Open();
  ExpectEqualsReference(Recompute(codelists_, events), 2020, 2021);
}

// A batch whose write fails changes nothing, its workers' dense ids included: the workers it
// met first are unknown again, so later batches give their own new workers those ids and the
// resent batch records its workers afresh. Checked in memory and after a restart.
TEST_F(CubeStoreTest, AFailedWriteLeavesNoTraceOfItsNewWorkers) {
  const Events events = Generate(9, 200, 3000, 2000, 2022, 2022);
  const std::vector<FactBatch> batches = Batches(events, "p", 1000);
  ASSERT_EQ(batches.size(), 4u);
  auto rocks = storage::OpenRocksDb(dir_.path() + "/cube", CubeStore::Columns());
  ASSERT_TRUE(rocks.ok()) << rocks.status();
  auto faulty = std::make_unique<omnia::testing::FaultInjectingKvStore>(std::move(*rocks));
  omnia::testing::FaultInjectingKvStore* faults = faulty.get();
  auto store = CubeStore::Open(std::move(faulty), codelists_);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Apply(batches[0]).ok());
  faults->set_fail_writes(true);
  EXPECT_FALSE((*store)->Apply(batches[1]).ok());
  faults->set_fail_writes(false);
  // Batch 2 first: its new workers take the ids batch 1's would have had.
  FactBatch later = batches[2];
  later.sequence = 2;
  later.previous_sequence = 1;
  ASSERT_TRUE((*store)->Apply(later).ok());
  FactBatch resent = batches[1];
  resent.sequence = 3;
  resent.previous_sequence = 2;
  ASSERT_TRUE((*store)->Apply(resent).ok());
  FactBatch last = batches[3];
  last.previous_sequence = 3;
  ASSERT_TRUE((*store)->Apply(last).ok());
  store_ = std::move(*store);
  ExpectEqualsReference(Recompute(codelists_, events), 2022, 2022);
  store_.reset();
  Open();  // the dictionary on disk holds every worker once, under the id the cells use
  ExpectEqualsReference(Recompute(codelists_, events), 2022, 2022);
}

TEST_F(CubeStoreTest, WorkerDictionaryOfEarlierStoresStillLoads) {
  // Stores written before the dictionary was kept as one record per batch hold one entry per
  // worker (pseudonym -> 4-byte big-endian id). Such a store opens with its ids unchanged and
  // goes on with records of the new kind.
  const Events events = Generate(13, 0, 3000, 400, 2022, 2022);
  std::vector<FactBatch> batches = Batches(events, "p", 1000);
  Open();
  ASSERT_TRUE(store_->Apply(batches[0]).ok());
  const uint64_t first_workers = store_->Stats().distinct_workers;
  store_.reset();
  {
    // Rewrite the dictionary in the earlier layout, keeping every id.
    auto kv = storage::OpenRocksDb(dir_.path() + "/cube", CubeStore::Columns());
    ASSERT_TRUE(kv.ok());
    std::vector<std::pair<std::string, std::string>> runs;
    ASSERT_TRUE((*kv)
                    ->Scan(2, "", "",
                           [&](std::string_view key, std::string_view value) {
                             runs.emplace_back(key, value);
                             return true;
                           })
                    .ok());
    ASSERT_EQ(runs.size(), 1u);  // one record for the one batch
    storage::WriteBatch rewrite;
    rewrite.Delete(2, runs[0].first);
    for (size_t i = 0; i < runs[0].second.size() / kPseudonymBytes; ++i) {
      const std::string id = {0, 0, static_cast<char>(i >> 8), static_cast<char>(i & 0xff)};
      rewrite.Put(2, runs[0].second.substr(i * kPseudonymBytes, kPseudonymBytes), id);
    }
    ASSERT_TRUE((*kv)->Write(rewrite, storage::Durability::kSync).ok());
  }
  Open();
  EXPECT_EQ(store_->Stats().distinct_workers, first_workers);
  for (size_t i = 1; i < batches.size(); ++i) ASSERT_TRUE(store_->Apply(batches[i]).ok());
  Open();
  ExpectEqualsReference(Recompute(codelists_, events), 2022, 2022);
}

TEST_F(CubeStoreTest, ADamagedWorkerDictionaryRefusesToOpen) {
  const Events events = Generate(17, 0, 500, 100, 2022, 2022);
  Open();
  ASSERT_TRUE(store_->Apply(Batches(events, "p", 500)[0]).ok());
  store_.reset();
  {
    auto kv = storage::OpenRocksDb(dir_.path() + "/cube", CubeStore::Columns());
    ASSERT_TRUE(kv.ok());
    storage::WriteBatch damage;
    damage.Put(2, std::string("\0\0\0\0\0", 5), std::string(kPseudonymBytes + 1, 'x'));
    ASSERT_TRUE((*kv)->Write(damage, storage::Durability::kSync).ok());
  }
  auto kv = storage::OpenRocksDb(dir_.path() + "/cube", CubeStore::Columns());
  ASSERT_TRUE(kv.ok());
  auto store = CubeStore::Open(std::move(*kv), codelists_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(CubeStoreTest, FiltersMixLevelsAndStayExactForWorkers) {
  const Events events = Generate(13, 0, 8000, 400, 2023, 2023);
  Open();
  for (const FactBatch& b : Batches(events, "p", 1000)) ASSERT_TRUE(store_->Apply(b).ok());

  // Regions LOMBARDIA plus macro-area CENTRO, types CIGO plus family FONDI, Feb..Nov 2023, all
  // rolled up to one national cell.
  CubeQuery q = FullQuery(2023, 2023, PeriodLevel::kYear, RegionLevel::kItaly, TypeLevel::kAll);
  q.measures = {Measure::kWorkers, Measure::kBenefitMonths};
  q.from = {2023, 2};
  q.to = {2023, 11};
  q.regions = ResolveRegionFilter(codelists_, {"LOMBARDIA", "CENTRO"}).value();
  q.types = ResolveTypeFilter(codelists_, {"CIGO", "FONDI"}).value();
  auto cells = store_->Query(q);
  ASSERT_TRUE(cells.ok()) << cells.status();
  ASSERT_EQ(cells->size(), 2u);

  std::set<Pseudonym> workers;
  uint64_t months = 0;
  for (const PaymentFact& p : events.payments) {
    if (p.month.month < 2 || p.month.month > 11) continue;
    const std::string& macro = codelists_.MacroAreaOf(codelists_.regions()[p.region]).code;
    const std::string& label = codelists_.regions()[p.region].inps_label;
    if (label != "LOMBARDIA" && macro != "CENTRO") continue;
    const domain::InterventionType& type = codelists_.intervention_types()[p.type];
    if (type.code != "CIGO" && type.family_code != "FONDI") continue;
    workers.insert(p.worker);
    months += p.months_covered;
  }
  EXPECT_EQ((*cells)[0].key.measure, Measure::kWorkers);
  EXPECT_EQ((*cells)[0].value, workers.size());
  EXPECT_EQ((*cells)[1].value, months);
}

TEST_F(CubeStoreTest, UnknownFilterCodesNameTheCodeAndTheChoices) {
  absl::StatusOr<IndexSet> bad = ResolveRegionFilter(codelists_, {"LOMBARDIA", "ATLANTIDE"});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("ATLANTIDE"), std::string::npos);
  EXPECT_NE(bad.status().message().find("PIEMONTE"), std::string::npos);
  EXPECT_EQ(ResolveTypeFilter(codelists_, {"CIGX"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(CubeStoreTest, PublishedWorkersCannotBeRolledUpButSumsCan) {
  Open();
  const int lombardia = codelists_.FindRegion("LOMBARDIA").value()->index;
  const int lazio = codelists_.FindRegion("LAZIO").value()->index;
  const int cigo = codelists_.FindInterventionType("CIGO").value()->index;
  const std::vector<PublishedCell> cells = {{{2023, 1}, lombardia, cigo, 100},
                                            {{2023, 2}, lombardia, cigo, 50},
                                            {{2023, 1}, lazio, cigo, 7}};
  ASSERT_TRUE(store_->ReplacePublished("p", 1, Measure::kWorkers, {2023}, cells).ok());
  ASSERT_TRUE(store_->ReplacePublished("p", 2, Measure::kBenefitMonths, {2023}, cells).ok());
  // A retried revision is recognised by its sequence.
  EXPECT_TRUE(
      store_->ReplacePublished("p", 2, Measure::kBenefitMonths, {2023}, {}).value().duplicate);

  CubeQuery base =
      FullQuery(2023, 2023, PeriodLevel::kMonth, RegionLevel::kRegion, TypeLevel::kType);
  base.measures = {Measure::kWorkers};
  auto base_cells = store_->Query(base);
  ASSERT_TRUE(base_cells.ok()) << base_cells.status();
  ASSERT_EQ(base_cells->size(), 3u);
  EXPECT_EQ((*base_cells)[0].provenance, Provenance::kPublished);

  CubeQuery national =
      FullQuery(2023, 2023, PeriodLevel::kYear, RegionLevel::kItaly, TypeLevel::kAll);
  national.measures = {Measure::kWorkers};
  EXPECT_EQ(store_->Query(national).status().code(), absl::StatusCode::kFailedPrecondition);
  national.measures = {Measure::kBenefitMonths};
  auto sums = store_->Query(national);
  ASSERT_TRUE(sums.ok()) << sums.status();
  ASSERT_EQ(sums->size(), 1u);
  EXPECT_EQ((*sums)[0].value, 157u);

  // A corrected file replaces the old cells whole, and survives a restart.
  const ReplaceOutcome revision =
      store_
          ->ReplacePublished("p", 3, Measure::kBenefitMonths, {2023}, {{{2023, 3}, lazio, cigo, 9}})
          .value();
  EXPECT_EQ(revision.cells_removed, 3u);
  EXPECT_EQ(revision.cells_written, 1u);
  Open();
  sums = store_->Query(national);
  ASSERT_TRUE(sums.ok());
  ASSERT_EQ(sums->size(), 1u);
  EXPECT_EQ((*sums)[0].value, 9u);

  // Replacing a year with no cells hands it back to the micro-data layer.
  ASSERT_TRUE(store_->ReplacePublished("p", 4, Measure::kWorkers, {2023}, {}).ok());
  national.measures = {Measure::kWorkers};
  auto micro = store_->Query(national);
  ASSERT_TRUE(micro.ok()) << micro.status();
  EXPECT_TRUE(micro->empty());
}

}  // namespace
}  // namespace omnia::cube

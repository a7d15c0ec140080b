// The deduplication index on its own, against a plain map: whatever mix of insertions, repeats,
// erasures and growth, an id is found exactly when it was added and not erased since, with the
// fingerprint it was first added with. Ids that share a bucket, chains that run past the table's
// end, and tombstones left by erasures are where an open-addressing table goes wrong.
#include "libs/ingest/internal/id_index.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <tuple>
#include <vector>

namespace omnia::ingest::internal {
namespace {

using Key = IdIndex::Key;
using Fingerprint = IdIndex::Fingerprint;

auto Tied(const Key& key) { return std::tie(key.slot_low, key.slot_high, key.check); }
struct KeyLess {
  bool operator()(const Key& a, const Key& b) const { return Tied(a) < Tied(b); }
};
using Reference = std::map<Key, Fingerprint, KeyLess>;

// Every key of `universe` is found in `index` exactly as in `reference`.
void ExpectSame(const IdIndex& index, const Reference& reference,
                const std::vector<Key>& universe) {
  ASSERT_EQ(index.size(), reference.size());
  for (const Key& key : universe) {
    const Fingerprint* found = index.Find(key);
    auto it = reference.find(key);
    ASSERT_EQ(found != nullptr, it != reference.end()) << key.slot_low << " " << key.check;
    if (found != nullptr) {
      EXPECT_EQ(*found, it->second);
    }
  }
}

// Runs `operations` random insertions (most of them), erasures and lookups over `universe`.
void RunAgainstReference(IdIndex& index, const std::vector<Key>& universe, int operations,
                         uint32_t seed) {
  std::mt19937 rng(seed);
  Reference reference;
  for (int i = 0; i < operations; ++i) {
    const Key& key = universe[rng() % universe.size()];
    const Fingerprint fingerprint{static_cast<uint32_t>(rng()), static_cast<uint32_t>(i)};
    if (rng() % 4 != 0) {
      const auto [stored, inserted] = index.TryInsert(key, fingerprint);
      const auto [it, want_inserted] = reference.try_emplace(key, fingerprint);
      ASSERT_EQ(inserted, want_inserted) << "operation " << i;
      ASSERT_EQ(stored, it->second) << "operation " << i;
    } else {
      ASSERT_EQ(index.Erase(key), reference.erase(key) == 1) << "operation " << i;
    }
    if (i % 997 == 0) ExpectSame(index, reference, universe);
  }
  ExpectSame(index, reference, universe);
}

std::vector<Key> RandomKeys(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Key> keys(n);
  for (Key& key : keys) {
    const uint64_t a = rng();
    key = {static_cast<uint32_t>(a), static_cast<uint32_t>(a >> 32), static_cast<uint32_t>(rng())};
  }
  return keys;
}

// Keys whose 64 hash bits are nearly equal share a bucket at any table size; `high` near the top
// puts them in the last bucket, so their chain wraps around to the first.
std::vector<Key> CollidingKeys(size_t n, uint32_t high) {
  std::vector<Key> keys;
  for (uint32_t i = 0; i < n; ++i) keys.push_back({i, high, 1000 + i});
  // Same hash bits, another check: a different id that must not be confused with the first.
  keys.push_back({0, high, 7});
  return keys;
}

TEST(IdIndexTest, GrowsFromEmptyAndAgreesWithAMapThroughInsertionsRepeatsAndErasures) {
  IdIndex index;
  EXPECT_EQ(index.Find(Key{1, 2, 3}), nullptr);
  EXPECT_FALSE(index.Erase(Key{1, 2, 3}));
  RunAgainstReference(index, RandomKeys(3000, 1), 60000, 2);
}

TEST(IdIndexTest, IdsThatShareABucketAndWrapPastTheEndAreKeptApart) {
  for (const uint32_t high : {0u, 0x80000000u, 0xffffffffu}) {
    IdIndex index;
    RunAgainstReference(index, CollidingKeys(40, high), 20000, high + 3);
  }
}

TEST(IdIndexTest, AnIdBehindATombstoneIsStillFoundAndNotAddedTwice) {
  IdIndex index;
  const std::vector<Key> chain = CollidingKeys(8, 0xffffffffu);
  for (uint32_t i = 0; i < chain.size(); ++i) {
    ASSERT_TRUE(index.TryInsert(chain[i], Fingerprint{i, 0}).second);
  }
  ASSERT_TRUE(index.Erase(chain[0]));
  ASSERT_TRUE(index.Erase(chain[3]));
  // The last id lies past both tombstones: it is reported there, with its first fingerprint.
  const auto [stored, inserted] = index.TryInsert(chain.back(), Fingerprint{99, 99});
  EXPECT_FALSE(inserted);
  EXPECT_EQ(stored, (Fingerprint{static_cast<uint32_t>(chain.size() - 1), 0}));
  EXPECT_EQ(index.size(), chain.size() - 2);
  // A new id takes a tombstone's slot; everything else stays found.
  const Key newcomer{100, 0xffffffffu, 5};
  EXPECT_TRUE(index.TryInsert(newcomer, Fingerprint{5, 5}).second);
  EXPECT_TRUE(index.TryInsert(chain[0], Fingerprint{6, 6}).second);
  for (uint32_t i = 1; i < chain.size(); ++i) {
    if (i == 3) {
      EXPECT_EQ(index.Find(chain[i]), nullptr);
    } else {
      ASSERT_NE(index.Find(chain[i]), nullptr) << i;
      EXPECT_EQ(*index.Find(chain[i]), (Fingerprint{i, 0}));
    }
  }
  EXPECT_EQ(*index.Find(chain[0]), (Fingerprint{6, 6}));
  EXPECT_EQ(index.size(), chain.size());
}

TEST(IdIndexTest, AReservedTableHoldsThatManyIdsWithoutGrowingThroughErasuresToo) {
  IdIndex index;
  index.Reserve(10000);
  const size_t reserved = index.MemoryBytes();
  EXPECT_EQ(reserved, IdIndex::MemoryBytesFor(10000));
  // About 28.4 bytes an id at the load limit.
  EXPECT_LE(reserved, 10000 * 29u);
  const std::vector<Key> keys = RandomKeys(10000, 4);
  for (uint32_t i = 0; i < keys.size(); ++i) {
    ASSERT_TRUE(index.TryInsert(keys[i], Fingerprint{i, 1}).second);
  }
  EXPECT_EQ(index.MemoryBytes(), reserved);
  index.Reserve(10);  // fewer than it holds: nothing changes
  EXPECT_EQ(index.MemoryBytes(), reserved);
  // Erasing and adding back, round after round, fills the table with tombstones: it is rebuilt
  // at its size, never larger, and nothing is lost.
  for (int round = 0; round < 5; ++round) {
    for (uint32_t i = 0; i < 3000; ++i) ASSERT_TRUE(index.Erase(keys[i]));
    for (uint32_t i = 0; i < 3000; ++i) {
      ASSERT_TRUE(index.TryInsert(keys[i], Fingerprint{i, 2}).second);
    }
  }
  EXPECT_EQ(index.MemoryBytes(), reserved);
  EXPECT_EQ(index.size(), keys.size());
  for (uint32_t i = 0; i < keys.size(); ++i) {
    ASSERT_NE(index.Find(keys[i]), nullptr);
    EXPECT_EQ(*index.Find(keys[i]), (Fingerprint{i, i < 3000 ? 2u : 1u}));
  }
  // Past the reservation (rounded up to whole buckets: here one id more) the table grows, but
  // not for an id it holds already: a batch of repeats leaves the index as it was.
  EXPECT_TRUE(index.TryInsert(Key{1, 2, 3}, Fingerprint{}).second);
  EXPECT_FALSE(index.TryInsert(keys[7], Fingerprint{9, 9}).second);
  EXPECT_EQ(index.MemoryBytes(), reserved);
  EXPECT_TRUE(index.TryInsert(Key{4, 5, 6}, Fingerprint{}).second);
  EXPECT_GT(index.MemoryBytes(), reserved);
  EXPECT_EQ(index.size(), keys.size() + 2);
}

TEST(IdIndexTest, TombstonesOfRolledBackIdsNeverShrinkAReservedTable) {
  IdIndex index;
  index.Reserve(10000);
  const size_t reserved = index.MemoryBytes();
  // The table filled as reserved, then most ids taken out again (as a failed file's are): the
  // next ids find it full of tombstones, and it is rebuilt at the size it was reserved at.
  const std::vector<Key> keys = RandomKeys(11000, 5);
  for (size_t i = 0; i < 10000; ++i)
    ASSERT_TRUE(index.TryInsert(keys[i], Fingerprint{1, 1}).second);
  for (size_t i = 100; i < 10000; ++i) ASSERT_TRUE(index.Erase(keys[i]));
  for (size_t i = 10000; i < keys.size(); ++i) {
    ASSERT_TRUE(index.TryInsert(keys[i], Fingerprint{2, 2}).second);
  }
  EXPECT_EQ(index.MemoryBytes(), reserved);
  EXPECT_EQ(index.size(), 1100u);
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(index.Find(keys[i]) != nullptr, i < 100 || i >= 10000) << i;
  }
}

TEST(IdIndexTest, AMovedIndexKeepsItsIdsAndLeavesAnEmptyUsableOne) {
  IdIndex index;
  const std::vector<Key> keys = RandomKeys(500, 7);
  for (uint32_t i = 0; i < keys.size(); ++i) index.TryInsert(keys[i], Fingerprint{i, 0});
  IdIndex moved = std::move(index);
  EXPECT_EQ(moved.size(), keys.size());
  ASSERT_NE(moved.Find(keys[42]), nullptr);
  EXPECT_EQ(*moved.Find(keys[42]), (Fingerprint{42, 0}));
  EXPECT_EQ(index.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is specified
  EXPECT_EQ(index.MemoryBytes(), 0u);
  EXPECT_EQ(index.Find(keys[42]), nullptr);
  EXPECT_TRUE(index.TryInsert(keys[42], Fingerprint{1, 1}).second);
  EXPECT_EQ(index.size(), 1u);
}

}  // namespace
}  // namespace omnia::ingest::internal

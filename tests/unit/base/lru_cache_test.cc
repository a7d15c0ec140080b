// The byte-bounded cache keeps the most recently used entries within its budget, whatever is put
// in it.
#include "libs/base/lru_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace omnia {
namespace {

size_t ValueLength(const std::string& /*key*/, const std::string& value) { return value.size(); }

TEST(LruCacheTest, EvictsTheLeastRecentlyUsedEntriesToStayWithinItsBytes) {
  LruCache<std::string, std::string> cache(10, ValueLength);
  cache.Put("a", "aaaa");
  cache.Put("b", "bbbb");
  ASSERT_NE(cache.Find("a"), nullptr);  // "a" is now more recent than "b"
  cache.Put("c", "cccc");               // 12 bytes: the least recently used, "b", goes
  EXPECT_EQ(cache.Find("b"), nullptr);
  ASSERT_NE(cache.Find("a"), nullptr);
  EXPECT_EQ(*cache.Find("a"), "aaaa");
  EXPECT_EQ(*cache.Find("c"), "cccc");
  EXPECT_EQ(cache.bytes(), 8u);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(LruCacheTest, ReplacingAnEntryCountsOnlyItsNewSize) {
  LruCache<std::string, std::string> cache(10, ValueLength);
  cache.Put("a", "aaaaaaaa");
  cache.Put("a", "aa");
  EXPECT_EQ(cache.bytes(), 2u);
  EXPECT_EQ(*cache.Find("a"), "aa");
}

TEST(LruCacheTest, AnEntryLargerThanTheBudgetIsNotKept) {
  LruCache<std::string, std::string> cache(10, ValueLength);
  cache.Put("a", "aaaa");
  cache.Put("huge", std::string(11, 'h'));
  EXPECT_EQ(cache.Find("huge"), nullptr);
  EXPECT_NE(cache.Find("a"), nullptr);
  EXPECT_LE(cache.bytes(), 10u);
}

TEST(LruCacheTest, AnEntryLargerThanTheBudgetCanBeKeptAsTheOnlyOne) {
  LruCache<std::string, std::string> cache(
      10, ValueLength, LruCache<std::string, std::string>::Oversized::kKeepAlone);
  cache.Put("a", "aaaa");
  cache.Put("huge", std::string(11, 'h'));
  ASSERT_NE(cache.Find("huge"), nullptr);
  EXPECT_EQ(cache.Find("a"), nullptr);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.bytes(), 11u);
  // The next entry that fits takes its place: the budget holds again.
  cache.Put("b", "bbbb");
  EXPECT_EQ(cache.Find("huge"), nullptr);
  EXPECT_EQ(cache.bytes(), 4u);
}

TEST(LruCacheTest, ManyDistinctKeysNeverExceedTheBudget) {
  LruCache<int, std::string> cache(1000, [](int, const std::string& v) { return v.size() + 8; });
  for (int i = 0; i < 10000; ++i) {
    cache.Put(i, std::string(static_cast<size_t>(i % 50), 'x'));
    ASSERT_LE(cache.bytes(), 1000u);
  }
  EXPECT_NE(cache.Find(9999), nullptr);
}

}  // namespace
}  // namespace omnia

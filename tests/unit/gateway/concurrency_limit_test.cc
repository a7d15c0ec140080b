// The cap on ad-hoc queries in flight: what the operator relies on is that no more than the cap
// run at once, however many threads ask together, and that every finished request gives its
// place back, even one that ends after the gateway let go of the limit.
#include "libs/gateway/concurrency_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace omnia::gateway {
namespace {

TEST(ConcurrencyLimitTest, NoMoreThanTheCapAndEveryFinishedRequestGivesItsPlaceBack) {
  ConcurrencyLimit limit(2);
  std::unique_ptr<ConcurrencyLimit::Slot> a = limit.TryAcquire();
  std::unique_ptr<ConcurrencyLimit::Slot> b = limit.TryAcquire();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(limit.TryAcquire(), nullptr);
  a.reset();
  EXPECT_EQ(limit.in_flight(), 1);
  EXPECT_NE(limit.TryAcquire(), nullptr);  // acquired and given back at once
  EXPECT_EQ(limit.in_flight(), 1);
}

TEST(ConcurrencyLimitTest, AtLeastOneRequestMayRun) {
  ConcurrencyLimit limit(0);
  EXPECT_EQ(limit.max_in_flight(), 1);
  EXPECT_NE(limit.TryAcquire(), nullptr);
}

TEST(ConcurrencyLimitTest, ManyThreadsAskingTogetherNeverExceedTheCap) {
  ConcurrencyLimit limit(3);
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        std::unique_ptr<ConcurrencyLimit::Slot> slot = limit.TryAcquire();
        if (slot == nullptr) continue;
        ++admitted;
        const int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        --running;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_LE(most.load(), 3);
  EXPECT_GT(admitted.load(), 0);
  EXPECT_EQ(limit.in_flight(), 0);
}

TEST(ConcurrencyLimitTest, ASlotMayOutliveItsLimit) {
  std::unique_ptr<ConcurrencyLimit::Slot> slot;
  {
    ConcurrencyLimit limit(1);
    slot = limit.TryAcquire();
    ASSERT_NE(slot, nullptr);
  }
  slot.reset();  // no use after free: the count lives as long as a slot does
}

}  // namespace
}  // namespace omnia::gateway

#include "libs/base/fork_join.h"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/base/thread_priority.h"

namespace omnia::base {
namespace {

// Every part runs exactly once, whatever the number of helpers.
TEST(ForkJoinPoolTest, EveryPartRunsOnceAndTheCallReturnsAfterAll) {
  for (const int helpers : {0, 1, 3}) {
    ForkJoinPool pool(helpers, {});
    EXPECT_EQ(pool.parallelism(), helpers + 1);
    for (const size_t count : {size_t{0}, size_t{1}, size_t{2}, size_t{1000}}) {
      std::vector<std::atomic<int>> runs(count);
      pool.ForEach(count, [&](size_t i) { runs[i].fetch_add(1); });
      for (size_t i = 0; i < count; ++i) {
        EXPECT_EQ(runs[i].load(), 1) << "helpers " << helpers << ", part " << i << " of " << count;
      }
    }
  }
}

// The point of the pool: the parts of one job run on several threads at once. Two parts that
// each wait for the other can only finish if they run side by side.
TEST(ForkJoinPoolTest, PartsRunSideBySideOnTheHelpers) {
  ForkJoinPool pool(1, {});
  absl::Mutex mu;
  int started = 0;
  std::set<std::thread::id> threads;
  pool.ForEach(2, [&](size_t) {
    absl::MutexLock lock(&mu);
    ++started;
    threads.insert(std::this_thread::get_id());
    // Bounded: a pool that ran both parts on one thread fails here instead of hanging.
    mu.AwaitWithTimeout(absl::Condition(
                            +[](int* n) { return *n == 2; }, &started),
                        absl::Seconds(30));
  });
  EXPECT_EQ(threads.size(), 2u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 1u);  // the caller takes parts too
}

// Helpers run at the priority they were given; the caller keeps its own.
TEST(ForkJoinPoolTest, HelpersRunAtTheirPriority) {
  const int caller_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  const int caller_policy = sched_getscheduler(0);
  for (const bool idle_only : {false, true}) {
    ForkJoinPool pool(1, {caller_nice + 5, idle_only});
    absl::Mutex mu;
    struct Seen {
      std::thread::id thread;
      int nice;
      int policy;
    };
    std::vector<Seen> seen;
    int started = 0;
    pool.ForEach(2, [&](size_t) {
      absl::MutexLock lock(&mu);
      ++started;
      seen.push_back({std::this_thread::get_id(),
                      getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())),
                      sched_getscheduler(0)});
      mu.AwaitWithTimeout(absl::Condition(
                              +[](int* n) { return *n == 2; }, &started),
                          absl::Seconds(30));
    });
    ASSERT_EQ(seen.size(), 2u);
    for (const Seen& part : seen) {
      const bool helper = part.thread != std::this_thread::get_id();
      EXPECT_EQ(part.nice, helper ? caller_nice + 5 : caller_nice);
      EXPECT_EQ(part.policy, helper && idle_only ? SCHED_IDLE : caller_policy);
    }
  }
}

// A part that throws: the call rethrows once the other parts have ended, and the pool still
// runs the next job.
TEST(ForkJoinPoolTest, AThrowingPartIsRethrownAfterTheOthersEnded) {
  ForkJoinPool pool(2, {});
  std::atomic<int> running{0};
  EXPECT_THROW(pool.ForEach(100,
                            [&](size_t i) {
                              running.fetch_add(1);
                              if (i == 3) {
                                running.fetch_sub(1);
                                throw std::runtime_error("part 3");
                              }
                              std::this_thread::sleep_for(std::chrono::microseconds(50));
                              running.fetch_sub(1);
                            }),
               std::runtime_error);
  EXPECT_EQ(running.load(), 0);  // nothing still running once the call returned
  std::atomic<int> after{0};
  pool.ForEach(10, [&](size_t) { after.fetch_add(1); });
  EXPECT_EQ(after.load(), 10);
}

// Jobs from several threads at once run one after the other, each complete.
TEST(ForkJoinPoolTest, JobsFromSeveralThreadsEachRunWhole) {
  ForkJoinPool pool(1, {});
  std::vector<std::thread> callers;
  std::vector<std::atomic<int>> totals(4);
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&, c] {
      for (int job = 0; job < 50; ++job) {
        pool.ForEach(20, [&](size_t) { totals[c].fetch_add(1); });
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
  for (int c = 0; c < 4; ++c) EXPECT_EQ(totals[c].load(), 50 * 20);
}

// The processors a thread may use follow its affinity mask (a container's cpuset narrows it).
TEST(ForkJoinPoolTest, ProcessorsThisThreadMayUseFollowTheAffinityMask) {
  cpu_set_t all;
  ASSERT_EQ(sched_getaffinity(0, sizeof(all), &all), 0);
  EXPECT_EQ(ProcessorsThisThreadMayUse(), static_cast<unsigned>(CPU_COUNT(&all)));
  unsigned narrowed = 0;
  std::thread([&] {
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &all)) {
        CPU_SET(cpu, &one);
        break;
      }
    }
    if (sched_setaffinity(0, sizeof(one), &one) == 0) narrowed = ProcessorsThisThreadMayUse();
  }).join();
  EXPECT_EQ(narrowed, 1u);
}

}  // namespace
}  // namespace omnia::base

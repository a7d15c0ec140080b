// The executor that runs the services' blocking work: every task submitted runs, tasks pending
// at destruction still run.
#include "libs/server/executor.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>

namespace omnia::server {
namespace {

TEST(ExecutorTest, RunsEveryTaskIncludingThosePendingAtDestruction) {
  std::atomic<int> ran{0};
  {
    Executor executor(2);
    for (int i = 0; i < 100; ++i) executor.Submit([&ran] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 100);
}

int ThisThreadNice() { return getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())); }

TEST(ExecutorTest, ALowerPriorityExecutorRunsItsTasksAtThatNiceValueAndLeavesTheCallerAlone) {
  const int caller = ThisThreadNice();
  std::atomic<int> seen{-100};
  {
    Executor executor(1, /*nice=*/caller + 5);
    executor.Submit([&seen] { seen = ThisThreadNice(); });
  }
  EXPECT_EQ(seen.load(), caller + 5);
  EXPECT_EQ(ThisThreadNice(), caller);

  // By default the tasks run at the process's priority.
  {
    Executor executor(1);
    executor.Submit([&seen] { seen = ThisThreadNice(); });
  }
  EXPECT_EQ(seen.load(), caller);
}

}  // namespace
}  // namespace omnia::server

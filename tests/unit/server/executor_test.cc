// The executor that runs the services' blocking work: every task submitted runs, tasks pending
// at destruction still run, at the lower priority it was given (and the flag that sets it
// refuses what is not a lower priority).
#include "libs/server/executor.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "libs/server/server_main.h"

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

TEST(ExecutorTest, TheWriteNiceFlagTakesLowerPrioritiesOnlyAndNamesItselfWhenRefused) {
  for (int accepted : {0, 10, 19}) {
    absl::StatusOr<int> nice = WriteNiceFromFlag(accepted);
    ASSERT_TRUE(nice.ok()) << nice.status();
    EXPECT_EQ(*nice, accepted);
  }
  for (int refused : {-1, 20}) {
    absl::StatusOr<int> nice = WriteNiceFromFlag(refused);
    EXPECT_EQ(nice.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(nice.status().message().find("--write_nice=" + std::to_string(refused)),
              std::string::npos)
        << nice.status();
  }
}

// --apply_threads: 0 is one per processor (at least one, whatever the system reports), 1 to 64
// as given; anything else is refused naming the flag.
TEST(ExecutorTest, TheApplyThreadsFlagResolvesZeroToTheProcessorsAndNamesItselfWhenRefused) {
  EXPECT_EQ(ApplyThreadsFromFlag(0, 2).value(), 2);
  EXPECT_EQ(ApplyThreadsFromFlag(0, 0).value(), 1);
  EXPECT_EQ(ApplyThreadsFromFlag(0, 256).value(), 64);
  EXPECT_EQ(ApplyThreadsFromFlag(1, 8).value(), 1);
  EXPECT_EQ(ApplyThreadsFromFlag(64, 2).value(), 64);
  for (int refused : {-1, 65}) {
    absl::StatusOr<int> threads = ApplyThreadsFromFlag(refused, 2);
    EXPECT_EQ(threads.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(threads.status().message().find("--apply_threads=" + std::to_string(refused)),
              std::string::npos)
        << threads.status();
  }
}

// --forward_requests_in_flight: 1 to 4 as given; anything else is refused naming the flag.
TEST(ExecutorTest, TheRequestsInFlightFlagTakesOneToFourAndNamesItselfWhenRefused) {
  for (int accepted : {1, 2, 4}) EXPECT_EQ(RequestsInFlightFromFlag(accepted).value(), accepted);
  for (int refused : {-1, 0, 5}) {
    absl::StatusOr<int> in_flight = RequestsInFlightFromFlag(refused);
    EXPECT_EQ(in_flight.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(in_flight.status().message().find("--forward_requests_in_flight=" +
                                                std::to_string(refused)),
              std::string::npos)
        << in_flight.status();
  }
}

}  // namespace
}  // namespace omnia::server

// The executor that runs the services' blocking work: every task submitted runs, tasks pending
// at destruction still run, and a niceness puts the work below the rest of the process.
#include "libs/server/executor.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

#include "absl/synchronization/notification.h"

namespace omnia::server {
namespace {

// The scheduling priority of the calling thread.
int OwnNiceness() {
  errno = 0;
  return getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
}

TEST(ExecutorTest, RunsEveryTaskIncludingThosePendingAtDestruction) {
  std::atomic<int> ran{0};
  {
    Executor executor(2);
    for (int i = 0; i < 100; ++i) executor.Submit([&ran] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 100);
}

TEST(ExecutorTest, NicenessLowersTheWorkersPriorityAndNothingElse) {
  const int before = OwnNiceness();
  int worker_niceness = -100;
  int child_niceness = -100;
  absl::Notification done;
  {
    Executor executor(1, /*niceness=*/5);
    executor.Submit([&] {
      worker_niceness = OwnNiceness();
      // Threads a task starts (a batch's second half) inherit it.
      std::thread child([&] { child_niceness = OwnNiceness(); });
      child.join();
      done.Notify();
    });
    done.WaitForNotification();
  }
  EXPECT_EQ(worker_niceness, before + 5);
  EXPECT_EQ(child_niceness, before + 5);
  EXPECT_EQ(OwnNiceness(), before);  // the rest of the process keeps its priority
  int default_niceness = -100;
  {
    Executor executor(1);
    executor.Submit([&] { default_niceness = OwnNiceness(); });
  }
  EXPECT_EQ(default_niceness, before);
}

}  // namespace
}  // namespace omnia::server

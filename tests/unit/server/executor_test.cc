// The executor that runs the services' blocking work: every task submitted runs, tasks pending
// at destruction still run.
#include "libs/server/executor.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace omnia::server

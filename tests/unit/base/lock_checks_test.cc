// The executables' lock settings: with Debian's Abseil a lock-order inversion aborts the process
// unless deadlock detection is turned off, and that detection serialises every lock of every
// thread. Each case runs in a child process, so the setting does not reach the other tests.
#include "libs/base/lock_checks.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "absl/base/config.h"

namespace omnia::base {
namespace {

void LockInBothOrders() {
  absl::Mutex first;
  absl::Mutex second;
  {
    absl::MutexLock a(&first);
    absl::MutexLock b(&second);
  }
  {
    absl::MutexLock b(&second);
    absl::MutexLock a(&first);
  }
}

TEST(LockChecksTest, AnExecutableDoesNotCheckLockOrder) {
#ifdef ABSL_HAVE_THREAD_SANITIZER
  GTEST_SKIP() << "ThreadSanitizer reports the inversion itself, as it should in every test";
#endif
  EXPECT_EXIT(
      {
        TurnOffMutexDeadlockDetection();
        LockInBothOrders();
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace omnia::base

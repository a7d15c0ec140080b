// What every omnia executable sets first in main, before it starts a thread.
#pragma once

#include "absl/synchronization/mutex.h"

namespace omnia::base {

// Debian builds Abseil without NDEBUG, which leaves absl::Mutex's deadlock detection on: every
// lock and unlock records the lock order in one process-wide graph, behind one global lock that
// every thread meets (gRPC's own locks are absl::Mutex too), and a lock costs 3.5 times as much.
// A profile of aggregation serving eight query clients put 10 % of its CPU in Abseil's lock code
// and that graph; and a cycle found in production would abort the service. The tests keep the
// detection on, so a lock-order inversion still fails them; the executables turn it off.
inline void TurnOffMutexDeadlockDetection() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace omnia::base

#ifndef OMNIA_LIBS_BASE_THREAD_PRIORITY_H_
#define OMNIA_LIBS_BASE_THREAD_PRIORITY_H_

// Lower scheduling priority for threads doing bulk write work, so that the processors go to
// interactive reads first when both want them.
//
// Measured on two processors with eight query clients beside a full-speed 11 M-event ingest
// (both services' executors and forwarding threads lowered alike; gRPC's own threads, which
// serve the queries, stay at the process's priority): query p99 6.2 ms at nice 0, 5.0-5.5 ms at
// nice 5, 4.1-4.6 ms at nice 10, with twice the queries served; the ingest beside them took
// longer, as it yields. Without queries the ingest ran as before (within the machine's noise).

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

namespace omnia::base {

// Makes the calling thread's nice value at least `nice`. Linux gives every thread a nice value
// of its own, and threads it creates afterwards inherit it. Lowering priority needs no privilege;
// a value at or below the current one changes nothing. False when the system refused.
inline bool LowerThisThreadPriority(int nice) {
  const id_t thread = static_cast<id_t>(gettid());
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, thread);
  if (current == -1 && errno != 0) return false;
  if (nice <= current) return true;
  return setpriority(PRIO_PROCESS, thread, nice) == 0;
}

// Puts the calling thread in the SCHED_IDLE class: it then runs only on a processor that no
// thread of a normal class wants, so work it takes never slows those threads (and a part it holds
// may wait while they run). Needs no privilege. False when the system refused.
inline bool RunThisThreadOnlyOnIdleProcessors() {
  sched_param param{};
  param.sched_priority = 0;
  return sched_setscheduler(0, SCHED_IDLE, &param) == 0;  // 0: the calling thread
}

// The processors the calling thread may run on (its affinity mask, which a container's cpuset
// narrows), at least 1. A CPU quota does not show here.
inline unsigned ProcessorsThisThreadMayUse() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  const int count = CPU_COUNT(&set);
  return count > 0 ? static_cast<unsigned>(count) : 1u;
}

}  // namespace omnia::base

#endif  // OMNIA_LIBS_BASE_THREAD_PRIORITY_H_

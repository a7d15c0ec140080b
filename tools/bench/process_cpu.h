// CPU seconds this process has used (all threads): beside wall time, a figure that other work on
// the machine barely changes.
#pragma once

#include <time.h>

namespace omnia::bench {

inline double ProcessCpuSeconds() {
  timespec now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

}  // namespace omnia::bench

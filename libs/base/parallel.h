// Two pieces of work at once: the one passed second on a thread of its own, the first on the
// calling thread. For the few places where one request's work splits in two halves that share
// nothing they write (the aggregation of a large batch), so that a second processor, idle
// otherwise, takes half of it.
#pragma once

#include <thread>

#include "absl/functional/function_ref.h"

namespace omnia::base {

// Runs `first` here and `second` on a new thread; returns when both are done. When `parallel`
// is false (work too small to pay for a thread) both run here, first then second.
inline void RunBoth(bool parallel, absl::FunctionRef<void()> first,
                    absl::FunctionRef<void()> second) {
  if (!parallel) {
    first();
    second();
    return;
  }
  std::thread other([&second] { second(); });
  first();
  other.join();
}

}  // namespace omnia::base

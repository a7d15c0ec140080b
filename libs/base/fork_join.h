// A fixed set of helper threads that run the parts of one job beside the thread that asks for it,
// and return when every part has run: for splitting one large computation (e.g. applying a batch
// to the cubes) across the processors.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"

namespace omnia::base {

// How a pool's helper threads are scheduled (libs/base/thread_priority.h).
struct HelperPriority {
  int nice = 0;  // at least this nice value
  // Only on processors nothing else wants (SCHED_IDLE). The caller takes every part the helpers
  // do not get to, so a job never waits for an idle processor, but a helper preempted in the
  // middle of a part delays its job's end until it runs again.
  bool idle_processors_only = false;
};

class ForkJoinPool {
 public:
  // `helpers` threads besides the caller (0: every job runs on the caller alone).
  ForkJoinPool(int helpers, HelperPriority priority);
  ~ForkJoinPool();  // waits for the helpers to stop; no job may be running

  ForkJoinPool(const ForkJoinPool&) = delete;
  ForkJoinPool& operator=(const ForkJoinPool&) = delete;

  // Threads that run a job's parts: the helpers and the caller.
  int parallelism() const { return static_cast<int>(helpers_.size()) + 1; }

  // Runs body(i) for every i in [0, count), on the calling thread and the helpers, each i once,
  // in no particular order; returns when all have run. Parts are taken one at a time, so uneven
  // parts balance. Jobs from several threads run one after the other. When a part throws, the
  // parts not yet started are skipped and the first exception is rethrown here, after every
  // started part has ended.
  void ForEach(size_t count, absl::FunctionRef<void(size_t)> body);

 private:
  struct Job;
  void HelperLoop(HelperPriority priority);
  static void RunParts(Job& job);

  absl::Mutex run_mu_;  // one job at a time
  absl::Mutex mu_;
  Job* job_ ABSL_GUARDED_BY(mu_) = nullptr;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;  // counts jobs handed to the helpers
  size_t helpers_busy_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> helpers_;
};

// Runs body(i) for every i in [0, count): on `pool` in blocks of `block` consecutive indices
// (fewer, larger parts cost less to hand out), or on the caller alone when `pool` is null or
// there is at most one block.
inline void ForEachInBlocks(ForkJoinPool* pool, size_t count, size_t block,
                            absl::FunctionRef<void(size_t)> body) {
  const size_t blocks = block == 0 ? 0 : (count + block - 1) / block;
  if (pool == nullptr || blocks <= 1) {
    for (size_t i = 0; i < count; ++i) body(i);
    return;
  }
  pool->ForEach(blocks, [&](size_t b) {
    const size_t end = std::min(count, (b + 1) * block);
    for (size_t i = b * block; i < end; ++i) body(i);
  });
}

}  // namespace omnia::base

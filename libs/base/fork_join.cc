#include "libs/base/fork_join.h"

#include <algorithm>
#include <utility>

#include "libs/base/thread_priority.h"

namespace omnia::base {

struct ForkJoinPool::Job {
  Job(size_t parts, absl::FunctionRef<void(size_t)> part) : count(parts), body(part) {}
  const size_t count;
  const absl::FunctionRef<void(size_t)> body;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  absl::Mutex error_mu;
  std::exception_ptr error ABSL_GUARDED_BY(error_mu);
};

ForkJoinPool::ForkJoinPool(int helpers, HelperPriority priority) {
  helpers_.reserve(static_cast<size_t>(std::max(helpers, 0)));
  for (int i = 0; i < helpers; ++i) {
    helpers_.emplace_back([this, priority] { HelperLoop(priority); });
  }
}

ForkJoinPool::~ForkJoinPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& helper : helpers_) helper.join();
}

void ForkJoinPool::RunParts(Job& job) {
  for (size_t i = job.next.fetch_add(1); i < job.count; i = job.next.fetch_add(1)) {
    if (job.failed.load(std::memory_order_relaxed)) continue;  // skip what is left
    try {
      job.body(i);
    } catch (...) {
      absl::MutexLock lock(&job.error_mu);
      if (job.error == nullptr) job.error = std::current_exception();
      job.failed.store(true, std::memory_order_relaxed);
    }
  }
}

void ForkJoinPool::ForEach(size_t count, absl::FunctionRef<void(size_t)> body) {
  if (helpers_.empty() || count <= 1) {
    for (size_t i = 0; i < count; ++i) body(i);
    return;
  }
  absl::MutexLock run(&run_mu_);
  Job job(count, body);
  {
    absl::MutexLock lock(&mu_);
    job_ = &job;
    ++generation_;
    helpers_busy_ = helpers_.size();
  }
  RunParts(job);
  {
    absl::MutexLock lock(&mu_);
    // Every helper has left the job before it goes out of scope.
    mu_.Await(absl::Condition(
        +[](size_t* busy) { return *busy == 0; }, &helpers_busy_));
    job_ = nullptr;
  }
  absl::MutexLock lock(&job.error_mu);
  if (job.error != nullptr) std::rethrow_exception(job.error);
}

void ForkJoinPool::HelperLoop(HelperPriority priority) {
  LowerThisThreadPriority(priority.nice);
  if (priority.idle_processors_only) RunThisThreadOnlyOnIdleProcessors();
  uint64_t seen = 0;
  while (true) {
    Job* job = nullptr;
    {
      absl::MutexLock lock(&mu_);
      const auto woken = [this, &seen] { return stopping_ || generation_ != seen; };
      mu_.Await(absl::Condition(&woken));
      if (stopping_) return;
      seen = generation_;
      job = job_;
    }
    RunParts(*job);
    absl::MutexLock lock(&mu_);
    --helpers_busy_;
  }
}

}  // namespace omnia::base

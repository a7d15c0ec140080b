#include "libs/server/executor.h"

#include <sys/resource.h>
#include <unistd.h>

namespace omnia::server {

Executor::Executor(int threads, int niceness) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, niceness] {
      // On Linux a thread id names one thread here. A failure leaves the inherited priority,
      // which only costs latency elsewhere.
      if (niceness > 0) {
        const auto thread = static_cast<id_t>(gettid());
        (void)setpriority(PRIO_PROCESS, thread, getpriority(PRIO_PROCESS, thread) + niceness);
      }
      Work();
    });
  }
}

Executor::~Executor() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
}

void Executor::Submit(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  tasks_.push_back(std::move(task));
}

void Executor::Work() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Executor* e)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(e->mu_) { return e->stopping_ || !e->tasks_.empty(); },
          this));
      if (tasks_.empty()) return;  // stopping, and nothing left to run
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace omnia::server

// A small fixed pool of threads for handler work that blocks (synced disk writes, file I/O), so
// gRPC's callback threads are never held up waiting on a disk.
#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace omnia::server {

class Executor {
 public:
  // `nice`: the threads' nice value is made at least this (libs/base/thread_priority.h), for an
  // executor doing bulk write work that interactive reads should overtake; 0 leaves them at the
  // process's priority.
  explicit Executor(int threads, int nice = 0);
  // Runs every task already submitted, then joins the threads.
  ~Executor();

  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  void Submit(std::function<void()> task);

 private:
  void Work();

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace omnia::server

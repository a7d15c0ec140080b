// Time as a dependency: code that reads the time takes a Clock so tests can control it.
#pragma once

#include <chrono>
#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace omnia {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for dates that users see (publication dates, log lines).
  virtual absl::Time Now() const = 0;
  // A monotonic reading in nanoseconds, for measuring durations; never goes backwards.
  virtual int64_t MonotonicNanos() const = 0;
};

class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  int64_t MonotonicNanos() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that only moves when told to; for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override { return now_; }
  int64_t MonotonicNanos() const override { return absl::ToInt64Nanoseconds(now_ - start_); }
  void Advance(absl::Duration d) { now_ += d; }

 private:
  absl::Time start_ = absl::UnixEpoch();
  absl::Time now_;
};

}  // namespace omnia

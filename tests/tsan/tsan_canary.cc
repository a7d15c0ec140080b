// Two threads share a counter. In mode "race" nothing orders them, and ThreadSanitizer must say
// so; in the other modes an Abseil primitive orders them, and it must stay silent. Without the
// annotations of tests/support/tsan_absl_annotations.cc every Abseil mode is a false report, and
// without a working sanitizer the "race" mode is silent: either way a ctest check fails.

#include <cstdio>
#include <functional>
#include <string_view>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace {

constexpr int kIncrements = 20000;

int Race() {
  long counter = 0;
  auto work = [&] {
    for (int i = 0; i < kIncrements; ++i) ++counter;
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  return 0;
}

int Mutex(bool readers) {
  absl::Mutex mu;
  long counter = 0;
  long seen = 0;
  auto write = [&] {
    for (int i = 0; i < kIncrements; ++i) {
      absl::MutexLock lock(&mu);
      ++counter;
    }
  };
  auto read = [&] {
    for (int i = 0; i < kIncrements; ++i) {
      absl::ReaderMutexLock lock(&mu);
      seen += counter > 0;
    }
  };
  std::thread a(write);
  std::thread b(readers ? std::function<void()>(read) : std::function<void()>(write));
  a.join();
  b.join();
  return readers || counter == 2 * kIncrements ? 0 : 1;
}

// A value handed from a producer thread to this one under `mu`, the wait done by `wait`
// (CondVar::Wait or Mutex::Await): 0 when it arrived intact.
struct Handoff {
  absl::Mutex mu;
  absl::CondVar cv;
  bool ready = false;
  int value = 0;
};

template <typename Wait>
int ReceiveFromProducer(Wait wait) {
  Handoff handoff;
  std::thread producer([&] {
    absl::MutexLock lock(&handoff.mu);
    handoff.value = 42;
    handoff.ready = true;
    handoff.cv.Signal();
  });
  int observed;
  {
    absl::MutexLock lock(&handoff.mu);
    wait(handoff);
    observed = handoff.value;
  }
  producer.join();
  return observed == 42 ? 0 : 1;
}

int CondVar() {
  return ReceiveFromProducer([](Handoff& handoff) {
    while (!handoff.ready) handoff.cv.Wait(&handoff.mu);
  });
}

int Await() {
  return ReceiveFromProducer(
      [](Handoff& handoff) { handoff.mu.Await(absl::Condition(&handoff.ready)); });
}

int Notification() {
  absl::Notification done;
  int value = 0;
  std::thread producer([&] {
    value = 42;
    done.Notify();
  });
  done.WaitForNotification();
  const int observed = value;
  producer.join();
  return observed == 42 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc > 1 ? argv[1] : "";
  if (mode == "race") return Race();
  if (mode == "mutex") return Mutex(/*readers=*/false);
  if (mode == "reader_lock") return Mutex(/*readers=*/true);
  if (mode == "condvar") return CondVar();
  if (mode == "await") return Await();
  if (mode == "notification") return Notification();
  std::fprintf(stderr, "usage: tsan_canary race|mutex|reader_lock|condvar|await|notification\n");
  return 2;
}

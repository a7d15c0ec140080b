// ThreadSanitizer annotations for the distribution's uninstrumented Abseil.
//
// Debian builds libabsl_synchronization without -fsanitize=thread, so ThreadSanitizer cannot see
// the happens-before edges an absl::Mutex creates: two threads incrementing a counter under the
// same absl::MutexLock are reported as a data race. Abseil's own sanitizer build tells the runtime
// about every lock and unlock through the __tsan_mutex_* interface; this file does the same from
// outside. It is linked only into the ThreadSanitizer build (OMNIA_TSAN), as objects of every
// executable, so its definitions of absl::Mutex, absl::CondVar and absl::Notification members
// take the place of the shared library's (ELF symbol interposition, also for the calls made from
// inside gRPC and Abseil). Each one annotates and then calls the library's own function, found
// with dlsym(RTLD_NEXT).
//
// Memory accesses between a pre_* and post_* annotation are ignored by the runtime, which is what
// Abseil's instrumented build does too: the condition functions a Mutex evaluates on behalf of
// other waiters run inside those windows.

#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/base/options.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

#if !defined(ABSL_HAVE_THREAD_SANITIZER)
#error "tsan_absl_annotations.cc belongs to the ThreadSanitizer build only"
#endif

namespace {

#define OMNIA_STRINGIFY_INNER(x) #x
#define OMNIA_STRINGIFY(x) OMNIA_STRINGIFY_INNER(x)

// The Itanium-mangled name of absl::<nested>, e.g. nested "5Mutex4LockEv" → the mangled
// absl::debian3::Mutex::Lock(). `const_member` selects the N K prefix of const members.
std::string MangledAbslName(std::string_view nested, bool const_member = false) {
  std::string name = const_member ? "_ZNK4absl" : "_ZN4absl";
#if ABSL_OPTION_USE_INLINE_NAMESPACE
  const std::string_view inline_namespace = OMNIA_STRINGIFY(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  name += std::to_string(inline_namespace.size());
  name += inline_namespace;
#endif
  name += nested;
  return name;
}

// The next definition of the symbol after this executable's, i.e. the shared library's.
template <typename Function>
Function Next(std::string_view nested, bool const_member = false) {
  const std::string name = MangledAbslName(nested, const_member);
  void* address = dlsym(RTLD_NEXT, name.c_str());
  if (address == nullptr) {
    std::fprintf(stderr, "ThreadSanitizer annotations: %s not found in the Abseil library\n",
                 name.c_str());
    std::abort();
  }
  return reinterpret_cast<Function>(address);
}

// Abseil's own functions call each other (CondVar::WaitWithTimeout calls WaitWithDeadline,
// Notification::Notify locks its Mutex); those inner calls reach these definitions too. Only the
// outermost call of a thread is annotated, or one release would be announced twice.
thread_local int interposed_depth = 0;

class OutermostCall {
 public:
  OutermostCall() : outermost_(interposed_depth++ == 0) {}
  ~OutermostCall() { --interposed_depth; }
  OutermostCall(const OutermostCall&) = delete;
  OutermostCall& operator=(const OutermostCall&) = delete;
  bool outermost() const { return outermost_; }

 private:
  const bool outermost_;
};

constexpr unsigned kRead = __tsan_mutex_read_lock;
constexpr unsigned kTry = __tsan_mutex_try_lock;

// Calls `call` between lock annotations of `mu` in the given mode; returns what it returns.
template <typename Call>
auto AnnotatedLock(void* mu, unsigned flags, Call call) {
  const OutermostCall scope;
  if (!scope.outermost()) return call();
  __tsan_mutex_pre_lock(mu, flags);
  auto result = call();
  __tsan_mutex_post_lock(mu, flags, 0);
  return result;
}

template <typename Call>
void AnnotatedUnlock(void* mu, unsigned flags, Call call) {
  const OutermostCall scope;
  if (!scope.outermost()) return call();
  __tsan_mutex_pre_unlock(mu, flags);
  call();
  __tsan_mutex_post_unlock(mu, flags);
}

// For calls that release `mu`, block, and take it again before returning (Await, CondVar::Wait):
// the release is published before the call and the acquisition observed after it. The call runs
// inside the unlock's ignore window, like the condition evaluations of an instrumented Abseil: it
// reads the guarded state while the real mutex is held but the sanitizer counts it released.
template <typename Call>
auto AnnotatedRelock(void* mu, Call call) {
  const OutermostCall scope;
  if (!scope.outermost()) return call();
  __tsan_mutex_pre_unlock(mu, 0);
  auto result = call();
  __tsan_mutex_post_unlock(mu, 0);
  __tsan_mutex_pre_lock(mu, 0);
  __tsan_mutex_post_lock(mu, 0, 0);
  return result;
}

using Condition = absl::Condition;
using Duration = absl::Duration;
using Time = absl::Time;
using VoidFn = void (*)(void*);
using BoolFn = bool (*)(void*);
using CondFn = void (*)(void*, const Condition&);
using CondTimeoutFn = bool (*)(void*, const Condition&, Duration);
using CondDeadlineFn = bool (*)(void*, const Condition&, Time);

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  static const auto next = Next<VoidFn>("5Mutex4LockEv");
  AnnotatedLock(this, 0, [&] { return next(this), 0; });
}

void Mutex::ReaderLock() {
  static const auto next = Next<VoidFn>("5Mutex10ReaderLockEv");
  AnnotatedLock(this, kRead, [&] { return next(this), 0; });
}

bool Mutex::TryLock() {
  static const auto next = Next<BoolFn>("5Mutex7TryLockEv");
  const OutermostCall scope;
  if (!scope.outermost()) return next(this);
  __tsan_mutex_pre_lock(this, kTry);
  const bool locked = next(this);
  __tsan_mutex_post_lock(this, kTry | (locked ? 0 : __tsan_mutex_try_lock_failed), 0);
  return locked;
}

bool Mutex::ReaderTryLock() {
  static const auto next = Next<BoolFn>("5Mutex13ReaderTryLockEv");
  const OutermostCall scope;
  if (!scope.outermost()) return next(this);
  __tsan_mutex_pre_lock(this, kRead | kTry);
  const bool locked = next(this);
  __tsan_mutex_post_lock(this, kRead | kTry | (locked ? 0 : __tsan_mutex_try_lock_failed), 0);
  return locked;
}

void Mutex::Unlock() {
  static const auto next = Next<VoidFn>("5Mutex6UnlockEv");
  AnnotatedUnlock(this, 0, [&] { next(this); });
}

void Mutex::ReaderUnlock() {
  static const auto next = Next<VoidFn>("5Mutex12ReaderUnlockEv");
  AnnotatedUnlock(this, kRead, [&] { next(this); });
}

void Mutex::LockWhen(const Condition& cond) {
  static const auto next = Next<CondFn>("5Mutex8LockWhenERKNS0_9ConditionE");
  AnnotatedLock(this, 0, [&] { return next(this, cond), 0; });
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  static const auto next = Next<CondFn>("5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  AnnotatedLock(this, kRead, [&] { return next(this, cond), 0; });
}

// The *WithTimeout/*WithDeadline variants hold the mutex on return whatever they answer.
bool Mutex::LockWhenWithTimeout(const Condition& cond, Duration timeout) {
  static const auto next =
      Next<CondTimeoutFn>("5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  return AnnotatedLock(this, 0, [&] { return next(this, cond, timeout); });
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, Duration timeout) {
  static const auto next =
      Next<CondTimeoutFn>("5Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  return AnnotatedLock(this, kRead, [&] { return next(this, cond, timeout); });
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, Time deadline) {
  static const auto next =
      Next<CondDeadlineFn>("5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return AnnotatedLock(this, 0, [&] { return next(this, cond, deadline); });
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, Time deadline) {
  static const auto next =
      Next<CondDeadlineFn>("5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return AnnotatedLock(this, kRead, [&] { return next(this, cond, deadline); });
}

void Mutex::Await(const Condition& cond) {
  static const auto next = Next<CondFn>("5Mutex5AwaitERKNS0_9ConditionE");
  AnnotatedRelock(this, [&] { return next(this, cond), 0; });
}

bool Mutex::AwaitWithTimeout(const Condition& cond, Duration timeout) {
  static const auto next =
      Next<CondTimeoutFn>("5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  return AnnotatedRelock(this, [&] { return next(this, cond, timeout); });
}

bool Mutex::AwaitWithDeadline(const Condition& cond, Time deadline) {
  static const auto next =
      Next<CondDeadlineFn>("5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return AnnotatedRelock(this, [&] { return next(this, cond, deadline); });
}

void CondVar::Wait(Mutex* mu) {
  static const auto next = Next<void (*)(void*, Mutex*)>("7CondVar4WaitEPNS0_5MutexE");
  AnnotatedRelock(mu, [&] { return next(this, mu), 0; });
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  static const auto next = Next<bool (*)(void*, Mutex*, Duration)>(
      "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  return AnnotatedRelock(mu, [&] { return next(this, mu, timeout); });
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  static const auto next =
      Next<bool (*)(void*, Mutex*, Time)>("7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  return AnnotatedRelock(mu, [&] { return next(this, mu, deadline); });
}

// A Notification's waiter may return on an atomic flag alone, without taking the mutex, so the
// edge from Notify to the waiter is published on the object itself.
void Notification::Notify() {
  static const auto next = Next<VoidFn>("12Notification6NotifyEv");
  const OutermostCall scope;
  if (scope.outermost()) __tsan_release(this);
  next(this);
}

void Notification::WaitForNotification() const {
  static const auto next = Next<void (*)(const void*)>("12Notification19WaitForNotificationEv",
                                                       /*const_member=*/true);
  const OutermostCall scope;
  next(this);
  if (scope.outermost()) __tsan_acquire(const_cast<Notification*>(this));
}

bool Notification::WaitForNotificationWithTimeout(Duration timeout) const {
  static const auto next = Next<bool (*)(const void*, Duration)>(
      "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE", /*const_member=*/true);
  const OutermostCall scope;
  const bool notified = next(this, timeout);
  if (notified && scope.outermost()) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(Time deadline) const {
  static const auto next = Next<bool (*)(const void*, Time)>(
      "12Notification31WaitForNotificationWithDeadlineENS0_4TimeE", /*const_member=*/true);
  const OutermostCall scope;
  const bool notified = next(this, deadline);
  if (notified && scope.outermost()) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

// A Status shares its heap representation between copies through a reference count kept in the
// uninstrumented library; the copy that drops the last reference deletes it. Every unref publishes
// what its thread did with the representation, and observes what the others published, so the
// final delete is ordered after every use.
void Status::UnrefNonInlined(uintptr_t rep) {
  static const auto next = Next<void (*)(uintptr_t)>("6Status15UnrefNonInlinedEm");
  void* shared = reinterpret_cast<void*>(rep);
  __tsan_release(shared);
  __tsan_acquire(shared);
  next(rep);
}

ABSL_NAMESPACE_END
}  // namespace absl

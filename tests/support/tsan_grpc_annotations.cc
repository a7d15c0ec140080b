// ThreadSanitizer annotations for the distribution's uninstrumented gRPC (see
// tsan_absl_annotations.cc for the mechanism).
//
// A callback service may be destroyed once grpc::Server::Shutdown has returned: gRPC waits for
// every call's OnDone first. It counts outstanding calls with an atomic that each finished call
// decrements (Server::UnrefWithPossibleNotify); only the last one takes the mutex Shutdown waits
// on (Server::UnrefAndWaitLocked). The sanitizer sees neither the atomic nor its ordering, so
// without these annotations every member a reactor touches in OnDone would be reported as racing
// with the service's destructor.

#include <dlfcn.h>
#include <grpcpp/server.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

namespace {

void* NextGrpcSymbol(const char* name) {
  void* address = dlsym(RTLD_NEXT, name);
  if (address == nullptr) {
    std::fprintf(stderr, "ThreadSanitizer annotations: %s not found in libgrpc++\n", name);
    std::abort();
  }
  return address;
}

}  // namespace

namespace grpc {

void Server::UnrefWithPossibleNotify() {
  static const auto next = reinterpret_cast<void (*)(Server*)>(
      NextGrpcSymbol("_ZN4grpc6Server23UnrefWithPossibleNotifyEv"));
  __tsan_release(this);
  next(this);
}

void Server::UnrefAndWaitLocked() {
  static const auto next =
      reinterpret_cast<void (*)(Server*)>(NextGrpcSymbol("_ZN4grpc6Server18UnrefAndWaitLockedEv"));
  next(this);
  __tsan_acquire(this);
}

}  // namespace grpc

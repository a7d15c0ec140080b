#include "libs/gateway/concurrency_limit.h"

#include <algorithm>

namespace omnia::gateway {

ConcurrencyLimit::ConcurrencyLimit(int max_in_flight)
    : max_in_flight_(std::max(1, max_in_flight)) {}

std::unique_ptr<ConcurrencyLimit::Slot> ConcurrencyLimit::TryAcquire() {
  int held = in_flight_->load();
  while (held < max_in_flight_) {
    if (in_flight_->compare_exchange_weak(held, held + 1)) {
      return std::unique_ptr<Slot>(new Slot(in_flight_));
    }
  }
  return nullptr;
}

}  // namespace omnia::gateway

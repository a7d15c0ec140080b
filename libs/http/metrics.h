// Prometheus metrics of the HTTP face, per route pattern (few values, never a raw path), method
// and status.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

#include "absl/time/time.h"

namespace omnia::http {

class HttpMetrics {
 public:
  explicit HttpMetrics(prometheus::Registry& registry);

  void RequestStarted() { in_flight_.Increment(); }
  void RequestEnded() { in_flight_.Decrement(); }
  // One answered request: counted by route, method and status; its duration (including the
  // body transfer) and body bytes by route.
  void Observe(const std::string& route, const std::string& method, int status, uint64_t bytes,
               absl::Duration duration);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& seconds_;
  prometheus::Family<prometheus::Counter>& bytes_;
  prometheus::Gauge& in_flight_;
};

}  // namespace omnia::http

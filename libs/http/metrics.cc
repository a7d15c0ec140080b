#include "libs/http/metrics.h"

#include <prometheus/counter.h>

namespace omnia::http {

HttpMetrics::HttpMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("omnia_http_requests_total")
                    .Help("HTTP requests answered, by route pattern, method and status.")
                    .Register(registry)),
      seconds_(prometheus::BuildHistogram()
                   .Name("omnia_http_request_duration_seconds")
                   .Help("Time from routing a request to the end of its response body.")
                   .Register(registry)),
      bytes_(prometheus::BuildCounter()
                 .Name("omnia_http_response_body_bytes_total")
                 .Help("Response body bytes sent, by route pattern.")
                 .Register(registry)),
      in_flight_(prometheus::BuildGauge()
                     .Name("omnia_http_requests_in_flight")
                     .Help("HTTP requests being answered.")
                     .Register(registry)
                     .Add({})) {}

void HttpMetrics::Observe(const std::string& route, const std::string& method, int status,
                          uint64_t bytes, absl::Duration duration) {
  requests_.Add({{"route", route}, {"method", method}, {"status", std::to_string(status)}})
      .Increment();
  seconds_
      .Add({{"route", route}},
           prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30})
      .Observe(absl::ToDoubleSeconds(duration));
  bytes_.Add({{"route", route}}).Increment(static_cast<double>(bytes));
}

}  // namespace omnia::http

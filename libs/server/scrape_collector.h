// Domain metrics read at scrape time: a service describes its current state (counters it already
// keeps, backlog, cube sizes) in a callback, instead of mirroring every change into Prometheus
// objects as it happens.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace omnia::server {

class MetricsBuilder {
 public:
  using Labels = std::map<std::string, std::string>;
  // Names follow Prometheus conventions: omnia_ prefix, base units, counters end in _total.
  void Counter(const std::string& name, const std::string& help, double value,
               const Labels& labels = {});
  void Gauge(const std::string& name, const std::string& help, double value,
             const Labels& labels = {});
  std::vector<prometheus::MetricFamily> Take();

 private:
  void Add(prometheus::MetricType type, const std::string& name, const std::string& help,
           double value, const Labels& labels);
  std::vector<prometheus::MetricFamily> families_;
};

// Bytes of the regular files under `path` (0 if it does not exist): a store's size on disk.
uint64_t DirectoryBytes(const std::string& path);

class ScrapeCollector final : public prometheus::Collectable {
 public:
  explicit ScrapeCollector(std::function<void(MetricsBuilder&)> fill) : fill_(std::move(fill)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::function<void(MetricsBuilder&)> fill_;
};

}  // namespace omnia::server

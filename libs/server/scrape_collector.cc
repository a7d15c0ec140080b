#include "libs/server/scrape_collector.h"

#include <filesystem>

namespace omnia::server {

uint64_t DirectoryBytes(const std::string& path) {
  uint64_t bytes = 0;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(path, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file(error)) bytes += it->file_size(error);
  }
  return bytes;
}

void MetricsBuilder::Counter(const std::string& name, const std::string& help, double value,
                             const Labels& labels) {
  Add(prometheus::MetricType::Counter, name, help, value, labels);
}

void MetricsBuilder::Gauge(const std::string& name, const std::string& help, double value,
                           const Labels& labels) {
  Add(prometheus::MetricType::Gauge, name, help, value, labels);
}

void MetricsBuilder::Add(prometheus::MetricType type, const std::string& name,
                         const std::string& help, double value, const Labels& labels) {
  prometheus::MetricFamily* family = nullptr;
  for (auto& f : families_) {
    if (f.name == name) family = &f;
  }
  if (family == nullptr) {
    families_.push_back(prometheus::MetricFamily{name, help, type, {}});
    family = &families_.back();
  }
  prometheus::ClientMetric metric;
  for (const auto& [key, val] : labels) metric.label.push_back({key, val});
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family->metric.push_back(std::move(metric));
}

std::vector<prometheus::MetricFamily> MetricsBuilder::Take() { return std::move(families_); }

std::vector<prometheus::MetricFamily> ScrapeCollector::Collect() const {
  MetricsBuilder builder;
  fill_(builder);
  return builder.Take();
}

}  // namespace omnia::server

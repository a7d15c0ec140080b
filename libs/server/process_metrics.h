// The metrics every Prometheus client library exports about its process (process_cpu_seconds_total,
// process_resident_memory_bytes, process_open_fds, process_start_time_seconds), read from /proc at
// each scrape, and omnia_build_info{version,commit}, the release a dashboard is looking at.
#pragma once

#include <prometheus/collectable.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "libs/server/scrape_collector.h"

namespace omnia::server {

struct ProcessStats {
  double cpu_seconds = 0;  // user + system
  uint64_t resident_bytes = 0;
  uint64_t open_fds = 0;
  double start_time_seconds = 0;  // since the Unix epoch
};

// Reads the stats of the process whose /proc directory is `proc_self` ("/proc/self" for this
// one); `proc` is the /proc root, for the boot time. Nullopt when the files cannot be read or
// parsed (not Linux).
std::optional<ProcessStats> ReadProcessStats(const std::string& proc_self = "/proc/self",
                                             const std::string& proc = "/proc");

// The version of the CMake project and the git commit it was configured from ("unknown" outside
// a git checkout).
std::string BuildVersion();
std::string BuildCommit();

// Adds the process_* metrics (when /proc can be read) and omnia_build_info to `out`.
void AddProcessAndBuildMetrics(MetricsBuilder& out);

// A collectable serving AddProcessAndBuildMetrics at each scrape.
std::shared_ptr<prometheus::Collectable> ProcessAndBuildCollector();

}  // namespace omnia::server

#include "libs/server/process_metrics.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace omnia::server {
namespace {

std::optional<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The fields of /proc/PID/stat after the command name, which is in parentheses and may itself
// hold spaces and parentheses: fields[0] is the state (field 3 of proc(5)).
std::vector<std::string> StatFieldsAfterName(const std::string& stat) {
  std::vector<std::string> fields;
  const size_t name_end = stat.rfind(')');
  if (name_end == std::string::npos) return fields;
  std::istringstream rest(stat.substr(name_end + 1));
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

// The btime line of /proc/stat: boot time in seconds since the epoch.
std::optional<double> BootTimeSeconds(const std::string& proc) {
  std::ifstream in(proc + "/stat");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  }
  return std::nullopt;
}

}  // namespace

std::optional<ProcessStats> ReadProcessStats(const std::string& proc_self,
                                             const std::string& proc) {
  const std::optional<std::string> stat = ReadWhole(proc_self + "/stat");
  const std::optional<double> boot = BootTimeSeconds(proc);
  if (!stat || !boot) return std::nullopt;
  // proc(5) numbers fields from 1 with the pid first and the name second; fields[0] is field 3.
  const std::vector<std::string> fields = StatFieldsAfterName(*stat);
  const auto field = [&](int number) { return fields.at(static_cast<size_t>(number - 3)); };
  if (fields.size() < 22) return std::nullopt;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  ProcessStats stats;
  try {
    stats.cpu_seconds = (std::stod(field(14)) + std::stod(field(15))) / ticks;
    stats.start_time_seconds = *boot + std::stod(field(22)) / ticks;
    stats.resident_bytes = std::stoull(field(24)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator(proc_self + "/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++stats.open_fds;
  }
  return stats;
}

std::string BuildVersion() { return OMNIA_VERSION; }
std::string BuildCommit() { return OMNIA_GIT_COMMIT; }

void AddProcessAndBuildMetrics(MetricsBuilder& out) {
  out.Gauge("omnia_build_info", "The running release: always 1, labelled with version and commit.",
            1, {{"version", BuildVersion()}, {"commit", BuildCommit()}});
  const std::optional<ProcessStats> stats = ReadProcessStats();
  if (!stats) return;
  out.Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
              stats->cpu_seconds);
  out.Gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
            static_cast<double>(stats->resident_bytes));
  out.Gauge("process_open_fds", "Number of open file descriptors.",
            static_cast<double>(stats->open_fds));
  out.Gauge("process_start_time_seconds",
            "Start time of the process since the Unix epoch in seconds.",
            stats->start_time_seconds);
}

std::shared_ptr<prometheus::Collectable> ProcessAndBuildCollector() {
  return std::make_shared<ScrapeCollector>(AddProcessAndBuildMetrics);
}

}  // namespace omnia::server

// The process_* metrics as read from /proc, on a crafted /proc tree and on this process.
#include "libs/server/process_metrics.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/time/clock.h"
#include "tests/support/child_process.h"

namespace omnia::server {
namespace {

TEST(ProcessMetricsTest, ParsesStatWhateverTheCommandName) {
  testing::TempDir dir;
  const std::string proc = dir.path();
  const std::string self = proc + "/4242";
  std::filesystem::create_directories(self + "/fd");
  for (const char* fd : {"0", "1", "2", "7"}) std::ofstream(self + "/fd/" + fd) << "";
  std::ofstream(proc + "/stat") << "cpu  1 2 3\nbtime 1700000000\nprocesses 9\n";
  // proc(5) fields 3..24; the name may hold spaces and parentheses. utime (14) = 250 ticks,
  // stime (15) = 150 ticks, starttime (22) = 1000 ticks, rss (24) = 300 pages.
  std::ofstream(self + "/stat") << "4242 (omnia (odd) name) S 1 2 3 4 5 6 7 8 9 10 250 150 0 0 20 "
                                   "0 8 0 1000 123456 300 18446744073709551615\n";
  const std::optional<ProcessStats> stats = ReadProcessStats(self, proc);
  ASSERT_TRUE(stats.has_value());
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  EXPECT_DOUBLE_EQ(stats->cpu_seconds, 400 / ticks);
  EXPECT_DOUBLE_EQ(stats->start_time_seconds, 1700000000 + 1000 / ticks);
  EXPECT_EQ(stats->resident_bytes, 300u * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));
  EXPECT_EQ(stats->open_fds, 4u);
}

TEST(ProcessMetricsTest, UnreadableProcGivesNothing) {
  testing::TempDir dir;
  EXPECT_FALSE(ReadProcessStats(dir.path() + "/self", dir.path()).has_value());
}

TEST(ProcessMetricsTest, DescribesThisProcess) {
  const std::optional<ProcessStats> before = ReadProcessStats();
  ASSERT_TRUE(before.has_value());
  const double now = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  EXPECT_LE(before->start_time_seconds, now + 1);
  EXPECT_GT(before->start_time_seconds, now - 3600);
  EXPECT_GT(before->resident_bytes, 1u << 20);
  const int fd = open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  const std::optional<ProcessStats> after = ReadProcessStats();
  close(fd);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->open_fds, before->open_fds + 1);
  EXPECT_GE(after->cpu_seconds, before->cpu_seconds);
}

TEST(ProcessMetricsTest, BuildInfoNamesTheReleaseAndCommit) {
  EXPECT_EQ(BuildVersion(), OMNIA_PROJECT_VERSION);
  const std::string commit = BuildCommit();
  EXPECT_TRUE(
      commit == "unknown" ||
      (commit.size() == 12 && commit.find_first_not_of("0123456789abcdef") == std::string::npos))
      << commit;
  MetricsBuilder metrics;
  AddProcessAndBuildMetrics(metrics);
  std::vector<std::string> names;
  for (const auto& family : metrics.Take()) names.push_back(family.name);
  EXPECT_EQ(names, (std::vector<std::string>{"omnia_build_info", "process_cpu_seconds_total",
                                             "process_resident_memory_bytes", "process_open_fds",
                                             "process_start_time_seconds"}));
}

}  // namespace
}  // namespace omnia::server

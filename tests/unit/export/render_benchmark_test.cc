// Render times of the Storico WORKERS report (2020-2025, 8640 cells) in every format. Disabled
// in the normal run (timings are not assertions on a shared machine); run with
//   export_writers_test --gtest_also_run_disabled_tests --gtest_filter='*Benchmark*'
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/domain/codelists.h"
#include "libs/export/writers.h"
#include "tests/unit/export/export_test_util.h"

namespace omnia::exporter {
namespace {

// Counts bytes and drops them, as a network stream would hand them on.
class CountingSink : public ChunkSink {
 public:
  absl::Status Write(std::string_view bytes) override {
    size += bytes.size();
    return absl::OkStatus();
  }
  uint64_t size = 0;
};

TEST(RenderBenchmark, DISABLED_StoricoWorkersInEveryFormat) {
  const domain::Codelists lists = domain::Codelists::Builtin();
  const ExportInput input = testing::StoricoWorkers(lists);
  testing::TempDir dir;
  WriteOptions options;
  options.xlsx.temp_dir = dir.path();
  constexpr int kRuns = 21;
  for (Format format :
       {Format::kCsv, Format::kJson, Format::kJsonStat, Format::kXml, Format::kXlsx}) {
    std::vector<double> ms;
    uint64_t size = 0;
    for (int run = 0; run < kRuns; ++run) {
      CountingSink sink;
      const auto start = std::chrono::steady_clock::now();
      const absl::StatusOr<WriteStats> stats = WriteFile(format, input, options, sink);
      const auto end = std::chrono::steady_clock::now();
      ASSERT_TRUE(stats.ok()) << stats.status();
      ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
      size = sink.size;
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms[kRuns / 2];
    std::printf("%-15s %9llu bytes  median %7.2f ms  min %7.2f ms  max %7.2f ms  %7.1f MB/s\n",
                std::string(FileExtension(format)).c_str(), static_cast<unsigned long long>(size),
                median, ms.front(), ms.back(), static_cast<double>(size) / 1e6 / (median / 1e3));
  }
}

}  // namespace
}  // namespace omnia::exporter

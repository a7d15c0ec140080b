// omnia-generate: writes a deterministic synthetic dataset as the design's two raw-event CSV files
// (applications.csv, payments.csv) in --out_dir, then prints counts, sizes and the time taken.
//
//   omnia-generate --out_dir=/tmp/omnia-data [--seed=1] [--first_year=2020] [--last_year=2025]
//                  [--payments=10000000] [--applications=1000000] [--workers=1000000]
//
// The same flags always produce the same bytes. Exit codes: 0 done, 1 write failed, 2 bad usage.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "libs/base/lock_checks.h"
#include "libs/synth/generator.h"

ABSL_FLAG(uint64_t, seed, omnia::synth::GeneratorOptions().seed, "seed of the dataset");
ABSL_FLAG(int, first_year, omnia::synth::GeneratorOptions().first_year, "first year covered");
ABSL_FLAG(int, last_year, omnia::synth::GeneratorOptions().last_year, "last year covered");
ABSL_FLAG(uint64_t, payments, omnia::synth::GeneratorOptions().payments,
          "exact number of payment events");
ABSL_FLAG(uint64_t, applications, omnia::synth::GeneratorOptions().applications,
          "exact number of application events");
ABSL_FLAG(uint64_t, workers, omnia::synth::GeneratorOptions().workers,
          "exact number of distinct workers paid (at most --payments)");
ABSL_FLAG(uint32_t, mobility_percent, 0,
          "percent (0..100) of payments whose region and type are drawn independently of the "
          "worker (workers who move between employers, firms with plants in several regions)");
ABSL_FLAG(uint32_t, duplicate_per_mille, 0,
          "per mille of payments written twice, as exact duplicate rows");
ABSL_FLAG(uint32_t, lowercase_per_mille, 0,
          "per mille of payments whose worker id is written in lower case");
ABSL_FLAG(std::string, out_dir, "", "directory for applications.csv and payments.csv (created)");

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

uintmax_t FileSize(const std::filesystem::path& path) {
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(path, error);
  return error ? 0 : size;
}

}  // namespace

int main(int argc, char** argv) {
  omnia::base::TurnOffMutexDeadlockDetection();
  // --help lists the flags of the main file; abseil would only look for a file named after the
  // binary (omnia-generate.cc).
  absl::FlagsUsageConfig usage_config;
  usage_config.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "generate_main.cc");
  };
  absl::SetFlagsUsageConfig(usage_config);
  absl::SetProgramUsageMessage(
      "Writes a deterministic synthetic dataset of raw INPS wage-supplementation events.\n"
      "Usage: omnia-generate --out_dir=DIR [--seed=N] [--first_year=Y] [--last_year=Y]\n"
      "       [--payments=N] [--applications=N] [--workers=N] [--mobility_percent=P]\n"
      "       [--duplicate_per_mille=M] [--lowercase_per_mille=M]");
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    std::fprintf(stderr, "omnia-generate: unexpected argument '%s'\n", positional[1]);
    return kExitUsage;
  }
  const std::string out_dir = absl::GetFlag(FLAGS_out_dir);
  if (out_dir.empty()) {
    std::fprintf(stderr, "omnia-generate: --out_dir is required\n");
    return kExitUsage;
  }
  omnia::synth::GeneratorOptions options;
  options.seed = absl::GetFlag(FLAGS_seed);
  options.first_year = absl::GetFlag(FLAGS_first_year);
  options.last_year = absl::GetFlag(FLAGS_last_year);
  options.payments = absl::GetFlag(FLAGS_payments);
  options.applications = absl::GetFlag(FLAGS_applications);
  options.workers = absl::GetFlag(FLAGS_workers);
  options.mobility_percent = absl::GetFlag(FLAGS_mobility_percent);
  options.duplicate_per_mille = absl::GetFlag(FLAGS_duplicate_per_mille);
  options.lowercase_per_mille = absl::GetFlag(FLAGS_lowercase_per_mille);
  if (absl::Status valid = omnia::synth::ValidateOptions(options); !valid.ok()) {
    std::fprintf(stderr, "omnia-generate: %s\n", std::string(valid.message()).c_str());
    return kExitUsage;
  }

  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) {
    std::fprintf(stderr, "omnia-generate: cannot create %s: %s\n", out_dir.c_str(),
                 error.message().c_str());
    return kExitFailure;
  }
  const std::filesystem::path applications_path =
      std::filesystem::path(out_dir) / "applications.csv";
  const std::filesystem::path payments_path = std::filesystem::path(out_dir) / "payments.csv";

  const auto start = std::chrono::steady_clock::now();
  const absl::Status written =
      omnia::synth::WriteRawCsv(options, applications_path.string(), payments_path.string());
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (!written.ok()) {
    std::fprintf(stderr, "omnia-generate: %s\n", std::string(written.message()).c_str());
    return kExitFailure;
  }
  std::printf("applications: %llu events, %llu bytes, %s\n",
              static_cast<unsigned long long>(options.applications),
              static_cast<unsigned long long>(FileSize(applications_path)),
              applications_path.c_str());
  std::printf("payments:     %llu events, %llu bytes, %s\n",
              static_cast<unsigned long long>(options.payments),
              static_cast<unsigned long long>(FileSize(payments_path)), payments_path.c_str());
  std::printf("workers:      %llu distinct\n", static_cast<unsigned long long>(options.workers));
  std::printf("seconds:      %.2f\n", elapsed.count());
  return kExitOk;
}

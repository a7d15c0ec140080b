// The omnia CLI as a user meets it: every command explains itself with --help, usage mistakes
// exit 2, and a failing server call is one clear line on stderr with exit code 1.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/support/child_process.h"

namespace omnia {
namespace {

struct CliRun {
  int exit_code;
  std::string output;
};

CliRun Omnia(const std::vector<std::string>& args) {
  testing::TempDir dir;
  testing::ChildProcess process(absl::StrCat(OMNIA_BINARY_DIR, "/tools/omnia"), args,
                                dir.path() + "/out.log");
  const std::optional<int> code = process.WaitForExit(absl::Seconds(30));
  return {code.value_or(-1), process.Log()};
}

TEST(CliTest, EveryCommandHasItsOwnHelp) {
  for (const char* command :
       {"ingest", "import", "query", "status", "stats", "freeze", "releases", "rebuild", "generate",
        "publish", "datasets", "dataset", "download", "health", "services", "metrics"}) {
    const CliRun run = Omnia({command, "--help"});
    EXPECT_EQ(run.exit_code, 0) << command;
    EXPECT_NE(run.output.find(absl::StrCat("omnia ", command)), std::string::npos)
        << command << ": " << run.output;
  }
  const CliRun help = Omnia({"help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("omnia download"), std::string::npos);
}

TEST(CliTest, UsageMistakesExitWithTwo) {
  EXPECT_EQ(Omnia({"no-such-command"}).exit_code, 2);
  EXPECT_EQ(Omnia({}).exit_code, 2);
  EXPECT_EQ(Omnia({"ingest"}).exit_code, 2);  // no file named
  EXPECT_EQ(Omnia({"freeze"}).exit_code, 2);  // no release id
}

TEST(CliTest, AnUnreachableServerIsOneClearLineAndExitOne) {
  const std::string address = absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
  const CliRun run = Omnia({"query", "--aggregation=" + address, "--timeout=1s"});
  EXPECT_EQ(run.exit_code, 1);
  const std::vector<std::string> lines = absl::StrSplit(run.output, '\n', absl::SkipWhitespace());
  ASSERT_EQ(lines.size(), 1u) << run.output;
  EXPECT_EQ(lines[0].rfind("omnia: " + address + ": ", 0), 0u) << lines[0];
}

TEST(CliTest, GeneratesADeterministicDataset) {
  testing::TempDir dir;
  for (const char* sub : {"a", "b"}) {
    const CliRun run = Omnia({"generate", "--payments=2000", "--applications=200", "--workers=300",
                              "--out_dir=" + dir.path() + "/" + sub});
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }
  const CliRun same = Omnia({"generate", "--payments=2000", "--applications=200", "--workers=300",
                             "--out_dir=" + dir.path() + "/c", "--seed=2"});
  ASSERT_EQ(same.exit_code, 0);
  auto read = [&](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  EXPECT_EQ(read(dir.path() + "/a/payments.csv"), read(dir.path() + "/b/payments.csv"));
  EXPECT_NE(read(dir.path() + "/a/payments.csv"), read(dir.path() + "/c/payments.csv"));
}

}  // namespace
}  // namespace omnia

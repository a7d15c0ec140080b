// The omnia CLI as a user meets it: every command explains itself with --help and takes only its
// own flags, usage mistakes (a bad flag included) exit 2, a failing server call is one clear line
// on stderr with exit code 1, and read commands print the response as CSV or in protobuf's JSON
// mapping.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/rpc/channel.h"
#include "tests/support/child_process.h"
#include "tests/support/fake_aggregation.h"

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
  EXPECT_EQ(Omnia({"ingest"}).exit_code, 2);             // no file named
  EXPECT_EQ(Omnia({"freeze"}).exit_code, 2);             // no release id
  EXPECT_EQ(Omnia({"dataset", "a", "b"}).exit_code, 2);  // one id only
}

TEST(CliTest, AFlagOfAnotherCommandIsRefusedWithTwoNamingIt) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"health", "--payments=5"},
        std::vector<std::string>{"query", "--wait_applied"},
        std::vector<std::string>{"generate", "--aggregation=127.0.0.1:1"},
        std::vector<std::string>{"status", "--no_such_flag=1"}}) {
    const CliRun run = Omnia(args);
    EXPECT_EQ(run.exit_code, 2) << args[0] << ": " << run.output;
    EXPECT_NE(run.output.find(args[1]), std::string::npos) << run.output;
  }
}

TEST(CliTest, AMalformedFlagValueExitsWithTwo) {
  EXPECT_EQ(Omnia({"health", "--wait=soon"}).exit_code, 2);
  EXPECT_EQ(Omnia({"generate", "--payments=many"}).exit_code, 2);
  EXPECT_EQ(Omnia({"query", "--format=yaml"}).exit_code, 2);
}

TEST(CliTest, PrintsItsVersionAndDocumentsItsExitCodes) {
  const CliRun version = Omnia({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output.rfind("omnia ", 0), 0u) << version.output;
  const CliRun help = Omnia({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("Exit codes: 0"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("OMNIA_AGGREGATION_ADDRESS"), std::string::npos) << help.output;
}

TEST(CliTest, AnUnreachableServerIsOneClearLineAndExitOne) {
  const std::string address = absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
  const CliRun run = Omnia({"query", "--aggregation=" + address, "--timeout=1s"});
  EXPECT_EQ(run.exit_code, 1);
  const std::vector<std::string> lines = absl::StrSplit(run.output, '\n', absl::SkipWhitespace());
  ASSERT_EQ(lines.size(), 1u) << run.output;
  EXPECT_EQ(lines[0].rfind("omnia: " + address + ": ", 0), 0u) << lines[0];
}

// Against a stand-in aggregation service on loopback.
class CliReadTest : public ::testing::Test {
 protected:
  // What aggregation answers to the query the CLI sends below, every page in one response.
  v1::QueryResponse Expected() {
    auto stub = v1::AggregationService::NewStub(rpc::CreateInsecureChannel(aggregation_.address()));
    v1::QueryRequest request;
    request.mutable_query()->add_measures("APPLICATIONS");
    request.mutable_query()->set_period_level(v1::PERIOD_LEVEL_YEAR);
    request.mutable_query()->set_region_level(v1::REGION_LEVEL_MACRO_AREA);
    request.mutable_query()->set_type_level(v1::TYPE_LEVEL_ALL);
    request.set_page_size(10000);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::QueryResponse response;
    EXPECT_TRUE(stub->Query(&context, request, &response).ok());
    response.clear_next_page_token();
    return response;
  }

  static std::vector<std::string> QueryArgs(const std::string& format) {
    return {"query", "--measures=APPLICATIONS", "--by=year,macro_area,all", "--format=" + format};
  }

  testing::FakeAggregation aggregation_{{2022, 2023}};
};

TEST_F(CliReadTest, JsonIsTheResponseInProtobufsJsonMapping) {
  std::vector<std::string> args = QueryArgs("json");
  args.push_back("--aggregation=" + aggregation_.address());
  const CliRun run = Omnia(args);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ASSERT_TRUE(nlohmann::json::accept(run.output)) << run.output;
  const nlohmann::json document = nlohmann::json::parse(run.output);
  ASSERT_TRUE(document.contains("cells")) << run.output;
  v1::QueryResponse printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(run.output, &printed).ok());
  const v1::QueryResponse expected = Expected();
  EXPECT_GT(expected.cells_size(), 0);
  EXPECT_EQ(document["cells"].size(), static_cast<size_t>(expected.cells_size()));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(printed, expected))
      << printed.DebugString();
}

TEST_F(CliReadTest, CsvIsAHeaderAndOneLinePerCell) {
  std::vector<std::string> args = QueryArgs("csv");
  args.push_back("--aggregation=" + aggregation_.address());
  const CliRun run = Omnia(args);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::vector<std::string> lines = absl::StrSplit(run.output, '\n', absl::SkipEmpty());
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "period,region,intervention_type,measure,value,provenance");
  EXPECT_EQ(lines.size(), static_cast<size_t>(Expected().cells_size()) + 1);
}

TEST_F(CliReadTest, AddressesComeFromTheEnvironmentAndFlagsOverrideThem) {
  ASSERT_EQ(setenv("OMNIA_AGGREGATION_ADDRESS", aggregation_.address().c_str(), 1), 0);
  const CliRun from_env = Omnia(QueryArgs("json"));
  EXPECT_EQ(from_env.exit_code, 0) << from_env.output;
  const std::string elsewhere = absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
  std::vector<std::string> args = QueryArgs("json");
  args.push_back("--aggregation=" + elsewhere);
  args.push_back("--timeout=1s");
  const CliRun overridden = Omnia(args);
  unsetenv("OMNIA_AGGREGATION_ADDRESS");
  EXPECT_EQ(overridden.exit_code, 1);
  EXPECT_EQ(overridden.output.rfind("omnia: " + elsewhere + ": ", 0), 0u) << overridden.output;
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

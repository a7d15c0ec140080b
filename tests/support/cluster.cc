#include "tests/support/cluster.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/client/probes.h"

namespace omnia::testing {
namespace {

// Polls the gateway's liveness URL.
absl::Status WaitUntilHealthy(const std::string& address) {
  absl::Status last = absl::UnavailableError("not tried");
  for (int i = 0; i < 300; ++i) {
    absl::StatusOr<std::string> body = client::HttpGet(address, "/healthz", absl::Seconds(1));
    if (body.ok()) return absl::OkStatus();
    last = body.status();
    absl::SleepFor(absl::Milliseconds(100));
  }
  return last;
}

}  // namespace

Cluster::Cluster(std::string binary_dir, std::string source_dir)
    : binary_dir_(std::move(binary_dir)), source_dir_(std::move(source_dir)) {
  for (const char* name : {"aggregation", "ingestion", "exporter", "catalogue", "gateway"}) {
    addresses_[name] = absl::StrCat("127.0.0.1:", FreeLoopbackPort());
    metrics_addresses_[name] = absl::StrCat("127.0.0.1:", FreeLoopbackPort());
  }
  MakeTokens();
}

std::string Cluster::secrets_dir() const { return dir_.path() + "/secrets"; }

void Cluster::MakeTokens() {
  // The deployment's own script, so that these tests run the roles and files a deployment gets.
  const std::string log = dir_.path() + "/make-tokens.log";
  ChildProcess make_tokens("/bin/bash",
                           {source_dir_ + "/deploy/auth/make-tokens.sh", secrets_dir()}, log);
  if (make_tokens.WaitForExit(absl::Seconds(60)) != 0) {
    throw std::runtime_error("deploy/auth/make-tokens.sh failed: " + make_tokens.Log());
  }
  for (const char* role : {"operator", "producer", "ingestion", "catalogue", "gateway"}) {
    std::ifstream in(absl::StrCat(secrets_dir(), "/", role, ".token"));
    std::string token;
    if (!(in >> token)) throw std::runtime_error(absl::StrCat("no token for role ", role));
    tokens_[role] = token;
  }
}

Cluster::~Cluster() {
  for (auto& [name, process] : processes_) {
    if (process && process->running()) {
      process->Signal(SIGTERM);
      process->WaitForExit(absl::Seconds(10));
    }
  }
}

std::string Cluster::data_dir(const std::string& name) const {
  return absl::StrCat(dir_.path(), "/", name);
}

std::vector<std::string> Cluster::ArgsOf(const std::string& name) const {
  if (name == "gateway") {
    return {"--http_address=" + addresses_.at(name),
            "--metrics_address=" + metrics_addresses_.at(name),
            "--catalogue_address=" + addresses_.at("catalogue"),
            "--exporter_address=" + addresses_.at("exporter"),
            "--aggregation_address=" + addresses_.at("aggregation"),
            "--public_base_url=http://" + addresses_.at(name),
            "--token_file=" + secrets_dir() + "/gateway.token"};
  }
  std::vector<std::string> args = {"--grpc_address=" + addresses_.at(name),
                                   "--metrics_address=" + metrics_addresses_.at(name)};
  // Each server checks only its own callers' digests; the exporter serves no write method.
  if (name != "exporter") {
    args.push_back(absl::StrCat("--tokens_file=", secrets_dir(), "/", name, ".digests"));
  }
  const std::string config = source_dir_ + "/deploy/config/datasets.textproto";
  if (name == "aggregation") {
    args.push_back("--data_dir=" + data_dir(name));
  } else if (name == "ingestion") {
    args.push_back("--data_dir=" + data_dir(name));
    args.push_back("--aggregation_address=" + addresses_.at("aggregation"));
    args.push_back("--insecure_dev_hmac_key");
    args.push_back("--token_file=" + secrets_dir() + "/ingestion.token");
  } else if (name == "exporter") {
    args.push_back("--aggregation_address=" + addresses_.at("aggregation"));
    args.push_back("--catalogue_config=" + config);
    args.push_back("--temp_dir=" + dir_.path());
  } else if (name == "catalogue") {
    args.push_back("--data_dir=" + data_dir(name));
    args.push_back("--aggregation_address=" + addresses_.at("aggregation"));
    args.push_back("--exporter_address=" + addresses_.at("exporter"));
    args.push_back("--catalogue_config=" + config);
    args.push_back("--token_file=" + secrets_dir() + "/catalogue.token");
    args.push_back("--public_base_url=http://" + addresses_.at("gateway"));
  }
  return args;
}

bool Cluster::Start(const std::string& name, const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = ArgsOf(name);
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  const std::string log = absl::StrCat(dir_.path(), "/", name, "-", ++starts_, ".log");
  processes_[name] = std::make_unique<ChildProcess>(
      absl::StrCat(binary_dir_, "/services/", name, "/omnia-", name), args, log);
  const absl::Status serving =
      name == "gateway" ? WaitUntilHealthy(addresses_.at(name))
                        : client::WaitUntilServing(rpc::CreateInsecureChannel(addresses_.at(name)),
                                                   "", absl::Seconds(30));
  if (!serving.ok()) std::cerr << name << " did not start: " << serving << "\n" << Logs();
  return serving.ok();
}

bool Cluster::StartAll() {
  for (const char* name : {"aggregation", "ingestion", "exporter", "catalogue"}) {
    if (!Start(name)) return false;
  }
  return true;
}

int Cluster::Stop(const std::string& name) {
  auto& process = processes_.at(name);
  process->Signal(SIGTERM);
  return process->WaitForExit(absl::Seconds(20)).value_or(-1);
}

void Cluster::Kill(const std::string& name) {
  auto& process = processes_.at(name);
  process->Signal(SIGKILL);
  process->WaitForExit(absl::Seconds(10));
}

std::string Cluster::Logs() const {
  std::string all;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    if (entry.path().extension() != ".log") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    absl::StrAppend(&all, "--- ", entry.path().filename().string(), "\n", text.str());
  }
  return all;
}

}  // namespace omnia::testing

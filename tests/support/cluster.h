// The four service binaries started together on loopback for end-to-end tests, as the local
// launcher runs them: each with its own data directory under one temporary folder, each one
// restartable on its port, and authentication with the deployment's roles on (the tokens and
// digest files of deploy/auth/make-tokens.sh: each server checks only its own callers' digests,
// ingestion and catalogue present their own tokens to aggregation, the exporter has neither; tests
// act as an operator unless they pick another role's token).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace omnia::testing {

class Cluster {
 public:
  // `binary_dir` holds services/<name>/omnia-<name>; `source_dir` the repository (for the
  // datasets configuration).
  Cluster(std::string binary_dir, std::string source_dir);
  ~Cluster();

  // Starts (or restarts) one service and waits until it is SERVING (the HTTP gateway, "gateway",
  // until /healthz answers); false with its log printed to stderr when it does not come up. The
  // catalogue's public base URL is the gateway's address, whether the gateway runs or not.
  bool Start(const std::string& name, const std::vector<std::string>& extra_args = {});
  bool StartAll();
  // SIGTERM and wait: the exit code, or -1 on timeout.
  int Stop(const std::string& name);
  void Kill(const std::string& name);

  // HOST:PORT of a service's gRPC port, or of the gateway's HTTP port.
  std::string address(const std::string& name) const { return addresses_.at(name); }
  // The process id of a running service.
  pid_t pid(const std::string& name) const { return processes_.at(name)->pid(); }
  // HOST:PORT of the service's Prometheus endpoint.
  std::string metrics_address(const std::string& name) const { return metrics_addresses_.at(name); }
  std::string data_dir(const std::string& name) const;
  const std::string& root() const { return dir_.path(); }
  std::string Logs() const;
  // The bearer token of a role of deploy/auth/roles: "operator", "producer", "ingestion",
  // "catalogue" or "gateway".
  const std::string& token(const std::string& role) const { return tokens_.at(role); }
  // The operator's token: everything the CLI does (ingest, import, publish, freeze, rebuild).
  const std::string& operator_token() const { return token("operator"); }

 private:
  std::vector<std::string> ArgsOf(const std::string& name) const;
  // Runs deploy/auth/make-tokens.sh into secrets_dir() and reads the roles' tokens.
  void MakeTokens();
  std::string secrets_dir() const;

  std::string binary_dir_;
  std::string source_dir_;
  TempDir dir_;
  std::map<std::string, std::string> addresses_;
  std::map<std::string, std::string> metrics_addresses_;
  std::map<std::string, std::unique_ptr<ChildProcess>> processes_;
  int starts_ = 0;
  std::map<std::string, std::string> tokens_;
};

}  // namespace omnia::testing

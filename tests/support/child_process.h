// Starts a real binary as a child process, as an operator or Kubernetes would, and watches it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace omnia::testing {

class ChildProcess {
 public:
  // Starts `path` with `args`; stderr and stdout go to `log_path` (so a failing test can show
  // the service's own log). Aborts the test binary if fork/exec cannot even be attempted.
  ChildProcess(const std::string& path, const std::vector<std::string>& args,
               const std::string& log_path);
  // Kills the child (SIGKILL) if it is still running, so a failing test leaves no strays.
  ~ChildProcess();

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int signal_number) const;
  // Waits up to `timeout` for the child to exit; returns its exit code, or 128+signal when a
  // signal ended it, or nullopt on timeout.
  std::optional<int> WaitForExit(absl::Duration timeout);
  bool running() const { return !exited_; }
  // Everything the child wrote so far.
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  std::string log_path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
int FreeLoopbackPort();

// A fresh directory under the system temp folder, removed with its content by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace omnia::testing

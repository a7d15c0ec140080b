// An in-memory file system for testing how state files are written: it records every call in
// order, can make any one call fail, and can simulate a power cut, after which only what was
// made durable remains: a file's content as of its last Sync, a directory's entries as of its
// last SyncDir (as on ext4 and XFS, a new name is not durable before its directory is synced).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libs/storage/file_system.h"

namespace omnia::testing {

class FaultInjectingFileSystem final : public storage::FileSystem {
 public:
  // The calls so far, one string each: "create <path>", "append <path>", "sync <path>",
  // "close <path>", "rename <from> <to>", "syncdir <dir>", "remove <path>". Reads are not
  // recorded.
  const std::vector<std::string>& calls() const { return calls_; }
  void ClearCalls() { calls_.clear(); }

  // Makes the call with this index in calls() (counting from the start, reads excluded) fail
  // with UNAVAILABLE without doing anything; the calls after it work again.
  void FailCall(size_t index) { fail_index_ = index; }

  // A power cut: everything not made durable is lost, and open files become unusable.
  void Crash();

  // Test setup: a file that is already durable.
  void PutDurableFile(const std::string& path, const std::string& content);
  // The content of `path` as readers see it now; nullopt when absent.
  std::optional<std::string> Visible(const std::string& path) const;
  // Paths that exist now, in order.
  std::vector<std::string> Paths() const;

  absl::StatusOr<std::unique_ptr<storage::WritableFile>> NewWritableFile(
      const std::string& path) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::Status Remove(const std::string& path) override;
  absl::Status Read(const std::string& path,
                    const std::function<void(std::string_view)>& consume) override;
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override;

  struct Inode {
    std::string data;
    std::string durable_data;
    bool lost = false;  // set by Crash for files open at the time
  };

 private:
  friend class FaultInjectingFile;
  // Records `call`; false (and an error in *status) when it is the one to fail.
  bool Begin(std::string call, absl::Status* status);

  std::vector<std::string> calls_;
  std::optional<size_t> fail_index_;
  // Directory entries as seen now, and as they would be found after a power cut.
  std::map<std::string, std::shared_ptr<Inode>> entries_;
  std::map<std::string, std::shared_ptr<Inode>> durable_entries_;
};

}  // namespace omnia::testing

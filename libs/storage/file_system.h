// The few file operations that durable state files need, behind an interface: the real one
// (PosixFileSystem) and, in tests, one that records the order of the calls, fails any of them
// and loses what was not yet synced, as a power cut would.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace omnia::storage {

// A file open for writing from its start.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual absl::Status Append(std::string_view data) = 0;
  // Returns once everything appended is on stable storage (fsync).
  virtual absl::Status Sync() = 0;
  virtual absl::Status Close() = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates `path`, or truncates it when it exists, and opens it for writing.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) = 0;
  // Atomically replaces `to` (if any) by `from`; both in the same directory.
  virtual absl::Status Rename(const std::string& from, const std::string& to) = 0;
  // Makes the directory's entries durable: files created, renamed or removed in it (fsync of
  // the directory).
  virtual absl::Status SyncDir(const std::string& dir) = 0;
  virtual absl::Status Remove(const std::string& path) = 0;
  // Passes the file's bytes to `consume` in order, in pieces. NOT_FOUND when it does not exist.
  virtual absl::Status Read(const std::string& path,
                            const std::function<void(std::string_view)>& consume) = 0;
  // NOT_FOUND when it does not exist.
  virtual absl::StatusOr<uint64_t> FileSize(const std::string& path) = 0;
  // Up to `length` bytes of the file from byte `offset`: fewer only at the end of the file.
  // NOT_FOUND when it does not exist. The default reads the file from its start; real file
  // systems override it to read only the range.
  virtual absl::StatusOr<std::string> ReadAt(const std::string& path, uint64_t offset,
                                             size_t length);
};

// The operating system's files.
class PosixFileSystem final : public FileSystem {
 public:
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::Status Remove(const std::string& path) override;
  absl::Status Read(const std::string& path,
                    const std::function<void(std::string_view)>& consume) override;
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override;
  absl::StatusOr<std::string> ReadAt(const std::string& path, uint64_t offset,
                                     size_t length) override;
};

// The directory holding `path` ("." for a bare file name).
std::string DirectoryOf(const std::string& path);

// The whole content of a file. NOT_FOUND when it does not exist.
absl::StatusOr<std::string> ReadWholeFile(FileSystem& fs, const std::string& path);

}  // namespace omnia::storage

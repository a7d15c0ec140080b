// Writing a state file so that a crash or power cut at any moment leaves either its previous
// content or the whole new one, never a torn or empty file, and so that once the write is
// reported done it survives a power cut: write a temporary file in the same directory, fsync
// it, rename it over the target, fsync the directory. Every file omnia keeps state in (release
// records, CURRENT pointers, published artifacts) is written this way.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/storage/file_system.h"

namespace omnia::storage {

// One file being written; for files streamed in pieces, whose final name may only be known at
// the end (a content hash).
class DurableFileWriter {
 public:
  // Starts writing at `temp_path` (created or truncated), which must be in the directory of the
  // final path. `fs` must outlive the writer.
  static absl::StatusOr<std::unique_ptr<DurableFileWriter>> Create(FileSystem& fs,
                                                                   std::string temp_path);
  // Removes the temporary file unless Commit succeeded.
  ~DurableFileWriter();

  DurableFileWriter(const DurableFileWriter&) = delete;
  DurableFileWriter& operator=(const DurableFileWriter&) = delete;

  absl::Status Append(std::string_view data);

  // Makes what was appended the durable content of `final_path`. An error means the file may
  // still hold its previous content, or the new content without the guarantee that it survives
  // a power cut; it never holds anything else.
  absl::Status Commit(const std::string& final_path);

 private:
  DurableFileWriter(FileSystem& fs, std::string temp_path, std::unique_ptr<WritableFile> file)
      : fs_(fs), temp_path_(std::move(temp_path)), file_(std::move(file)) {}

  FileSystem& fs_;
  const std::string temp_path_;
  std::unique_ptr<WritableFile> file_;
  bool committed_ = false;
};

// Writes `content` as the durable content of `path` through "<path>.tmp".
absl::Status WriteFileDurably(FileSystem& fs, const std::string& path, std::string_view content);

}  // namespace omnia::storage

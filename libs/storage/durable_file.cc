#include "libs/storage/durable_file.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace omnia::storage {
absl::StatusOr<std::unique_ptr<DurableFileWriter>> DurableFileWriter::Create(
    FileSystem& fs, std::string temp_path) {
  absl::StatusOr<std::unique_ptr<WritableFile>> file = fs.NewWritableFile(temp_path);
  if (!file.ok()) return file.status();
  return std::unique_ptr<DurableFileWriter>(
      new DurableFileWriter(fs, std::move(temp_path), *std::move(file)));
}

DurableFileWriter::~DurableFileWriter() {
  if (committed_) return;
  if (file_ != nullptr) file_->Close().IgnoreError();
  // Best effort: a temporary file left behind is never read, and the next write replaces it.
  fs_.Remove(temp_path_).IgnoreError();
}

absl::Status DurableFileWriter::Append(std::string_view data) {
  if (file_ == nullptr) return absl::FailedPreconditionError("the file is already closed");
  return file_->Append(data);
}

absl::Status DurableFileWriter::Commit(const std::string& final_path) {
  if (file_ == nullptr) return absl::FailedPreconditionError("the file is already closed");
  const std::string dir = DirectoryOf(final_path);
  if (DirectoryOf(temp_path_) != dir) {
    return absl::InvalidArgumentError(
        absl::StrCat(temp_path_, " and ", final_path, " are not in one directory"));
  }
  // The content must be on disk before the new name points at it: otherwise a power cut right
  // after the rename can leave the name on an empty or partial file.
  if (absl::Status s = file_->Sync(); !s.ok()) return s;
  absl::Status closed = file_->Close();
  file_.reset();
  if (!closed.ok()) return closed;
  if (absl::Status s = fs_.Rename(temp_path_, final_path); !s.ok()) return s;
  committed_ = true;
  // Until the directory is synced the rename itself may be lost in a power cut.
  return fs_.SyncDir(dir);
}

absl::Status WriteFileDurably(FileSystem& fs, const std::string& path, std::string_view content) {
  absl::StatusOr<std::unique_ptr<DurableFileWriter>> writer =
      DurableFileWriter::Create(fs, absl::StrCat(path, ".tmp"));
  if (!writer.ok()) return writer.status();
  if (absl::Status s = (*writer)->Append(content); !s.ok()) return s;
  return (*writer)->Commit(path);
}

}  // namespace omnia::storage

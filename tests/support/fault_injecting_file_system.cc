#include "tests/support/fault_injecting_file_system.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace omnia::testing {
class FaultInjectingFile final : public storage::WritableFile {
 public:
  FaultInjectingFile(FaultInjectingFileSystem& fs, std::string path,
                     std::shared_ptr<FaultInjectingFileSystem::Inode> inode)
      : fs_(fs), path_(std::move(path)), inode_(std::move(inode)) {}

  absl::Status Append(std::string_view data) override {
    absl::Status status;
    if (!fs_.Begin(absl::StrCat("append ", path_), &status)) return status;
    if (inode_->lost) return absl::FailedPreconditionError("file lost in a crash");
    inode_->data.append(data);
    return absl::OkStatus();
  }
  absl::Status Sync() override {
    absl::Status status;
    if (!fs_.Begin(absl::StrCat("sync ", path_), &status)) return status;
    if (inode_->lost) return absl::FailedPreconditionError("file lost in a crash");
    inode_->durable_data = inode_->data;
    return absl::OkStatus();
  }
  absl::Status Close() override {
    absl::Status status;
    if (!fs_.Begin(absl::StrCat("close ", path_), &status)) return status;
    return absl::OkStatus();
  }

 private:
  FaultInjectingFileSystem& fs_;
  const std::string path_;
  std::shared_ptr<FaultInjectingFileSystem::Inode> inode_;
};

bool FaultInjectingFileSystem::Begin(std::string call, absl::Status* status) {
  const bool fail = fail_index_.has_value() && *fail_index_ == calls_.size();
  calls_.push_back(std::move(call));
  if (fail) *status = absl::UnavailableError(absl::StrCat("injected failure of ", calls_.back()));
  return !fail;
}

void FaultInjectingFileSystem::Crash() {
  for (auto& [path, inode] : entries_) inode->lost = true;
  entries_.clear();
  for (auto& [path, inode] : durable_entries_) {
    auto survivor = std::make_shared<Inode>();
    survivor->data = inode->durable_data;
    survivor->durable_data = inode->durable_data;
    entries_[path] = survivor;
  }
  durable_entries_ = entries_;
}

void FaultInjectingFileSystem::PutDurableFile(const std::string& path, const std::string& content) {
  auto inode = std::make_shared<Inode>();
  inode->data = content;
  inode->durable_data = content;
  entries_[path] = inode;
  durable_entries_[path] = inode;
}

std::optional<std::string> FaultInjectingFileSystem::Visible(const std::string& path) const {
  const auto it = entries_.find(path);
  if (it == entries_.end()) return std::nullopt;
  return it->second->data;
}

std::vector<std::string> FaultInjectingFileSystem::Paths() const {
  std::vector<std::string> paths;
  for (const auto& [path, inode] : entries_) paths.push_back(path);
  return paths;
}

absl::StatusOr<std::unique_ptr<storage::WritableFile>> FaultInjectingFileSystem::NewWritableFile(
    const std::string& path) {
  absl::Status status;
  if (!Begin(absl::StrCat("create ", path), &status)) return status;
  std::shared_ptr<Inode>& inode = entries_[path];
  if (inode == nullptr) inode = std::make_shared<Inode>();
  // Truncation is a metadata change that the journal may commit at any moment, before the new
  // data is synced: assume the worst, that it is durable at once.
  inode->data.clear();
  inode->durable_data.clear();
  return std::make_unique<FaultInjectingFile>(*this, path, inode);
}

absl::Status FaultInjectingFileSystem::Rename(const std::string& from, const std::string& to) {
  absl::Status status;
  if (!Begin(absl::StrCat("rename ", from, " ", to), &status)) return status;
  const auto it = entries_.find(from);
  if (it == entries_.end()) return absl::NotFoundError(absl::StrCat("no file ", from));
  entries_[to] = it->second;
  entries_.erase(from);
  return absl::OkStatus();
}

absl::Status FaultInjectingFileSystem::SyncDir(const std::string& dir) {
  absl::Status status;
  if (!Begin(absl::StrCat("syncdir ", dir), &status)) return status;
  for (auto it = durable_entries_.begin(); it != durable_entries_.end();) {
    it = storage::DirectoryOf(it->first) == dir ? durable_entries_.erase(it) : std::next(it);
  }
  for (const auto& [path, inode] : entries_) {
    if (storage::DirectoryOf(path) == dir) durable_entries_[path] = inode;
  }
  return absl::OkStatus();
}

absl::Status FaultInjectingFileSystem::Remove(const std::string& path) {
  absl::Status status;
  if (!Begin(absl::StrCat("remove ", path), &status)) return status;
  if (entries_.erase(path) == 0) return absl::NotFoundError(absl::StrCat("no file ", path));
  return absl::OkStatus();
}

absl::Status FaultInjectingFileSystem::Read(const std::string& path,
                                            const std::function<void(std::string_view)>& consume) {
  const auto it = entries_.find(path);
  if (it == entries_.end()) return absl::NotFoundError(absl::StrCat("no file ", path));
  consume(it->second->data);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> FaultInjectingFileSystem::FileSize(const std::string& path) {
  const auto it = entries_.find(path);
  if (it == entries_.end()) return absl::NotFoundError(absl::StrCat("no file ", path));
  return it->second->data.size();
}

}  // namespace omnia::testing

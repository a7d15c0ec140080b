#include "libs/storage/file_system.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"

namespace omnia::storage {
namespace {

absl::Status Errno(const char* what, const std::string& path) {
  return absl::ErrnoToStatus(errno, absl::StrCat(what, " ", path));
}

// Closes the descriptor when it goes out of scope, for the read-only uses below.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  absl::Status Append(std::string_view data) override {
    while (!data.empty()) {
      const ssize_t written = ::write(fd_, data.data(), data.size());
      if (written < 0) {
        if (errno == EINTR) continue;
        return Errno("cannot write", path_);
      }
      data.remove_prefix(static_cast<size_t>(written));
    }
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    if (::fsync(fd_) != 0) return Errno("cannot sync", path_);
    return absl::OkStatus();
  }

  absl::Status Close() override {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Errno("cannot close", path_);
    return absl::OkStatus();
  }

 private:
  int fd_;
  std::string path_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<WritableFile>> PosixFileSystem::NewWritableFile(
    const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", path);
  return std::make_unique<PosixWritableFile>(fd, path);
}

absl::Status PosixFileSystem::Rename(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    return Errno("cannot rename", absl::StrCat(from, " to ", to));
  }
  return absl::OkStatus();
}

absl::Status PosixFileSystem::SyncDir(const std::string& dir) {
  ScopedFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Errno("cannot open directory", dir);
  if (::fsync(fd.get()) != 0) return Errno("cannot sync directory", dir);
  return absl::OkStatus();
}

absl::Status PosixFileSystem::Remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return Errno("cannot remove", path);
  return absl::OkStatus();
}

absl::Status PosixFileSystem::Read(const std::string& path,
                                   const std::function<void(std::string_view)>& consume) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Errno("cannot open", path);
  std::string buffer(1 << 16, '\0');
  while (true) {
    const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot read", path);
    }
    if (got == 0) return absl::OkStatus();
    consume(std::string_view(buffer.data(), static_cast<size_t>(got)));
  }
}

absl::StatusOr<uint64_t> PosixFileSystem::FileSize(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return Errno("cannot stat", path);
  return static_cast<uint64_t>(info.st_size);
}

absl::StatusOr<std::string> PosixFileSystem::ReadAt(const std::string& path, uint64_t offset,
                                                    size_t length) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Errno("cannot open", path);
  std::string out(length, '\0');
  size_t filled = 0;
  while (filled < length) {
    const ssize_t got = ::pread(fd.get(), out.data() + filled, length - filled,
                                static_cast<off_t>(offset + filled));
    if (got < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot read", path);
    }
    if (got == 0) break;
    filled += static_cast<size_t>(got);
  }
  out.resize(filled);
  return out;
}

absl::StatusOr<std::string> FileSystem::ReadAt(const std::string& path, uint64_t offset,
                                               size_t length) {
  std::string out;
  uint64_t position = 0;
  absl::Status read = Read(path, [&](std::string_view piece) {
    const uint64_t end = position + piece.size();
    if (end > offset && out.size() < length) {
      const size_t skip = offset > position ? static_cast<size_t>(offset - position) : 0;
      out.append(piece.substr(skip, length - out.size()));
    }
    position = end;
  });
  if (!read.ok()) return read;
  return out;
}

std::string DirectoryOf(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

absl::StatusOr<std::string> ReadWholeFile(FileSystem& fs, const std::string& path) {
  std::string content;
  absl::Status read = fs.Read(path, [&](std::string_view piece) { content.append(piece); });
  if (!read.ok()) return read;
  return content;
}

}  // namespace omnia::storage

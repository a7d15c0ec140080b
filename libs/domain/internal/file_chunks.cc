#include "libs/domain/internal/file_chunks.h"

#include <cerrno>
#include <cstdio>
#include <memory>

#include "libs/domain/internal/text.h"

namespace omnia::domain::internal {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

absl::Status ForEachFileChunk(const std::string& path,
                              const std::function<absl::Status(std::string_view)>& on_chunk) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return absl::ErrnoToStatus(errno, absl::StrCat("cannot open ", path));
  // Heap buffer: 64 KiB is too large for the stack of every caller's thread.
  std::unique_ptr<char[]> buffer(new char[kFileChunkBytes]);
  while (true) {
    const size_t got = std::fread(buffer.get(), 1, kFileChunkBytes, file.get());
    if (got > 0) {
      absl::Status status = on_chunk(std::string_view(buffer.get(), got));
      if (!status.ok()) return status;
    }
    if (got < kFileChunkBytes) {
      if (std::ferror(file.get()))
        return absl::ErrnoToStatus(errno, absl::StrCat("cannot read ", path));
      return absl::OkStatus();
    }
  }
}

}  // namespace omnia::domain::internal

// Buffered output of the writers: collects small pieces and hands them to a ChunkSink in chunks of
// at most kMaxChunkBytes. Not part of the public API.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/export/writers.h"

namespace omnia::exporter::internal {

// Appends are cheap (no status to check per call); the first sink error is kept and every later
// append is ignored, so a writer checks status() once at the end (or after long loops).
class ChunkWriter {
 public:
  explicit ChunkWriter(ChunkSink& sink);

  ChunkWriter(const ChunkWriter&) = delete;
  ChunkWriter& operator=(const ChunkWriter&) = delete;

  void Put(std::string_view piece) {
    if (buffer_.size() + piece.size() <= kMaxChunkBytes) {
      buffer_.append(piece);
    } else {
      PutSlow(piece);
    }
  }

  void PutChar(char c) {
    if (buffer_.size() == kMaxChunkBytes) Flush();
    buffer_.push_back(c);
  }

  void PutUint(uint64_t value) {
    char digits[20];
    const auto result = std::to_chars(digits, digits + sizeof(digits), value);
    Put(std::string_view(digits, static_cast<size_t>(result.ptr - digits)));
  }

  void PutInt(int64_t value) {
    char digits[21];
    const auto result = std::to_chars(digits, digits + sizeof(digits), value);
    Put(std::string_view(digits, static_cast<size_t>(result.ptr - digits)));
  }

  // Passes the buffered bytes to the sink.
  void Flush();

  // Flushes and returns the first sink error, if any.
  absl::Status Finish();

  const absl::Status& status() const { return status_; }

  // Bytes accepted so far, buffered ones included.
  uint64_t bytes() const { return flushed_ + buffer_.size(); }

 private:
  void PutSlow(std::string_view piece);

  ChunkSink* sink_;
  std::string buffer_;
  uint64_t flushed_ = 0;
  absl::Status status_;
};

}  // namespace omnia::exporter::internal

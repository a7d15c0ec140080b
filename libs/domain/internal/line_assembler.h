// Turns arbitrarily split chunks of a text file into whole lines. Not part of the public API.
#ifndef OMNIA_LIBS_DOMAIN_INTERNAL_LINE_ASSEMBLER_H_
#define OMNIA_LIBS_DOMAIN_INTERNAL_LINE_ASSEMBLER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/domain/internal/text.h"

namespace omnia::domain::internal {

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Splits a byte stream fed in chunks of any size into lines and hands each one to a callback.
//
// - Lines end with LF; one CR right before the LF (or at the end of the input) is dropped, so CRLF
//   and LF files read the same.
// - A UTF-8 byte-order mark at the start of line 1 is dropped.
// - Lines are numbered from 1 and are handed over without copying when they lie inside one chunk;
//   only a line that straddles chunks is buffered.
// - A line longer than max_line_bytes (counted before the LF, CR included) is an error, raised as
//   soon as the buffer would exceed it, so a file without newlines cannot exhaust memory. The check
//   and its message do not depend on how the input was chunked.
class LineAssembler {
 public:
  explicit LineAssembler(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  // on_line(std::string_view line, int64_t number) -> absl::Status; the first error stops the feed
  // and is returned.
  template <typename OnLine>
  absl::Status Feed(std::string_view chunk, OnLine&& on_line) {
    while (!chunk.empty()) {
      const void* found = std::memchr(chunk.data(), '\n', chunk.size());
      if (found == nullptr) {
        if (pending_.size() + chunk.size() > max_line_bytes_) return TooLong();
        pending_.append(chunk.data(), chunk.size());
        return absl::OkStatus();
      }
      const size_t length = static_cast<size_t>(static_cast<const char*>(found) - chunk.data());
      if (pending_.size() + length > max_line_bytes_) return TooLong();
      absl::Status status;
      if (pending_.empty()) {
        status = Emit(chunk.substr(0, length), on_line);
      } else {
        pending_.append(chunk.data(), length);
        status = Emit(pending_, on_line);
        pending_.clear();
      }
      if (!status.ok()) return status;
      chunk.remove_prefix(length + 1);
    }
    return absl::OkStatus();
  }

  // Hands over a last line that had no terminating LF, if any.
  template <typename OnLine>
  absl::Status Finish(OnLine&& on_line) {
    if (pending_.empty()) return absl::OkStatus();
    absl::Status status = Emit(pending_, on_line);
    pending_.clear();
    return status;
  }

  // Number of lines handed over so far.
  int64_t lines() const { return lines_; }

  // Whether the last error Feed returned was its own (a line too long to read) rather than the
  // callback's.
  bool stopped_by_long_line() const { return stopped_by_long_line_; }

 private:
  template <typename OnLine>
  absl::Status Emit(std::string_view line, OnLine& on_line) {
    ++lines_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (lines_ == 1 && line.substr(0, kUtf8Bom.size()) == kUtf8Bom) {
      line.remove_prefix(kUtf8Bom.size());
    }
    return on_line(line, lines_);
  }

  absl::Status TooLong() {
    stopped_by_long_line_ = true;
    return absl::InvalidArgumentError(
        Cat("line ", lines_ + 1, ": longer than ", max_line_bytes_, " bytes"));
  }

  size_t max_line_bytes_;
  std::string pending_;
  int64_t lines_ = 0;
  bool stopped_by_long_line_ = false;
};

}  // namespace omnia::domain::internal

#endif  // OMNIA_LIBS_DOMAIN_INTERNAL_LINE_ASSEMBLER_H_

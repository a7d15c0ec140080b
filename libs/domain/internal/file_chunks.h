// Chunked file reading for the streaming readers. Not part of the public API.
#ifndef OMNIA_LIBS_DOMAIN_INTERNAL_FILE_CHUNKS_H_
#define OMNIA_LIBS_DOMAIN_INTERNAL_FILE_CHUNKS_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace omnia::domain::internal {

inline constexpr size_t kFileChunkBytes = 64 * 1024;

// Calls on_chunk with consecutive pieces of the file (at most kFileChunkBytes each) until the end
// or the first error. Open and read failures are mapped from errno and name the path.
absl::Status ForEachFileChunk(const std::string& path,
                              const std::function<absl::Status(std::string_view)>& on_chunk);

}  // namespace omnia::domain::internal

#endif  // OMNIA_LIBS_DOMAIN_INTERNAL_FILE_CHUNKS_H_

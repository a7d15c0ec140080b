#include "libs/export/internal/chunk_writer.h"

#include <algorithm>

namespace omnia::exporter::internal {

ChunkWriter::ChunkWriter(ChunkSink& sink) : sink_(&sink) { buffer_.reserve(kMaxChunkBytes); }

void ChunkWriter::Flush() {
  if (buffer_.empty()) return;
  if (status_.ok()) status_ = sink_->Write(buffer_);
  // After an error the bytes are dropped: the file is incomplete anyway, and keeping them would
  // let the buffer grow without bound.
  flushed_ += buffer_.size();
  buffer_.clear();
}

void ChunkWriter::PutSlow(std::string_view piece) {
  while (!piece.empty()) {
    if (buffer_.size() == kMaxChunkBytes) Flush();
    const size_t take = std::min(piece.size(), kMaxChunkBytes - buffer_.size());
    buffer_.append(piece.substr(0, take));
    piece.remove_prefix(take);
  }
}

absl::Status ChunkWriter::Finish() {
  Flush();
  return status_;
}

}  // namespace omnia::exporter::internal

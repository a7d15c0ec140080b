// Client side of the two file uploads (ImportPublishedReport, ImportRawEvents): the body of the
// stream after its header, written as the contract asks.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "libs/base/sha256.h"

namespace omnia::client {

// Writes `content` as data messages of at most `chunk_bytes`, then the end message (byte count
// and sha256, without which the server keeps nothing), then half-closes. False when the stream
// broke on the way; the writer's Finish() then says why.
template <typename Request>
bool WriteUploadBody(grpc::ClientWriterInterface<Request>& writer, std::string_view content,
                     size_t chunk_bytes = size_t{1} << 20) {
  for (size_t at = 0; at < content.size(); at += chunk_bytes) {
    Request chunk;
    chunk.set_data(std::string(content.substr(at, chunk_bytes)));
    if (!writer.Write(chunk)) return false;
  }
  Request end;
  end.mutable_end()->set_total_bytes(content.size());
  end.mutable_end()->set_sha256(Sha256Hex(content));
  if (!writer.Write(end)) return false;
  return writer.WritesDone();
}

}  // namespace omnia::client

// Streaming gzip compression with zlib: bytes in, compressed pieces out, bounded memory.
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "libs/http/message.h"

namespace omnia::http {

class GzipEncoder {
 public:
  GzipEncoder();
  ~GzipEncoder();
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  // Compresses `data`, handing whatever output is ready to `sink`. CANCELLED when `sink` returns
  // false (the client is gone).
  absl::Status Write(std::string_view data, const BodySink& sink);
  // Flushes the rest and the gzip trailer. Call once, last.
  absl::Status Finish(const BodySink& sink);

 private:
  absl::Status Deflate(std::string_view data, int flush, const BodySink& sink);

  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace omnia::http

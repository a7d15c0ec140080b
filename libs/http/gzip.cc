#include "libs/http/gzip.h"

#include <zlib.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace omnia::http {

struct GzipEncoder::State {
  z_stream stream{};
  bool initialized = false;
  std::string out = std::string(64 << 10, '\0');
};

GzipEncoder::GzipEncoder() : state_(std::make_unique<State>()) {
  // windowBits 15 + 16: a gzip wrapper rather than a bare zlib stream; level 6 is zlib's default
  // balance of speed and size.
  state_->initialized =
      deflateInit2(&state_->stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
}

GzipEncoder::~GzipEncoder() {
  if (state_->initialized) deflateEnd(&state_->stream);
}

absl::Status GzipEncoder::Deflate(std::string_view data, int flush, const BodySink& sink) {
  if (!state_->initialized) return absl::InternalError("zlib could not be initialized");
  z_stream& z = state_->stream;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  do {
    z.next_out = reinterpret_cast<Bytef*>(state_->out.data());
    z.avail_out = static_cast<uInt>(state_->out.size());
    const int result = deflate(&z, flush);
    if (result == Z_STREAM_ERROR) return absl::InternalError("zlib deflate failed");
    const size_t produced = state_->out.size() - z.avail_out;
    if (produced > 0 && !sink(std::string_view(state_->out.data(), produced))) {
      return absl::CancelledError("the client went away");
    }
    if (result == Z_STREAM_END) break;
  } while (z.avail_out == 0 || (flush == Z_FINISH));
  return absl::OkStatus();
}

absl::Status GzipEncoder::Write(std::string_view data, const BodySink& sink) {
  // zlib counts input in uInt: feed very large pieces in parts.
  constexpr size_t kMaxPiece = 1 << 30;
  while (!data.empty()) {
    const std::string_view piece = data.substr(0, kMaxPiece);
    if (absl::Status s = Deflate(piece, Z_NO_FLUSH, sink); !s.ok()) return s;
    data.remove_prefix(piece.size());
  }
  return absl::OkStatus();
}

absl::Status GzipEncoder::Finish(const BodySink& sink) { return Deflate({}, Z_FINISH, sink); }

}  // namespace omnia::http

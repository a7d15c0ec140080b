// Serving one stored file over HTTP the way a good static file server does: exact length,
// strong validators (ETag = the sha256, Last-Modified) with conditional requests (304), single
// byte ranges (206, 416), gzip for text formats, caching and download headers. The decision is
// pure (PlanFileResponse); MakeFileResponse turns it into a response that streams the bytes from
// a range reader, so a file is never held in memory whole.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/http/message.h"

namespace omnia::http {

// Cache-Control of a file that never changes at its URL (a release's attachment).
inline constexpr char kImmutableCacheControl[] = "public, max-age=31536000, immutable";
// Cache-Control of a URL that follows the latest release.
inline constexpr char kLatestCacheControl[] = "public, max-age=300";

struct FileInfo {
  std::string file_name;   // sent in Content-Disposition
  std::string media_type;  // Content-Type
  std::string sha256;      // 64 lowercase hex digits: the ETag
  uint64_t size = 0;
  absl::Time last_modified = absl::UnixEpoch();
  std::string cache_control = kImmutableCacheControl;
};

// What a Range header asks of a file of a given size.
struct RangeRequest {
  enum class Kind {
    kWholeFile,      // no Range, or one to ignore (malformed, several ranges, not bytes)
    kSingle,         // one satisfiable range: [offset, offset + length)
    kUnsatisfiable,  // one range wholly beyond the end: 416
  };
  Kind kind = Kind::kWholeFile;
  uint64_t offset = 0;
  uint64_t length = 0;
};
// `header` is the Range header's value ("bytes=0-99", "bytes=100-", "bytes=-50").
RangeRequest ParseRange(std::string_view header, uint64_t size);

// Whether an Accept-Encoding value accepts gzip (q > 0, directly or through "*").
bool AcceptsGzip(std::string_view accept_encoding);
// Whether a media type is text worth compressing: text/*, JSON, XML and their +json/+xml kinds.
bool IsCompressible(std::string_view media_type);

// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string FormatHttpDate(absl::Time time);
// Parses IMF-fixdate (the only form current clients send); nullopt otherwise.
std::optional<absl::Time> ParseHttpDate(std::string_view text);

// Whether an If-None-Match value ("*", or a list of entity tags, weak or strong) matches `etag`
// under the weak comparison RFC 9110 prescribes for If-None-Match.
bool EtagListMatches(std::string_view if_none_match, std::string_view etag);

// `attachment; filename="..."`, with an RFC 8187 filename* when the name is not plain ASCII.
std::string ContentDisposition(std::string_view file_name);

struct FilePlan {
  int status = 200;  // 200, 206, 304 or 416
  Headers headers;   // every header but Content-Length
  // The bytes of the file the body carries (200 and 206 only).
  uint64_t offset = 0;
  uint64_t length = 0;
  // Compress the body with gzip (a whole text file to a client that accepts it); its length is
  // then unknown in advance.
  bool gzip = false;
  bool has_body() const { return status == 200 || status == 206; }
};

// Decides the answer to a GET or HEAD of `file`: 304 when If-None-Match (or, without it,
// If-Modified-Since) shows the client has it; 416 for an unsatisfiable Range; 206 for one
// satisfiable range (unless If-Range names another version); otherwise 200 with the whole
// file, gzip-compressed when the file is text and the client accepts gzip.
FilePlan PlanFileResponse(const Request& request, const FileInfo& file);

// Reads [offset, offset + length) of the file, in order, into `sink`.
using RangeReader =
    std::function<absl::Status(uint64_t offset, uint64_t length, const BodySink& sink)>;

// The response for `plan`, streaming its body from `read` (never called for HEAD or bodiless
// answers).
Response MakeFileResponse(const FilePlan& plan, RangeReader read);

}  // namespace omnia::http

#include "libs/http/file_response.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/base/string_view.h"
#include "libs/http/gzip.h"

namespace omnia::http {
namespace {

constexpr char kHttpDateFormat[] = "%a, %d %b %Y %H:%M:%S GMT";

bool ParseDecimal(absl::string_view text, uint64_t* value) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(text, value);
}

// An entity tag without its weak prefix: W/"x" and "x" compare equal under weak comparison.
absl::string_view Opaque(absl::string_view tag) {
  tag = absl::StripAsciiWhitespace(tag);
  absl::ConsumePrefix(&tag, "W/");
  return tag;
}

std::string StrongEtag(const FileInfo& file) { return absl::StrCat("\"", file.sha256, "\""); }

// If-Range holds an entity tag or a date; the range applies only when it names this version.
bool IfRangeAllows(const Request& request, const FileInfo& file) {
  if (!request.HasHeader("If-Range")) return true;
  const std::string value(absl::StripAsciiWhitespace(request.Header("If-Range")));
  if (!value.empty() && value.front() == '"') return value == StrongEtag(file);
  const std::optional<absl::Time> date = ParseHttpDate(value);
  return date.has_value() && absl::ToUnixSeconds(file.last_modified) <= absl::ToUnixSeconds(*date);
}

bool NotModified(const Request& request, const FileInfo& file) {
  if (request.HasHeader("If-None-Match")) {
    return EtagListMatches(request.Header("If-None-Match"), StrongEtag(file));
  }
  if (request.HasHeader("If-Modified-Since")) {
    const std::optional<absl::Time> since = ParseHttpDate(request.Header("If-Modified-Since"));
    return since.has_value() &&
           absl::ToUnixSeconds(file.last_modified) <= absl::ToUnixSeconds(*since);
  }
  return false;
}

}  // namespace

RangeRequest ParseRange(std::string_view header, uint64_t size) {
  RangeRequest whole;
  absl::string_view value = absl::StripAsciiWhitespace(AsAbsl(header));
  if (!absl::ConsumePrefix(&value, "bytes=") || absl::StrContains(value, ',')) return whole;
  const size_t dash = value.find('-');
  if (dash == absl::string_view::npos) return whole;
  const absl::string_view first = absl::StripAsciiWhitespace(value.substr(0, dash));
  const absl::string_view last = absl::StripAsciiWhitespace(value.substr(dash + 1));
  RangeRequest range;
  range.kind = RangeRequest::Kind::kSingle;
  if (first.empty()) {  // a suffix: the last N bytes
    uint64_t suffix = 0;
    if (!ParseDecimal(last, &suffix)) return whole;
    if (suffix == 0 || size == 0) return RangeRequest{RangeRequest::Kind::kUnsatisfiable, 0, 0};
    range.length = std::min(suffix, size);
    range.offset = size - range.length;
    return range;
  }
  uint64_t start = 0;
  if (!ParseDecimal(first, &start)) return whole;
  uint64_t end = size == 0 ? 0 : size - 1;
  if (!last.empty()) {
    if (!ParseDecimal(last, &end) || end < start) return whole;
    end = std::min(end, size == 0 ? 0 : size - 1);
  }
  if (start >= size) return RangeRequest{RangeRequest::Kind::kUnsatisfiable, 0, 0};
  range.offset = start;
  range.length = end - start + 1;
  return range;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<bool> gzip;
  std::optional<bool> any;
  for (absl::string_view item : absl::StrSplit(AsAbsl(accept_encoding), ',')) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, ';');
    const std::string coding = absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts[0]));
    bool accepted = true;
    for (size_t i = 1; i < parts.size(); ++i) {
      absl::string_view param = absl::StripAsciiWhitespace(parts[i]);
      if (absl::ConsumePrefix(&param, "q=") || absl::ConsumePrefix(&param, "Q=")) {
        double q = 1;
        accepted = absl::SimpleAtod(param, &q) && q > 0;
      }
    }
    if (coding == "gzip" || coding == "x-gzip") gzip = accepted;
    if (coding == "*") any = accepted;
  }
  return gzip.value_or(any.value_or(false));
}

bool IsCompressible(std::string_view media_type) {
  const std::string type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(
      absl::string_view(AsAbsl(media_type)).substr(0, AsAbsl(media_type).find(';'))));
  return absl::StartsWith(type, "text/") || type == "application/json" ||
         type == "application/xml" || absl::EndsWith(type, "+json") || absl::EndsWith(type, "+xml");
}

std::string FormatHttpDate(absl::Time time) {
  return absl::FormatTime(kHttpDateFormat, time, absl::UTCTimeZone());
}

std::optional<absl::Time> ParseHttpDate(std::string_view text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(kHttpDateFormat, std::string(absl::StripAsciiWhitespace(AsAbsl(text))),
                       absl::UTCTimeZone(), &time, &error)) {
    return std::nullopt;
  }
  return time;
}

bool EtagListMatches(std::string_view if_none_match, std::string_view etag) {
  const absl::string_view list = absl::StripAsciiWhitespace(AsAbsl(if_none_match));
  if (list == "*") return true;
  for (absl::string_view tag : absl::StrSplit(list, ',')) {
    if (Opaque(tag) == Opaque(AsAbsl(etag))) return true;
  }
  return false;
}

std::string ContentDisposition(std::string_view file_name) {
  bool plain = !file_name.empty();
  std::string encoded;
  for (const char c : file_name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\' || c == '%') plain = false;
    if (absl::ascii_isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded.push_back(c);
    } else {
      absl::StrAppendFormat(&encoded, "%%%02X", u);
    }
  }
  if (plain) return absl::StrCat("attachment; filename=\"", AsAbsl(file_name), "\"");
  return absl::StrCat("attachment; filename=\"download\"; filename*=UTF-8''", encoded);
}

FilePlan PlanFileResponse(const Request& request, const FileInfo& file) {
  FilePlan plan;
  const bool compressible = IsCompressible(file.media_type);
  const auto set = [&](std::string_view name, std::string_view value) {
    plan.headers.erase(std::string(name));
    plan.headers.emplace(std::string(name), std::string(value));
  };
  set("ETag", StrongEtag(file));
  set("Last-Modified", FormatHttpDate(file.last_modified));
  set("Cache-Control", file.cache_control);
  set("Accept-Ranges", "bytes");
  // Caches must keep the gzip and the identity answers of a text file apart.
  if (compressible) set("Vary", "Accept-Encoding");

  // The gzip representation has its own, weak, tag; a 304 carries the tag of the 200 it stands
  // for (RFC 9110 15.4.5), or a cache would pair the identity tag with gzip bytes.
  const bool gzip_if_whole =
      compressible && file.size > 0 && AcceptsGzip(request.Header("Accept-Encoding"));
  if (gzip_if_whole) set("ETag", absl::StrCat("W/", StrongEtag(file)));
  if (NotModified(request, file)) {
    plan.status = 304;
    return plan;
  }
  set("ETag", StrongEtag(file));
  set("Content-Type", file.media_type);
  set("Content-Disposition", ContentDisposition(file.file_name));
  RangeRequest range;
  if (request.HasHeader("Range") && IfRangeAllows(request, file)) {
    range = ParseRange(request.Header("Range"), file.size);
  }
  switch (range.kind) {
    case RangeRequest::Kind::kUnsatisfiable:
      plan.status = 416;
      set("Content-Range", absl::StrCat("bytes */", file.size));
      // An error about this request, not the file: nothing to validate or keep.
      for (const char* name : {"Content-Disposition", "ETag", "Last-Modified", "Accept-Ranges"}) {
        plan.headers.erase(name);
      }
      set("Cache-Control", "no-store");
      set("Content-Type", "text/plain; charset=utf-8");
      return plan;
    case RangeRequest::Kind::kSingle:
      plan.status = 206;
      plan.offset = range.offset;
      plan.length = range.length;
      set("Content-Range", absl::StrCat("bytes ", range.offset, "-",
                                        range.offset + range.length - 1, "/", file.size));
      return plan;
    case RangeRequest::Kind::kWholeFile:
      break;
  }
  plan.status = 200;
  plan.offset = 0;
  plan.length = file.size;
  if (gzip_if_whole) {
    plan.gzip = true;
    set("Content-Encoding", "gzip");
    // Another representation than the identity one: its tag is weak, as nginx does.
    set("ETag", absl::StrCat("W/", StrongEtag(file)));
  }
  return plan;
}

Response MakeFileResponse(const FilePlan& plan, RangeReader read) {
  Response response;
  response.status = plan.status;
  response.headers = plan.headers;
  if (plan.status == 416) response.body = "416 range not satisfiable\n";
  if (!plan.has_body()) return response;
  const uint64_t offset = plan.offset;
  const uint64_t length = plan.length;
  if (!plan.gzip) {
    response.stream_length = length;
    response.stream = [read = std::move(read), offset, length](const BodySink& sink) {
      return read(offset, length, sink);
    };
    return response;
  }
  response.stream = [read = std::move(read), offset, length](const BodySink& sink) {
    GzipEncoder encoder;
    absl::Status compressed = absl::OkStatus();
    absl::Status status = read(offset, length, [&](std::string_view piece) {
      compressed = encoder.Write(piece, sink);
      return compressed.ok();
    });
    if (!compressed.ok()) return compressed;
    if (!status.ok()) return status;
    return encoder.Finish(sink);
  };
  return response;
}

}  // namespace omnia::http

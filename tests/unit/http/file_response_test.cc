// File responses as a client sees them: exact bytes for whole files and ranges, 304 for what the
// client has, 416 for ranges beyond the end, gzip that decompresses to the very bytes, and the
// caching and download headers.
#include "libs/http/file_response.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace omnia::http {
namespace {

constexpr char kSha[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::string Content() {
  std::string text = "anno,mese,regione,tipo,valore\n";
  for (int i = 0; i < 5000; ++i) text += "2023,1,LAZIO,CIGO," + std::to_string(i) + "\n";
  return text;
}

FileInfo Csv(const std::string& content) {
  FileInfo file;
  file.file_name = "integrazioni-salariali-domande-2023.csv";
  file.media_type = "text/csv; charset=utf-8";
  file.sha256 = kSha;
  file.size = content.size();
  file.last_modified = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
  return file;
}

Request Get(std::initializer_list<std::pair<const char*, const char*>> headers = {}) {
  Request request;
  request.method = "GET";
  request.path = "/releases/r1/d/d.csv";
  for (const auto& [name, value] : headers) request.headers.emplace(name, value);
  return request;
}

std::string Header(const Response& response, const std::string& name) {
  auto it = response.headers.find(name);
  return it == response.headers.end() ? "" : it->second;
}

// The body as the client receives it.
std::string Body(const Response& response) {
  if (!response.stream) return response.body;
  std::string body;
  EXPECT_TRUE(response
                  .stream([&](std::string_view piece) {
                    body.append(piece);
                    return true;
                  })
                  .ok());
  return body;
}

// Serves the CSV of `content`; counts the bytes read from the store in *read_bytes.
Response Serve(const Request& request, const std::string& content, uint64_t* read_bytes = nullptr) {
  const FilePlan plan = PlanFileResponse(request, Csv(content));
  return MakeFileResponse(
      plan, [content, read_bytes](uint64_t offset, uint64_t length, const BodySink& sink) {
        if (read_bytes != nullptr) *read_bytes += length;
        // In pieces, as the store streams them.
        for (uint64_t at = offset; at < offset + length; at += 1000) {
          if (!sink(std::string_view(content).substr(
                  at, std::min<uint64_t>(1000, offset + length - at)))) {
            return absl::CancelledError("gone");
          }
        }
        return absl::OkStatus();
      });
}

std::string Gunzip(const std::string& compressed) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char buffer[4096];
  int result = Z_OK;
  while (result == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof(buffer);
    result = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - z.avail_out);
  }
  EXPECT_EQ(result, Z_STREAM_END);
  inflateEnd(&z);
  return out;
}

TEST(FileResponseTest, AWholeFileHasItsLengthValidatorsAndDownloadHeaders) {
  const std::string content = Content();
  const Response response = Serve(Get(), content);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.stream_length, content.size());
  EXPECT_EQ(Body(response), content);
  EXPECT_EQ(Header(response, "ETag"), std::string("\"") + kSha + "\"");
  EXPECT_EQ(Header(response, "Last-Modified"), "Thu, 01 Jan 2026 00:00:00 GMT");
  EXPECT_EQ(Header(response, "Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(Header(response, "Content-Disposition"),
            "attachment; filename=\"integrazioni-salariali-domande-2023.csv\"");
  EXPECT_EQ(Header(response, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Header(response, "Accept-Ranges"), "bytes");
  EXPECT_EQ(Header(response, "Vary"), "Accept-Encoding");
}

TEST(FileResponseTest, WhatTheClientHasIsNotSentAgain) {
  const std::string content = Content();
  const std::string etag = std::string("\"") + kSha + "\"";
  for (const std::string& tags : {etag, "\"other\", " + etag, "W/" + etag, std::string("*")}) {
    uint64_t read = 0;
    const Response response = Serve(Get({{"If-None-Match", tags.c_str()}}), content, &read);
    EXPECT_EQ(response.status, 304) << tags;
    EXPECT_EQ(Body(response), "");
    EXPECT_EQ(read, 0u);
    EXPECT_EQ(Header(response, "ETag"), etag);
    EXPECT_EQ(Header(response, "Cache-Control"), "public, max-age=31536000, immutable");
  }
  EXPECT_EQ(Serve(Get({{"If-None-Match", "\"other\""}}), content).status, 200);
  EXPECT_EQ(Serve(Get({{"If-Modified-Since", "Thu, 01 Jan 2026 00:00:00 GMT"}}), content).status,
            304);
  EXPECT_EQ(Serve(Get({{"If-Modified-Since", "Wed, 31 Dec 2025 23:59:59 GMT"}}), content).status,
            200);
  EXPECT_EQ(Serve(Get({{"If-Modified-Since", "yesterday"}}), content).status, 200);
  // If-None-Match decides alone when both are present.
  EXPECT_EQ(Serve(Get({{"If-None-Match", "\"other\""},
                       {"If-Modified-Since", "Thu, 01 Jan 2026 00:00:00 GMT"}}),
                  content)
                .status,
            200);
}

TEST(FileResponseTest, ASingleRangeSendsExactlyThoseBytesAndReadsNoMore) {
  const std::string content = Content();
  struct Case {
    const char* range;
    uint64_t offset;
    uint64_t length;
  };
  const uint64_t size = content.size();
  for (const Case& c : {Case{"bytes=0-99", 0, 100}, Case{"bytes=100-", 100, size - 100},
                        Case{"bytes=-50", size - 50, 50}, Case{"bytes=10-99999999", 10, size - 10},
                        Case{"bytes=-99999999", 0, size}}) {
    uint64_t read = 0;
    const Response response = Serve(Get({{"Range", c.range}}), content, &read);
    EXPECT_EQ(response.status, 206) << c.range;
    EXPECT_EQ(Body(response), content.substr(c.offset, c.length)) << c.range;
    EXPECT_EQ(read, c.length) << c.range;
    EXPECT_EQ(response.stream_length, c.length);
    EXPECT_EQ(Header(response, "Content-Range"), "bytes " + std::to_string(c.offset) + "-" +
                                                     std::to_string(c.offset + c.length - 1) + "/" +
                                                     std::to_string(size))
        << c.range;
    EXPECT_EQ(Header(response, "Content-Encoding"), "") << "ranges are never compressed";
  }
}

TEST(FileResponseTest, RangesBeyondTheEndAre416AndOthersAreIgnored) {
  const std::string content = Content();
  for (const char* range : {"bytes=999999999-", "bytes=-0"}) {
    const Response response = Serve(Get({{"Range", range}}), content);
    EXPECT_EQ(response.status, 416) << range;
    EXPECT_EQ(Header(response, "Content-Range"), "bytes */" + std::to_string(content.size()));
    // About this request, not the file: not kept by caches, no validators of the file.
    EXPECT_EQ(Header(response, "Cache-Control"), "no-store") << range;
    EXPECT_EQ(Header(response, "ETag"), "") << range;
    EXPECT_EQ(Header(response, "Last-Modified"), "") << range;
  }
  // Several ranges, other units, nonsense: the whole file, as RFC 9110 allows.
  for (const char* range : {"bytes=0-1,5-6", "items=0-1", "bytes=5-1", "bytes=x-y"}) {
    const Response response = Serve(Get({{"Range", range}}), content);
    EXPECT_EQ(response.status, 200) << range;
    EXPECT_EQ(Body(response), content) << range;
  }
  // If-Range naming another version: the whole (new) file instead of a piece of it.
  EXPECT_EQ(Serve(Get({{"Range", "bytes=0-9"}, {"If-Range", "\"old\""}}), content).status, 200);
  EXPECT_EQ(
      Serve(Get({{"Range", "bytes=0-9"}, {"If-Range", (std::string("\"") + kSha + "\"").c_str()}}),
            content)
          .status,
      206);
}

TEST(FileResponseTest, TextIsGzippedForClientsThatAcceptItAndDecompressesToTheSameBytes) {
  const std::string content = Content();
  const Response response = Serve(Get({{"Accept-Encoding", "gzip, deflate, br"}}), content);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(Header(response, "Content-Encoding"), "gzip");
  EXPECT_FALSE(response.stream_length.has_value());
  EXPECT_EQ(Header(response, "ETag"), std::string("W/\"") + kSha + "\"");
  const std::string compressed = Body(response);
  EXPECT_LT(compressed.size(), content.size() / 3);
  EXPECT_EQ(Gunzip(compressed), content);

  // A revalidation by a gzip client gets the tag of the gzip answer it holds, whichever tag form
  // it sends back.
  for (const std::string& held :
       {std::string("W/\"") + kSha + "\"", std::string("\"") + kSha + "\""}) {
    const Response again =
        Serve(Get({{"Accept-Encoding", "gzip"}, {"If-None-Match", held.c_str()}}), content);
    EXPECT_EQ(again.status, 304);
    EXPECT_EQ(Header(again, "ETag"), std::string("W/\"") + kSha + "\"");
  }
  const Response identity_again =
      Serve(Get({{"If-None-Match", (std::string("\"") + kSha + "\"").c_str()}}), content);
  EXPECT_EQ(identity_again.status, 304);
  EXPECT_EQ(Header(identity_again, "ETag"), std::string("\"") + kSha + "\"");

  for (const char* refused : {"gzip;q=0", "identity", "br", "*;q=0"}) {
    EXPECT_EQ(Header(Serve(Get({{"Accept-Encoding", refused}}), content), "Content-Encoding"), "")
        << refused;
  }
  EXPECT_EQ(Header(Serve(Get({{"Accept-Encoding", "*"}}), content), "Content-Encoding"), "gzip");
  // Not for spreadsheets (already compressed).
  FileInfo xlsx = Csv(content);
  xlsx.media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  EXPECT_FALSE(PlanFileResponse(Get({{"Accept-Encoding", "gzip"}}), xlsx).gzip);
}

TEST(FileResponseTest, MediaTypesWorthCompressing) {
  for (const char* type : {"text/csv; charset=utf-8", "application/json", "application/xml",
                           "application/json; charset=utf-8", "application/problem+json",
                           "application/rdf+xml", "text/turtle"}) {
    EXPECT_TRUE(IsCompressible(type)) << type;
  }
  for (const char* type : {"application/zip", "image/png", "application/octet-stream"}) {
    EXPECT_FALSE(IsCompressible(type)) << type;
  }
}

TEST(FileResponseTest, UnusualFileNamesAreQuotedSafely) {
  EXPECT_EQ(ContentDisposition("a.csv"), "attachment; filename=\"a.csv\"");
  EXPECT_EQ(ContentDisposition("a\"b\r\n.csv"),
            "attachment; filename=\"download\"; filename*=UTF-8''a%22b%0D%0A.csv");
  EXPECT_EQ(ContentDisposition("libertà.csv"),
            "attachment; filename=\"download\"; filename*=UTF-8''libert%C3%A0.csv");
}

TEST(FileResponseTest, HttpDatesRoundTrip) {
  const absl::Time time = absl::FromUnixSeconds(784111777);
  EXPECT_EQ(FormatHttpDate(time), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), time);
  EXPECT_FALSE(ParseHttpDate("06/11/1994").has_value());
}

}  // namespace
}  // namespace omnia::http

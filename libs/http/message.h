// HTTP requests and responses as plain values, independent of the server library, so route
// handlers and file responses are testable without a network.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace omnia::http {

// Header names compare ignoring ASCII case, as HTTP says.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};
using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  // "GET", "HEAD", "OPTIONS", "POST", ...
  std::string method;
  // The path as received: percent-encoded, without the query string.
  std::string path;
  Headers headers;
  // Decoded query parameters, in order. Never logged: they may hold anything a client typed.
  std::multimap<std::string, std::string> query;
  // The request body (bounded by the server; only routes that accept POST see one).
  std::string body;

  // The first value of header `name`, or "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const { return headers.count(std::string(name)) > 0; }
};

// Hands one piece of a body to the client; false once the client is gone (stop producing).
using BodySink = std::function<bool(std::string_view)>;
// Produces a streamed body. Not OK when the body could not be produced whole: the server then
// cuts the connection, so the client sees a truncated response, never a wrong complete one.
using BodyWriter = std::function<absl::Status(const BodySink& sink)>;

struct Response {
  int status = 200;
  // Every header but Content-Length and Transfer-Encoding, which the server sets.
  Headers headers;
  // A small body held in memory; ignored when `stream` is set.
  std::string body;
  // A streamed body, produced only when it is sent (never for HEAD).
  BodyWriter stream;
  // The exact length of `stream` when known (sent as Content-Length); nullopt sends it chunked.
  std::optional<uint64_t> stream_length;

  void SetHeader(std::string_view name, std::string_view value);
};

// A plain-text response ("404 not found\n"), for errors: the text must not echo client input.
Response TextResponse(int status, std::string_view text);

}  // namespace omnia::http

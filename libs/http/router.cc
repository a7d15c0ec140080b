#include "libs/http/router.h"

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/base/string_view.h"

namespace omnia::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> DecodeSegment(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out.push_back(raw[i]);
      continue;
    }
    if (i + 2 >= raw.size()) return std::nullopt;
    const int high = HexValue(raw[i + 1]);
    const int low = HexValue(raw[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

bool IsCleanName(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  for (const char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

// Headers a browser may send on a cross-origin GET of our files and APIs.
constexpr char kAllowedRequestHeaders[] =
    "Accept, Accept-Encoding, Content-Type, If-Modified-Since, If-None-Match, If-Range, Range";
constexpr char kExposedHeaders[] =
    "Accept-Ranges, Content-Disposition, Content-Encoding, Content-Length, Content-Range, ETag, "
    "Last-Modified";

}  // namespace

std::optional<std::vector<std::string>> SplitPath(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::vector<std::string> segments;
  if (path == "/") return segments;
  for (absl::string_view raw : absl::StrSplit(AsAbsl(path.substr(1)), '/')) {
    std::optional<std::string> segment = DecodeSegment(std::string_view(raw.data(), raw.size()));
    if (!segment.has_value() || !IsCleanName(*segment)) return std::nullopt;
    segments.push_back(*std::move(segment));
  }
  return segments;
}

void Router::Add(std::set<std::string> methods, std::string pattern, Handler handler) {
  Route route;
  route.methods = std::move(methods);
  if (route.methods.count("GET") > 0) route.methods.insert("HEAD");
  route.pattern = pattern;
  route.handler = std::move(handler);
  for (absl::string_view raw : absl::StrSplit(AsAbsl(pattern), '/', absl::SkipEmpty())) {
    Segment segment;
    const std::string text(raw);
    if (!text.empty() && text.front() == '{' && text.find('}') != std::string::npos) {
      const size_t close = text.find('}');
      segment.param = text.substr(1, close - 1);
      segment.literal = text.substr(close + 1);
    } else {
      segment.literal = text;
    }
    route.literal_chars += segment.literal.size();
    route.segments.push_back(std::move(segment));
  }
  routes_.push_back(std::move(route));
}

const Router::Route* Router::Match(std::string_view path, PathParams* params) const {
  const std::optional<std::vector<std::string>> segments = SplitPath(path);
  if (!segments.has_value()) return nullptr;
  const Route* best = nullptr;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments->size()) continue;
    PathParams found;
    bool matches = true;
    for (size_t i = 0; i < segments->size() && matches; ++i) {
      const Segment& want = route.segments[i];
      const std::string& have = (*segments)[i];
      if (want.param.empty()) {
        matches = have == want.literal;
      } else if (have.size() > want.literal.size() && absl::EndsWith(have, want.literal)) {
        found[want.param] = have.substr(0, have.size() - want.literal.size());
      } else {
        matches = false;
      }
    }
    if (matches && (best == nullptr || route.literal_chars > best->literal_chars)) {
      best = &route;
      *params = std::move(found);
    }
  }
  return best;
}

std::string Router::RouteOf(std::string_view path) const {
  PathParams params;
  const Route* route = Match(path, &params);
  return route == nullptr ? kUnmatchedRoute : route->pattern;
}

Router::Result Router::Handle(const Request& request) const {
  PathParams params;
  const Route* route = Match(request.path, &params);
  Result result;
  if (route == nullptr) {
    result.response = TextResponse(404, "404 not found");
    result.route = kUnmatchedRoute;
  } else {
    result.route = route->pattern;
    const std::string allow = absl::StrJoin(route->methods, ", ") + ", OPTIONS";
    if (request.method == "OPTIONS") {
      result.response.status = 204;
      result.response.SetHeader("Allow", allow);
      result.response.SetHeader("Access-Control-Allow-Methods", allow);
      result.response.SetHeader("Access-Control-Allow-Headers", kAllowedRequestHeaders);
      result.response.SetHeader("Access-Control-Max-Age", "86400");
    } else if (route->methods.count(request.method) == 0) {
      result.response = TextResponse(405, "405 method not allowed");
      result.response.SetHeader("Allow", allow);
    } else {
      result.response = route->handler(request, params);
    }
  }
  result.response.SetHeader("Access-Control-Allow-Origin", "*");
  result.response.SetHeader("Access-Control-Expose-Headers", kExposedHeaders);
  return result;
}

}  // namespace omnia::http

// Routes requests to handlers by method and path pattern, and answers what every route shares:
// 404 for paths no route knows (including every path that is not a clean list of names, such as
// ones with "..", encoded slashes or NUL bytes), 405 with Allow for a known path and another
// method, CORS preflights (OPTIONS) and `Access-Control-Allow-Origin: *` on every response: the
// data is public.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "libs/http/message.h"

namespace omnia::http {

// The decoded path parameters of a match, by name ("release_id" -> "2026-01-15").
using PathParams = std::map<std::string, std::string>;
using Handler = std::function<Response(const Request&, const PathParams&)>;

// The name metrics and logs use for requests no route matched.
inline constexpr char kUnmatchedRoute[] = "unmatched";

class Router {
 public:
  // Adds a route. `pattern` is a path of '/'-separated segments, each a literal ("releases") or a
  // parameter ("{release_id}"), optionally followed by a literal suffix ("{dataset_id}.ttl").
  // `methods` are those the handler serves ("GET" also serves HEAD: the server drops the body);
  // POST is for read APIs that take a JSON body. When several routes match a path, the one with
  // the most literal text wins (so "/dataset/{id}/datapackage.json" beats
  // "/dataset/{id}/{file_name}"), then the first added.
  void Add(std::set<std::string> methods, std::string pattern, Handler handler);

  struct Result {
    Response response;
    // The matched route's pattern, or kUnmatchedRoute: a label with few values, for metrics.
    std::string route;
  };
  Result Handle(const Request& request) const;

  // The pattern that would handle `path`, or kUnmatchedRoute.
  std::string RouteOf(std::string_view path) const;

 private:
  struct Segment {
    std::string literal;  // the whole segment, or the suffix after a parameter
    std::string param;    // empty for a literal segment
  };
  struct Route {
    std::set<std::string> methods;
    std::string pattern;
    std::vector<Segment> segments;
    size_t literal_chars = 0;
    Handler handler;
  };
  // The best route for `path` and its parameters; null when none matches.
  const Route* Match(std::string_view path, PathParams* params) const;

  std::vector<Route> routes_;
};

// The decoded segments of a request path, or nullopt when the path is not a clean list of names:
// no leading '/', an invalid %-escape, or a segment that decodes to "", ".", ".." or contains
// '/', '\' or a control character. Such paths match no route.
std::optional<std::vector<std::string>> SplitPath(std::string_view path);

}  // namespace omnia::http

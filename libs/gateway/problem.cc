#include "libs/gateway/problem.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/base/string_view.h"
#include "libs/gateway/query_params.h"
#include "nlohmann/json.hpp"

namespace omnia::gateway {
http::Response ProblemResponse(const Problem& problem) {
  nlohmann::json body = {{"type", "about:blank"},
                         {"title", problem.title},
                         {"status", problem.status},
                         {"detail", problem.detail}};
  if (!problem.instance.empty()) body["instance"] = problem.instance;
  if (!problem.parameter.empty()) body["parameter"] = problem.parameter;
  http::Response response;
  response.status = problem.status;
  response.SetHeader("Content-Type", kProblemContentType);
  response.SetHeader("Cache-Control", "no-store");
  if (problem.status == 503) response.SetHeader("Retry-After", kRetryAfterSeconds);
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return response;
}

std::string WithoutQuotedText(std::string_view message) {
  std::string out;
  char open = 0;
  for (char c : message) {
    if (open != 0) {
      if (c == open) open = 0;
      continue;
    }
    // An apostrophe inside a word ("VALLE_D'AOSTA" quoted, "l'anno") is not a quotation mark:
    // only one after a space, a colon or the start opens a quotation.
    const bool opens =
        (c == '"') ||
        (c == '\'' && (out.empty() || out.back() == ' ' || out.back() == ':' || out.back() == '('));
    if (opens) {
      open = c;
      out += "(value)";
      continue;
    }
    out += c;
  }
  if (out.size() > 300) out = absl::StrCat(out.substr(0, 297), "...");
  return out;
}

std::string ParameterOfMessage(std::string_view message) {
  const size_t colon = message.find(':');
  if (colon != std::string_view::npos && IsQueryParameter(message.substr(0, colon))) {
    return std::string(message.substr(0, colon));
  }
  const std::string lower = absl::AsciiStrToLower(AsAbsl(message));
  const std::pair<const char*, const char*> words[] = {
      {"measure", "measures"}, {"macro-area", "regions"},
      {"region", "regions"},   {"intervention type", "types"},
      {"famil", "types"},      {"period", "from"},
      {"month", "from"},       {"release", "release"},
      {"format", "format"}};
  for (const auto& [word, parameter] : words) {
    if (absl::StrContains(lower, word)) return parameter;
  }
  return "";
}

bool IsRetryableUpstreamFailure(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kResourceExhausted || code == absl::StatusCode::kAborted;
}

Problem ProblemForQueryStatus(const absl::Status& status, std::string_view instance) {
  Problem problem;
  problem.instance = std::string(instance);
  const std::string message(status.message());
  const std::string detail = WithoutQuotedText(message);
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      problem.status = 400;
      problem.title = "Bad Request";
      problem.parameter = ParameterOfMessage(message);
      problem.detail = problem.parameter.empty() || absl::StartsWith(detail, problem.parameter)
                           ? detail
                           : absl::StrCat(problem.parameter, ": ", detail);
      break;
    case absl::StatusCode::kNotFound:
      problem.status = 404;
      problem.title = "Not Found";
      problem.detail = detail;
      break;
    case absl::StatusCode::kFailedPrecondition:
      problem.status = 409;
      problem.title = "Conflict";
      problem.detail = detail;
      break;
    default:
      if (IsRetryableUpstreamFailure(status.code())) {
        problem.status = 503;
        problem.title = "Service Unavailable";
        problem.detail = "the data services are busy or unreachable; retry later";
        break;
      }
      problem.status = 502;
      problem.title = "Bad Gateway";
      problem.detail = "the data services failed to answer";
      break;
  }
  return problem;
}

}  // namespace omnia::gateway

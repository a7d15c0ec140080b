// RFC 9457 problem details (application/problem+json) for the gateway's own APIs: a JSON object
// {type, title, status, detail, instance?}. The detail explains what went wrong without quoting
// client input: a query parameter may hold anything a user typed, personal data included.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/http/message.h"

namespace omnia::gateway {

inline constexpr char kProblemContentType[] = "application/problem+json";
// Seconds a client should wait before retrying a 503.
inline constexpr char kRetryAfterSeconds[] = "5";

struct Problem {
  int status = 500;
  // The HTTP status phrase ("Bad Request"); the type is about:blank, as RFC 9457 says for
  // problems that need no type of their own.
  std::string title;
  std::string detail;
  // The path the problem occurred at (no query string); omitted when empty.
  std::string instance;
  // For 400: the query parameter at fault (an extension member, "parameter").
  std::string parameter;
};

// Whether a failed call to the data services is worth retrying shortly: they were unreachable,
// slow, busy or in the middle of a change (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
// ABORTED). Every gateway route answers those 503 with Retry-After: kRetryAfterSeconds.
bool IsRetryableUpstreamFailure(absl::StatusCode code);

// The response for `problem`: its JSON body, Content-Type application/problem+json, and
// Retry-After on 503.
http::Response ProblemResponse(const Problem& problem);

// The problem for a failed call of the query API:
//   INVALID_ARGUMENT                          400, naming the parameter at fault
//   NOT_FOUND                                 404 (an unknown release)
//   FAILED_PRECONDITION                       409 with the explanation (WORKERS over imported
//                                             published years: distinct counts do not add up)
//   UNAVAILABLE, DEADLINE_EXCEEDED,
//   RESOURCE_EXHAUSTED, ABORTED               503 with Retry-After
//   anything else                             502
// Quoted text in the status message (a code as the client typed it) is left out.
Problem ProblemForQueryStatus(const absl::Status& status, std::string_view instance);

// The query parameter a status message of the query API is about: the leading "name:" when it is
// one of the parameters, otherwise guessed from the words the exporter and aggregation use
// ("region" → regions, "intervention type" → types, ...); "" when none fits.
std::string ParameterOfMessage(std::string_view message);

// `message` with every '…' or "…" quotation replaced by "(value)", and cut to 300 bytes.
std::string WithoutQuotedText(std::string_view message);

}  // namespace omnia::gateway

#include "libs/gateway/problem.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "nlohmann/json.hpp"

namespace omnia::gateway {
namespace {

nlohmann::json BodyOf(const http::Response& response) {
  return nlohmann::json::parse(response.body);
}

TEST(ProblemTest, ResponsesAreRfc9457ProblemDetails) {
  Problem problem;
  problem.status = 404;
  problem.title = "Not Found";
  problem.detail = "no such release";
  problem.instance = "/api/v1/query";
  const http::Response response = ProblemResponse(problem);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.headers.find("Content-Type")->second, "application/problem+json");
  const nlohmann::json body = BodyOf(response);
  EXPECT_EQ(body["type"], "about:blank");
  EXPECT_EQ(body["title"], "Not Found");
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["detail"], "no such release");
  EXPECT_EQ(body["instance"], "/api/v1/query");
  EXPECT_FALSE(body.contains("parameter"));
  EXPECT_EQ(response.headers.count("Retry-After"), 0u);
}

TEST(ProblemTest, QueryStatusesMapToTheirHttpStatus) {
  const Problem invalid = ProblemForQueryStatus(
      absl::InvalidArgumentError("from: expected a month as YYYY-MM"), "/api/v1/query");
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(invalid.parameter, "from");
  EXPECT_EQ(invalid.detail, "from: expected a month as YYYY-MM");
  EXPECT_EQ(invalid.instance, "/api/v1/query");

  EXPECT_EQ(ProblemForQueryStatus(absl::NotFoundError("release r9 not found"), "").status, 404);

  const std::string refusal =
      "WORKERS of 2023 come from published cells: distinct counts are not additive";
  const Problem conflict = ProblemForQueryStatus(absl::FailedPreconditionError(refusal), "");
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.detail, refusal);

  for (const absl::Status& busy :
       {absl::UnavailableError("down"), absl::DeadlineExceededError("slow"),
        absl::ResourceExhaustedError("full"), absl::AbortedError("a release is being made")}) {
    EXPECT_TRUE(IsRetryableUpstreamFailure(busy.code())) << busy;
    const http::Response response = ProblemResponse(ProblemForQueryStatus(busy, ""));
    EXPECT_EQ(response.status, 503) << busy;
    EXPECT_EQ(response.headers.find("Retry-After")->second, "5");
  }
  EXPECT_EQ(ProblemForQueryStatus(absl::InternalError("boom"), "").status, 502);
  EXPECT_FALSE(IsRetryableUpstreamFailure(absl::StatusCode::kInternal));
  EXPECT_FALSE(IsRetryableUpstreamFailure(absl::StatusCode::kInvalidArgument));
}

TEST(ProblemTest, ExporterRefusalsNameTheParameterWithoutQuotingTheValue) {
  const Problem region = ProblemForQueryStatus(
      absl::InvalidArgumentError(
          "unknown region or macro-area 'RSSMRA80A01H501U'; valid regions: ABRUZZO, ..."),
      "");
  EXPECT_EQ(region.status, 400);
  EXPECT_EQ(region.parameter, "regions");
  EXPECT_FALSE(absl::StrContains(region.detail, "RSSMRA80A01H501U")) << region.detail;
  EXPECT_TRUE(absl::StartsWith(region.detail, "regions: ")) << region.detail;

  const Problem type = ProblemForQueryStatus(
      absl::InvalidArgumentError("unknown intervention type or family \"X1\"; valid types: CIGO"),
      "");
  EXPECT_EQ(type.parameter, "types");
  EXPECT_FALSE(absl::StrContains(type.detail, "X1")) << type.detail;
  EXPECT_EQ(ProblemForQueryStatus(absl::InvalidArgumentError("measures: name at least one"), "")
                .parameter,
            "measures");
}

TEST(ProblemTest, QuotationsAreLeftOutButApostrophesInWordsStay) {
  EXPECT_EQ(WithoutQuotedText("unknown code 'ABC'; valid: VALLE_D'AOSTA"),
            "unknown code (value); valid: VALLE_D'AOSTA");
  EXPECT_EQ(WithoutQuotedText("bad \"x\" and 'y'"), "bad (value) and (value)");
  EXPECT_LE(WithoutQuotedText(std::string(1000, 'a')).size(), 300u);
}

}  // namespace
}  // namespace omnia::gateway

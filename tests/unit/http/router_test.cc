// Routing: only names a route knows are served, whatever a client puts in the path; every answer
// allows any origin, and preflights say what may be asked.
#include "libs/http/router.h"

#include <gtest/gtest.h>

namespace omnia::http {
namespace {

Request Get(std::string path, std::string method = "GET") {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

// A router with the gateway's file routes, each answering with its route and parameters.
Router FileRouter() {
  Router router;
  const auto echo = [](const std::string& name) {
    return [name](const Request&, const PathParams& params) {
      std::string text = name;
      for (const auto& [key, value] : params) text += " " + key + "=" + value;
      return TextResponse(200, text);
    };
  };
  router.Add({"GET"}, "/releases/{release_id}/{dataset_id}/{file_name}", echo("release"));
  router.Add({"GET"}, "/dataset/{dataset_id}/{file_name}", echo("latest"));
  router.Add({"GET"}, "/dataset/{dataset_id}/datapackage.json", echo("datapackage"));
  router.Add({"GET"}, "/dataset/{dataset_id}.ttl", echo("turtle"));
  router.Add({"GET", "POST"}, "/api/3/action/{action}", echo("action"));
  return router;
}

TEST(RouterTest, MatchesPatternsAndDecodesParameters) {
  const Router router = FileRouter();
  Router::Result result = router.Handle(Get("/releases/r1/d%2Dx/d-x.csv"));
  EXPECT_EQ(result.response.status, 200);
  EXPECT_EQ(result.route, "/releases/{release_id}/{dataset_id}/{file_name}");
  EXPECT_EQ(result.response.body, "release dataset_id=d-x file_name=d-x.csv release_id=r1\n");
  EXPECT_EQ(router.Handle(Get("/dataset/d/d.csv")).response.body,
            "latest dataset_id=d file_name=d.csv\n");
  EXPECT_EQ(router.Handle(Get("/dataset/d.ttl")).response.body, "turtle dataset_id=d\n");
}

TEST(RouterTest, TheMostSpecificRouteWins) {
  const Router router = FileRouter();
  EXPECT_EQ(router.Handle(Get("/dataset/d/datapackage.json")).response.body,
            "datapackage dataset_id=d\n");
}

TEST(RouterTest, PathsThatAreNotCleanNamesMatchNothing) {
  const Router router = FileRouter();
  for (const char* path :
       {"/releases/r1/d/..", "/releases/r1/../d.csv", "/releases/r1/d/%2e%2e",
        "/releases/r1/d%2F..%2F/x", "/releases/r1/d/a%2Fb.csv", "/releases/r1/d/a%5Cb.csv",
        "/releases/r1/d/a%00.csv", "/releases/r1/d/a%zz", "/releases/r1/d/a%4",
        "/releases//d/x.csv", "/releases/r1/d/x.csv/", "releases/r1/d/x.csv", "/etc/passwd", "/",
        ""}) {
    const Router::Result result = router.Handle(Get(path));
    EXPECT_EQ(result.response.status, 404) << path;
    EXPECT_EQ(result.route, kUnmatchedRoute) << path;
    EXPECT_EQ(result.response.body, "404 not found\n") << "nothing of the path is echoed";
  }
}

TEST(RouterTest, OtherMethodsOnAKnownPathGet405WithAllow) {
  const Router router = FileRouter();
  const Router::Result result = router.Handle(Get("/dataset/d/d.csv", "POST"));
  EXPECT_EQ(result.response.status, 405);
  EXPECT_EQ(result.response.headers.find("Allow")->second, "GET, HEAD, OPTIONS");
  EXPECT_EQ(router.Handle(Get("/dataset/d/d.csv", "DELETE")).response.status, 405);
  EXPECT_EQ(router.Handle(Get("/dataset/d/d.csv", "HEAD")).response.status, 200);
  // A route may take POST (a read API with a JSON body), but only if it says so.
  EXPECT_EQ(router.Handle(Get("/api/3/action/package_show", "POST")).response.status, 200);
}

TEST(RouterTest, EveryAnswerAllowsAnyOriginAndPreflightsSayWhatMayBeAsked) {
  const Router router = FileRouter();
  for (const char* path : {"/dataset/d/d.csv", "/nothing"}) {
    const Response response = router.Handle(Get(path)).response;
    EXPECT_EQ(response.headers.find("access-control-allow-origin")->second, "*") << path;
  }
  const Response preflight = router.Handle(Get("/dataset/d/d.csv", "OPTIONS")).response;
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.headers.find("Access-Control-Allow-Origin")->second, "*");
  EXPECT_EQ(preflight.headers.find("Access-Control-Allow-Methods")->second, "GET, HEAD, OPTIONS");
  EXPECT_NE(preflight.headers.find("Access-Control-Allow-Headers")->second.find("Range"),
            std::string::npos);
  EXPECT_EQ(router.Handle(Get("/nothing", "OPTIONS")).response.status, 404);
}

}  // namespace
}  // namespace omnia::http

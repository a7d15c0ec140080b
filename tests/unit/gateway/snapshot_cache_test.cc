// The snapshot cache with a fake catalogue, and the catalogue routes served from it.
#include "libs/gateway/snapshot_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "libs/gateway/catalogue_routes.h"
#include "nlohmann/json.hpp"
#include "tests/unit/ckan/test_snapshot.h"

namespace omnia::gateway {
namespace {

// A catalogue whose latest release and availability the test sets, counting the calls.
class FakeSource : public CatalogueSource {
 public:
  absl::StatusOr<std::string> LatestReleaseId() override {
    ++latest_calls;
    if (block != nullptr) block->WaitForNotification();
    if (!available) return absl::UnavailableError("catalogue down");
    return latest;
  }
  absl::StatusOr<CatalogueContents> Fetch(const std::string& release_id) override {
    ++fetches;
    if (!available) return absl::UnavailableError("catalogue down");
    const ckan::CatalogueSnapshot test = ckan::TestSnapshot();
    CatalogueContents contents;
    contents.datasets = test.datasets;
    for (v1::Dataset& dataset : contents.datasets) dataset.set_release_id(release_id);
    contents.releases = test.releases;
    contents.releases[0].set_release_id(release_id);
    contents.codelists = test.codelists;
    return contents;
  }

  std::string latest = "r1";
  bool available = true;
  absl::Notification* block = nullptr;
  std::atomic<int> latest_calls{0};
  std::atomic<int> fetches{0};
};

class SnapshotCacheTest : public ::testing::Test {
 protected:
  SnapshotCacheTest() { site_.public_base_url = "https://dati.example.it"; }

  std::string ReleaseOf(SnapshotCache& cache) {
    absl::StatusOr<std::shared_ptr<const PublishedCatalogue>> snapshot = cache.Get();
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    return snapshot.ok() ? (*snapshot)->release_id : "";
  }

  FakeSource source_;
  FakeClock clock_{absl::FromUnixSeconds(1700000000)};
  ckan::CkanSite site_;
};

TEST_F(SnapshotCacheTest, FetchesOncePerReleaseAndRechecksAfterTheInterval) {
  SnapshotCache cache(source_, clock_, site_, absl::Seconds(5));
  EXPECT_EQ(ReleaseOf(cache), "r1");
  EXPECT_EQ(ReleaseOf(cache), "r1");
  EXPECT_EQ(source_.latest_calls, 1);
  EXPECT_EQ(source_.fetches, 1);

  // Within the interval a new release is not seen yet; after it, it is, fetched once.
  source_.latest = "r2";
  clock_.Advance(absl::Seconds(4));
  EXPECT_EQ(ReleaseOf(cache), "r1");
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(ReleaseOf(cache), "r2");
  EXPECT_EQ(ReleaseOf(cache), "r2");
  EXPECT_EQ(source_.fetches, 2);

  // The same latest release is only re-checked, never fetched again.
  clock_.Advance(absl::Seconds(6));
  EXPECT_EQ(ReleaseOf(cache), "r2");
  EXPECT_EQ(source_.latest_calls, 3);
  EXPECT_EQ(source_.fetches, 2);
}

TEST_F(SnapshotCacheTest, AFailedRefreshKeepsServingTheLastGoodSnapshot) {
  SnapshotCache cache(source_, clock_, site_, absl::Seconds(5));
  EXPECT_EQ(ReleaseOf(cache), "r1");
  source_.available = false;
  source_.latest = "r2";
  clock_.Advance(absl::Seconds(6));
  EXPECT_EQ(ReleaseOf(cache), "r1");
  // The failure counts as a check: the catalogue is not asked again by every request.
  EXPECT_EQ(ReleaseOf(cache), "r1");
  EXPECT_EQ(source_.latest_calls, 2);
  source_.available = true;
  clock_.Advance(absl::Seconds(6));
  EXPECT_EQ(ReleaseOf(cache), "r2");
}

TEST_F(SnapshotCacheTest, WithoutAnySnapshotItIsUnavailableUntilTheCatalogueAnswers) {
  SnapshotCache cache(source_, clock_, site_, absl::Seconds(5));
  source_.available = false;
  absl::StatusOr<std::shared_ptr<const PublishedCatalogue>> none = cache.Get();
  EXPECT_EQ(none.status().code(), absl::StatusCode::kUnavailable);
  // With nothing to serve, the next request tries again at once.
  source_.available = true;
  EXPECT_EQ(ReleaseOf(cache), "r1");
}

TEST_F(SnapshotCacheTest, ConcurrentRequestsShareOneRefresh) {
  SnapshotCache cache(source_, clock_, site_, absl::Seconds(5));
  absl::Notification release_fetch;
  source_.block = &release_fetch;
  std::vector<std::thread> requests;
  std::atomic<int> served{0};
  for (int i = 0; i < 8; ++i) {
    requests.emplace_back([&] {
      if (cache.Get().ok()) ++served;
    });
  }
  // Let every request reach the cache while the first one's fetch is held.
  while (source_.latest_calls == 0) std::this_thread::yield();
  absl::SleepFor(absl::Milliseconds(50));
  release_fetch.Notify();
  for (std::thread& request : requests) request.join();
  EXPECT_EQ(served, 8);
  EXPECT_EQ(source_.latest_calls, 1);
  EXPECT_EQ(source_.fetches, 1);
}

class CatalogueRoutesTest : public SnapshotCacheTest {
 protected:
  CatalogueRoutesTest() { routes_.AddRoutes(router_); }

  static dcat::CatalogConfig Config() {
    dcat::CatalogConfig config;
    config.public_base_url = "https://dati.example.it";
    return config;
  }

  http::Response Get(const std::string& path, std::multimap<std::string, std::string> query = {}) {
    http::Request request;
    request.method = "GET";
    request.path = path;
    request.query = std::move(query);
    return router_.Handle(request).response;
  }
  std::string ContentType(const http::Response& response) {
    auto it = response.headers.find("Content-Type");
    return it == response.headers.end() ? "" : it->second;
  }

  SnapshotCache cache_{source_, clock_, site_};
  CatalogueRoutes routes_{cache_, Config()};
  http::Router router_;
};

TEST_F(CatalogueRoutesTest, CkanActionsAnswerFromTheSnapshotUnderBothPrefixes) {
  for (const char* prefix : {"/api/3/action/", "/api/action/"}) {
    const http::Response list = Get(std::string(prefix) + "package_list");
    EXPECT_EQ(list.status, 200) << prefix;
    const nlohmann::json body = nlohmann::json::parse(list.body);
    EXPECT_TRUE(body["success"].get<bool>());
    EXPECT_EQ(body["result"].size(), source_.Fetch("r1")->datasets.size());
  }
  const http::Response unknown = Get("/api/3/action/no_such_action");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_TRUE(nlohmann::json::parse(unknown.body).is_string());
}

TEST_F(CatalogueRoutesTest, DatasetDocumentsAndDataPackageDoNotCollideWithFiles) {
  const std::string id = source_.Fetch("r1")->datasets[0].dataset_id();
  EXPECT_EQ(router_.RouteOf("/dataset/" + id + ".ttl"), "/dataset/{dataset_id}.ttl");
  EXPECT_EQ(router_.RouteOf("/dataset/" + id + "/datapackage.json"),
            "/dataset/{dataset_id}/datapackage.json");
  const http::Response turtle = Get("/dataset/" + id + ".ttl");
  EXPECT_EQ(turtle.status, 200);
  EXPECT_EQ(ContentType(turtle), "text/turtle; charset=utf-8");
  const http::Response package = Get("/dataset/" + id + "/datapackage.json");
  EXPECT_EQ(package.status, 200);
  EXPECT_TRUE(nlohmann::json::parse(package.body).contains("resources"));
  EXPECT_EQ(Get("/dataset/no-such-dataset.jsonld").status, 404);
  EXPECT_EQ(Get("/dataset/no-such-dataset/datapackage.json").status, 404);
}

TEST_F(CatalogueRoutesTest, CatalogPagesAndTheFeed) {
  EXPECT_EQ(Get("/catalog.rdf").status, 200);
  EXPECT_EQ(ContentType(Get("/catalog.jsonld")), "application/ld+json; charset=utf-8");
  EXPECT_EQ(Get("/catalog.ttl", {{"page", "2"}}).status, 404);
  EXPECT_EQ(Get("/catalog.ttl", {{"page", "zero"}}).status, 400);
  EXPECT_EQ(Get("/releases.atom").status, 200);
}

TEST_F(CatalogueRoutesTest, WithoutACatalogueEveryRouteAnswers503WithRetryAfter) {
  source_.available = false;
  for (const char* path : {"/api/3/action/package_list", "/catalog.ttl", "/releases.atom",
                           "/dataset/x.ttl", "/dataset/x/datapackage.json"}) {
    const http::Response response = Get(path);
    EXPECT_EQ(response.status, 503) << path;
    EXPECT_EQ(ContentType(response), "application/problem+json") << path;
    EXPECT_EQ(response.headers.count("Retry-After"), 1u) << path;
  }
}

}  // namespace
}  // namespace omnia::gateway

// The portal's pages on the gateway: GET / (the catalogue), GET /dataset/{dataset_id} (a
// report's detail mask), GET /cruscotto (the monitoring dashboard) and GET /rilasci (the
// releases). libs/portal renders them from data fetched here over gRPC, each call with a
// deadline. A page is a pure function of the release and its canonical URL, so rendered pages
// are kept in a bounded LRU keyed by both: a repeated view costs no RPC at all, and a new
// release is noticed within `release_check_interval`.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/base/lru_cache.h"
#include "libs/http/router.h"
#include "libs/portal/catalog_page.h"
#include "libs/portal/cruscotto.h"
#include "libs/portal/layout.h"
#include "services/gateway/gateway.h"

namespace omnia::gateway {

struct PortalOptions {
  portal::PortalSite site;
  // How long the latest release id is trusted before asking the catalogue again.
  absl::Duration release_check_interval = absl::Seconds(5);
  // The budget of rendered pages kept.
  size_t page_cache_bytes = 32 << 20;
  // Bytes of the CSV attachment read for the dataset page's preview.
  uint64_t preview_bytes = 8192;
  // Cache-Control of the pages: short, since a new release changes them.
  std::string cache_control = "public, max-age=60";
};

class PortalRoutes {
 public:
  using Clock = std::function<absl::Time()>;

  PortalRoutes(Gateway& gateway, PortalOptions options, Clock clock = absl::Now);

  // Registers GET /, GET /dataset/{dataset_id}, GET /cruscotto and GET /rilasci.
  void AddRoutes(http::Router& router);

 private:
  // A rendered page with its HTTP status (200, 400 or 404; failures are never cached).
  struct RenderedPage {
    int status = 200;
    std::string html;
  };
  // The catalogue's state every page of one release shares.
  struct ReleaseState {
    std::string release_id;  // "" when nothing is published yet
    absl::Time checked_at = absl::InfinitePast();
    // Fetched on the first Cruscotto view of the release.
    std::optional<portal::CruscottoContext> cruscotto;
  };

  http::Response Catalog(const http::Request& request);
  http::Response Dataset(const std::string& dataset_id);
  http::Response Cruscotto(const http::Request& request);
  http::Response Releases();

  // The cached page of (release, url), or `render`'s, cached when it is not a failure.
  http::Response Cached(const std::string& release_id, const std::string& url,
                        const std::function<absl::StatusOr<RenderedPage>()>& render);
  absl::StatusOr<std::string> LatestRelease();
  absl::StatusOr<portal::CruscottoContext> CruscottoContextOf(const std::string& release_id);

  absl::StatusOr<RenderedPage> RenderCatalog(const std::string& release_id,
                                             const portal::CatalogQuery& query);
  absl::StatusOr<RenderedPage> RenderDataset(const std::string& release_id,
                                             const std::string& dataset_id);
  absl::StatusOr<RenderedPage> RenderCruscotto(const portal::CruscottoContext& context,
                                               const portal::CruscottoParams& params);
  absl::StatusOr<RenderedPage> RenderReleases();

  absl::StatusOr<v1::ListDatasetsResponse> AllDatasets(v1::ListDatasetsRequest request);
  absl::StatusOr<std::vector<v1::Release>> AllReleases();
  absl::StatusOr<v1::ListCodelistsResponse> AllCodelists();
  // Runs one planned query, following pages, and its exact alternative after a refusal.
  absl::StatusOr<portal::QueryOutcome> RunPlannedQuery(const portal::PlannedQuery& planned);
  absl::StatusOr<std::vector<v1::Cell>> AllCells(v1::QueryRequest request);
  // The first preview_bytes of the dataset's CSV attachment; "" when it has none.
  absl::StatusOr<std::string> CsvHead(const v1::Dataset& dataset);

  http::Response HtmlResponse(int status, std::string html) const;
  // The error page for a failed page: 404, or 503 with Retry-After when a service is away.
  http::Response FailurePage(const absl::Status& status) const;
  std::unique_ptr<grpc::ClientContext> CallContext() const;

  Gateway& gateway_;
  const PortalOptions options_;
  const Clock clock_;

  absl::Mutex mu_;
  ReleaseState release_ ABSL_GUARDED_BY(mu_);
  LruCache<std::pair<std::string, std::string>, RenderedPage> pages_ ABSL_GUARDED_BY(mu_);
};

}  // namespace omnia::gateway

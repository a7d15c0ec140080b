#include "services/gateway/portal_routes.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/gateway/problem.h"
#include "libs/portal/dataset_page.h"
#include "libs/portal/releases_page.h"
#include "libs/rpc/status_mapping.h"
#include "libs/server/tls.h"

namespace omnia::gateway {
namespace {

// The largest pages the catalogue serves, so that listings take as few calls as possible.
constexpr int kCatalogueMaxPage = 100;

int CurrentYear(absl::Time now) {
  return static_cast<int>(absl::ToCivilYear(now, absl::UTCTimeZone()).year());
}

}  // namespace

PortalRoutes::PortalRoutes(Gateway& gateway, PortalOptions options, Clock clock)
    : gateway_(gateway),
      options_(std::move(options)),
      clock_(std::move(clock)),
      pages_(options_.page_cache_bytes,
             [](const std::pair<std::string, std::string>& key, const RenderedPage& page) {
               return key.first.size() + key.second.size() + page.html.size() + 128;
             }) {}

void PortalRoutes::AddRoutes(http::Router& router) {
  router.Add({"GET"}, "/", [this](const http::Request& request, const http::PathParams&) {
    return Catalog(request);
  });
  // Two segments: never confused with the files at /dataset/{dataset_id}/{file_name}.
  router.Add({"GET"}, "/dataset/{dataset_id}",
             [this](const http::Request&, const http::PathParams& p) {
               return Dataset(p.at("dataset_id"));
             });
  router.Add({"GET"}, "/cruscotto", [this](const http::Request& request, const http::PathParams&) {
    return Cruscotto(request);
  });
  router.Add({"GET"}, "/rilasci",
             [this](const http::Request&, const http::PathParams&) { return Releases(); });
}

http::Response PortalRoutes::Catalog(const http::Request& request) {
  absl::StatusOr<portal::CatalogQuery> query = portal::ParseCatalogQuery(request.query);
  if (!query.ok()) {
    return HtmlResponse(
        400, portal::RenderErrorPage(options_.site, 400, std::string(query.status().message())));
  }
  absl::StatusOr<std::string> release = LatestRelease();
  if (!release.ok()) return FailurePage(release.status());
  return Cached(*release, portal::CatalogUrl(*query),
                [&] { return RenderCatalog(*release, *query); });
}

http::Response PortalRoutes::Dataset(const std::string& dataset_id) {
  absl::StatusOr<std::string> release = LatestRelease();
  if (!release.ok()) return FailurePage(release.status());
  return Cached(*release, absl::StrCat("/dataset/", dataset_id),
                [&] { return RenderDataset(*release, dataset_id); });
}

http::Response PortalRoutes::Cruscotto(const http::Request& request) {
  absl::StatusOr<std::string> release = LatestRelease();
  if (!release.ok()) return FailurePage(release.status());
  absl::StatusOr<portal::CruscottoContext> context = CruscottoContextOf(*release);
  if (!context.ok()) return FailurePage(context.status());
  absl::StatusOr<portal::CruscottoParams> params =
      portal::ParseCruscottoQuery(request.query, *context);
  if (!params.ok()) {
    return HtmlResponse(
        400, portal::RenderErrorPage(options_.site, 400, std::string(params.status().message())));
  }
  return Cached(*release, portal::CruscottoUrl(*params),
                [&] { return RenderCruscotto(*context, *params); });
}

http::Response PortalRoutes::Releases() {
  absl::StatusOr<std::string> release = LatestRelease();
  if (!release.ok()) return FailurePage(release.status());
  return Cached(*release, "/rilasci", [&] { return RenderReleases(); });
}

http::Response PortalRoutes::Cached(const std::string& release_id, const std::string& url,
                                    const std::function<absl::StatusOr<RenderedPage>()>& render) {
  const std::pair<std::string, std::string> key(release_id, url);
  {
    absl::MutexLock lock(&mu_);
    if (const RenderedPage* page = pages_.Find(key)) return HtmlResponse(page->status, page->html);
  }
  // Rendered outside the lock: two first views of one page may both render it, which is
  // harmless, while a slow render never holds up cached pages.
  absl::StatusOr<RenderedPage> page = render();
  if (!page.ok()) return FailurePage(page.status());
  http::Response response = HtmlResponse(page->status, page->html);
  absl::MutexLock lock(&mu_);
  pages_.Put(key, *std::move(page));
  return response;
}

absl::StatusOr<std::string> PortalRoutes::LatestRelease() {
  const absl::Time now = clock_();
  {
    absl::MutexLock lock(&mu_);
    if (now - release_.checked_at < options_.release_check_interval) return release_.release_id;
  }
  v1::ListReleasesRequest request;
  request.set_page_size(1);
  v1::ListReleasesResponse response;
  const grpc::Status status =
      gateway_.catalogue().ListReleases(CallContext().get(), request, &response);
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  const std::string latest = response.releases().empty() ? "" : response.releases(0).release_id();
  absl::MutexLock lock(&mu_);
  if (latest != release_.release_id) release_.cruscotto.reset();
  release_.release_id = latest;
  release_.checked_at = now;
  return latest;
}

absl::StatusOr<portal::CruscottoContext> PortalRoutes::CruscottoContextOf(
    const std::string& release_id) {
  {
    absl::MutexLock lock(&mu_);
    if (release_.release_id == release_id && release_.cruscotto.has_value()) {
      return *release_.cruscotto;
    }
  }
  portal::CruscottoContext context;
  context.release_id = release_id;
  absl::StatusOr<v1::ListCodelistsResponse> codelists = AllCodelists();
  if (!codelists.ok()) return codelists.status();
  context.codelists = *std::move(codelists);
  v1::ListDatasetsRequest request;
  request.set_release_id(release_id);
  absl::StatusOr<v1::ListDatasetsResponse> datasets = AllDatasets(request);
  if (!datasets.ok()) return datasets.status();
  context.last_year = portal::LatestDataYear(
      {datasets->datasets().begin(), datasets->datasets().end()}, CurrentYear(clock_()));
  absl::MutexLock lock(&mu_);
  if (release_.release_id == release_id) release_.cruscotto = context;
  return context;
}

absl::StatusOr<PortalRoutes::RenderedPage> PortalRoutes::RenderCatalog(
    const std::string& release_id, const portal::CatalogQuery& query) {
  v1::ListDatasetsRequest request = portal::ToListDatasetsRequest(query);
  request.set_release_id(release_id);
  absl::StatusOr<v1::ListDatasetsResponse> matches = AllDatasets(request);
  if (!matches.ok()) return matches.status();
  return RenderedPage{200, portal::RenderCatalogPage(options_.site, query, *matches)};
}

absl::StatusOr<PortalRoutes::RenderedPage> PortalRoutes::RenderDataset(
    const std::string& release_id, const std::string& dataset_id) {
  v1::GetDatasetRequest get;
  get.set_dataset_id(dataset_id);
  get.set_release_id(release_id);
  v1::GetDatasetResponse found;
  const grpc::Status status = gateway_.catalogue().GetDataset(CallContext().get(), get, &found);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND ||
      status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    return RenderedPage{
        404, portal::RenderErrorPage(options_.site, 404, "Il dataset richiesto non esiste.")};
  }
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  portal::DatasetPageData data;
  data.dataset = found.dataset();
  absl::StatusOr<std::vector<v1::Release>> releases = AllReleases();
  if (!releases.ok()) return releases.status();
  data.releases = *std::move(releases);
  absl::StatusOr<std::string> head = CsvHead(data.dataset);
  if (!head.ok()) return head.status();
  data.preview = portal::ParseCsvPreview(*head, portal::kPreviewRows);
  return RenderedPage{200, portal::RenderDatasetPage(options_.site, data)};
}

absl::StatusOr<PortalRoutes::RenderedPage> PortalRoutes::RenderCruscotto(
    const portal::CruscottoContext& context, const portal::CruscottoParams& params) {
  const portal::CruscottoPlan plan = portal::PlanCruscotto(params, context);
  std::vector<portal::QueryOutcome> outcomes;
  outcomes.reserve(plan.queries.size());
  for (const portal::PlannedQuery& planned : plan.queries) {
    absl::StatusOr<portal::QueryOutcome> outcome = RunPlannedQuery(planned);
    if (!outcome.ok()) return outcome.status();
    outcomes.push_back(*std::move(outcome));
  }
  absl::StatusOr<portal::CruscottoModel> model =
      portal::BuildCruscottoModel(params, context, plan, outcomes);
  if (!model.ok()) return model.status();
  return RenderedPage{200, portal::RenderCruscottoPage(options_.site, context, *model)};
}

absl::StatusOr<PortalRoutes::RenderedPage> PortalRoutes::RenderReleases() {
  absl::StatusOr<std::vector<v1::Release>> releases = AllReleases();
  if (!releases.ok()) return releases.status();
  return RenderedPage{200, portal::RenderReleasesPage(options_.site, *releases)};
}

absl::StatusOr<portal::QueryOutcome> PortalRoutes::RunPlannedQuery(
    const portal::PlannedQuery& planned) {
  portal::QueryOutcome outcome;
  absl::StatusOr<std::vector<v1::Cell>> cells = AllCells(planned.request);
  if (cells.ok()) {
    outcome.cells = *std::move(cells);
    return outcome;
  }
  // Only a refused WORKERS rollup belongs to the page; anything else fails it.
  if (cells.status().code() != absl::StatusCode::kFailedPrecondition) return cells.status();
  outcome.status = cells.status();
  if (planned.run_exact_on_refusal) {
    absl::StatusOr<std::vector<v1::Cell>> exact = AllCells(planned.exact_request);
    if (!exact.ok()) return exact.status();
    outcome.exact_cells = *std::move(exact);
  }
  return outcome;
}

absl::StatusOr<std::vector<v1::Cell>> PortalRoutes::AllCells(v1::QueryRequest request) {
  std::vector<v1::Cell> cells;
  do {
    v1::QueryResponse page;
    const grpc::Status status = gateway_.aggregation().Query(CallContext().get(), request, &page);
    if (!status.ok()) return rpc::FromGrpcStatus(status);
    for (v1::Cell& cell : *page.mutable_cells()) cells.push_back(std::move(cell));
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return cells;
}

absl::StatusOr<v1::ListDatasetsResponse> PortalRoutes::AllDatasets(
    v1::ListDatasetsRequest request) {
  request.set_page_size(kCatalogueMaxPage);
  v1::ListDatasetsResponse all;
  bool first = true;
  do {
    v1::ListDatasetsResponse page;
    const grpc::Status status =
        gateway_.catalogue().ListDatasets(CallContext().get(), request, &page);
    if (!status.ok()) return rpc::FromGrpcStatus(status);
    // Facets and the total come from the first page; later pages only add datasets.
    if (first) {
      all = page;
      first = false;
    } else {
      for (v1::Dataset& dataset : *page.mutable_datasets()) {
        *all.add_datasets() = std::move(dataset);
      }
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  all.clear_next_page_token();
  return all;
}

absl::StatusOr<std::vector<v1::Release>> PortalRoutes::AllReleases() {
  v1::ListReleasesRequest request;
  request.set_page_size(kCatalogueMaxPage);
  std::vector<v1::Release> releases;
  do {
    v1::ListReleasesResponse page;
    const grpc::Status status =
        gateway_.catalogue().ListReleases(CallContext().get(), request, &page);
    if (!status.ok()) return rpc::FromGrpcStatus(status);
    for (v1::Release& release : *page.mutable_releases()) releases.push_back(std::move(release));
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return releases;
}

absl::StatusOr<v1::ListCodelistsResponse> PortalRoutes::AllCodelists() {
  v1::ListCodelistsRequest request;
  v1::ListCodelistsResponse all;
  do {
    v1::ListCodelistsResponse page;
    const grpc::Status status =
        gateway_.catalogue().ListCodelists(CallContext().get(), request, &page);
    if (!status.ok()) return rpc::FromGrpcStatus(status);
    // A list split across pages continues on the next one: appending restores it.
    all.MergeFrom(page);
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  all.clear_next_page_token();
  return all;
}

absl::StatusOr<std::string> PortalRoutes::CsvHead(const v1::Dataset& dataset) {
  const auto& attachments = dataset.attachments();
  const auto csv = std::find_if(attachments.begin(), attachments.end(),
                                [](const auto& a) { return a.format() == v1::FORMAT_CSV; });
  if (csv == attachments.end() || csv->size_bytes() == 0) return std::string();
  v1::ReadAttachmentRequest request;
  request.set_release_id(dataset.release_id());
  request.set_dataset_id(dataset.dataset_id());
  request.set_file_name(csv->file_name());
  request.set_offset(0);
  request.set_length(std::min<uint64_t>(csv->size_bytes(), options_.preview_bytes));
  std::unique_ptr<grpc::ClientContext> context = CallContext();
  server::AttachToken(context.get(), gateway_.options().token);
  auto reader = gateway_.catalogue().ReadAttachment(context.get(), request);
  std::string head;
  v1::ReadAttachmentResponse message;
  while (reader->Read(&message)) head += message.data();
  const grpc::Status status = reader->Finish();
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  return head;
}

http::Response PortalRoutes::HtmlResponse(int status, std::string html) const {
  http::Response response;
  response.status = status;
  response.SetHeader("Content-Type", "text/html; charset=utf-8");
  response.SetHeader("Cache-Control", status == 200 ? options_.cache_control : "no-store");
  response.body = std::move(html);
  return response;
}

http::Response PortalRoutes::FailurePage(const absl::Status& status) const {
  if (status.code() == absl::StatusCode::kNotFound) {
    return HtmlResponse(
        404, portal::RenderErrorPage(options_.site, 404, "La pagina richiesta non esiste."));
  }
  const bool unavailable = IsRetryableUpstreamFailure(status.code());
  const int code = unavailable ? 503 : 502;
  http::Response response = HtmlResponse(
      code, portal::RenderErrorPage(options_.site, code,
                                    "Il servizio è momentaneamente non disponibile. Riprova tra "
                                    "qualche istante."));
  if (unavailable) response.SetHeader("Retry-After", kRetryAfterSeconds);
  return response;
}

std::unique_ptr<grpc::ClientContext> PortalRoutes::CallContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  // gRPC deadlines are wall-clock instants: from the real clock even when pages are rendered
  // with another (the injected clock only decides which year is current).
  context->set_deadline(absl::ToChronoTime(absl::Now() + gateway_.options().call_deadline));
  return context;
}

}  // namespace omnia::gateway

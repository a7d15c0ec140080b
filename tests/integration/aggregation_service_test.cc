// The aggregation service in process, over real gRPC on loopback: Apply is exactly once, Query
// answers every level with codes and labels, WORKERS over imported cells is refused, releases
// freeze a state that later writes do not change, a rebuild replaces the cube whole only when its
// stream finishes cleanly, a write built on a wrong position is refused, and the metrics share
// the engine safely.
#include "services/aggregation/aggregation_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/api/cube_convert.h"
#include "libs/client/probes.h"
#include "libs/server/service_host.h"
#include "tests/support/child_process.h"

namespace omnia::aggregation {
namespace {

std::string Pseudonym(int worker) {
  std::string p(32, '\0');
  p[0] = static_cast<char>(worker);
  p[1] = static_cast<char>(worker >> 8);
  return p;
}

class AggregationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start() {
    auto engine = cube::CubeEngine::Open(dir_.path(), codelists_, clock_);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
    service_ = std::make_unique<AggregationService>(executor_);
    service_->Attach(engine_);
    server::ServerOptions options;
    options.name = "aggregation-test";
    options.authorizer =
        std::make_shared<const server::CallAuthorizer>(server::CallAuthorizer::InsecureNoAuth());
    host_ = std::make_unique<server::ServiceHost>(options, std::make_shared<prometheus::Registry>(),
                                                  clock_);
    ASSERT_TRUE(host_->Start({{service_.get(), v1::AggregationService::service_full_name()}}).ok());
    host_->SetServing(true);
    stub_ = v1::AggregationService::NewStub(
        rpc::CreateInsecureChannel(absl::StrCat("127.0.0.1:", host_->grpc_port())));
  }

  void Restart() {
    stub_.reset();
    host_.reset();
    service_.reset();
    engine_.reset();
    Start();
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    return context;
  }

  v1::ApplyRequest Batch(uint64_t sequence, const std::vector<int>& workers) {
    v1::ApplyRequest request;
    request.set_producer_id("ingestion-test");
    request.set_sequence(sequence);
    for (int w : workers) {
      v1::CubePayment* p = request.add_events()->mutable_payment();
      p->mutable_period()->set_year(2023);
      p->mutable_period()->set_month(w % 2 == 0 ? 3 : 4);
      p->set_region(w % 3 == 0 ? "LOMBARDIA" : "LAZIO");
      p->set_intervention_type("CIGO");
      p->set_worker_pseudonym(Pseudonym(w));
      p->set_months_covered(1);
    }
    v1::CubeApplication* a = request.add_events()->mutable_application();
    a->mutable_period()->set_year(2023);
    a->mutable_period()->set_month(3);
    a->set_region("LAZIO");
    a->set_intervention_type("FIS");
    return request;
  }

  // Sequence 1 with code lists [LAZIO, LOMBARDIA] and [CIGO] and no events yet.
  static v1::ApplyRequest ColumnsRequestWithCodes() {
    v1::ApplyRequest request;
    request.set_producer_id("ingestion-test");
    request.set_sequence(1);
    request.mutable_columns()->add_regions("LAZIO");
    request.mutable_columns()->add_regions("LOMBARDIA");
    request.mutable_columns()->add_intervention_types("CIGO");
    return request;
  }

  // `request` holds Batch(1, {1, 2, 3})'s payments in another encoding and `bad` the same with an
  // error at `error`: the bad one is refused, naming it, and changes nothing; the good one applies
  // as the events would, and the events sent after it are its duplicate.
  void ExpectAppliedOnceLikeTheEvents(const v1::ApplyRequest& request, const v1::ApplyRequest& bad,
                                      const std::string& error) {
    v1::ApplyResponse response;
    grpc::Status status = Apply(bad, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), ::testing::HasSubstr(error));
    EXPECT_EQ(NationalYear("WORKERS"), 0u);

    ASSERT_TRUE(Apply(request, &response).ok());
    EXPECT_FALSE(response.duplicate());
    EXPECT_EQ(NationalYear("WORKERS"), 3u);
    EXPECT_EQ(NationalYear("BENEFIT_MONTHS"), 3u);
    ASSERT_TRUE(Apply(Batch(1, {1, 2, 3}), &response).ok());
    EXPECT_TRUE(response.duplicate());
    EXPECT_EQ(NationalYear("WORKERS"), 3u);
  }

  grpc::Status Apply(const v1::ApplyRequest& request, v1::ApplyResponse* response) {
    return stub_->Apply(Context().get(), request, response);
  }

  // National yearly value of `measure` for 2023, live or at a release.
  uint64_t NationalYear(const std::string& measure, const std::string& release_id = "") {
    v1::QueryRequest request;
    request.set_release_id(release_id);
    v1::CellQuery* q = request.mutable_query();
    q->add_measures(measure);
    q->set_period_level(v1::PERIOD_LEVEL_YEAR);
    q->set_region_level(v1::REGION_LEVEL_ITALY);
    q->set_type_level(v1::TYPE_LEVEL_ALL);
    q->mutable_period_range()->mutable_first()->set_year(2023);
    q->mutable_period_range()->mutable_first()->set_month(1);
    q->mutable_period_range()->mutable_last()->set_year(2023);
    q->mutable_period_range()->mutable_last()->set_month(12);
    v1::QueryResponse response;
    grpc::Status status = stub_->Query(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (response.cells_size() != 1) return 0;
    EXPECT_EQ(response.cells(0).region().code(), "ITALY");
    return response.cells(0).value();
  }

  static v1::RebuildRequest End(uint64_t entry_count) {
    v1::RebuildRequest end;
    end.mutable_end()->set_entry_count(entry_count);
    return end;
  }

  static v1::RebuildRequest Entry(const v1::ApplyRequest& apply) {
    v1::RebuildRequest entry;
    *entry.mutable_apply() = apply;
    return entry;
  }

  // Everything a reader can see of the live cubes: statistics and every base cell.
  std::string CubeSnapshot() {
    v1::GetCubeStatsResponse stats;
    grpc::Status status = stub_->GetCubeStats(Context().get(), {}, &stats);
    EXPECT_TRUE(status.ok()) << status.error_message();
    stats.clear_storage_bytes();  // compactions may move it
    v1::QueryRequest request;
    for (const char* measure : {"APPLICATIONS", "WORKERS", "BENEFIT_MONTHS"}) {
      request.mutable_query()->add_measures(measure);
    }
    request.set_page_size(10000);
    v1::QueryResponse cells;
    status = stub_->Query(Context().get(), request, &cells);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return stats.DebugString() + cells.DebugString();
  }

  void ExpectCubesUnchanged(const std::string& before) {
    EXPECT_TRUE(CubeSnapshot() == before)
        << "the live cubes changed: now " << NationalYear("WORKERS") << " workers in 2023";
  }

  // Waits until the service has dropped (or committed) any rebuild: a client's call ends
  // before the service has seen the cancellation.
  void WaitUntilNoRebuild() {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      v1::GetCubeStatsResponse stats;
      if (stub_->GetCubeStats(Context().get(), {}, &stats).ok() && !stats.rebuild_in_progress()) {
        return;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    ADD_FAILURE() << "the rebuild never ended";
  }

  SystemClock clock_;
  domain::Codelists codelists_ = domain::Codelists::Builtin();
  testing::TempDir dir_;
  server::Executor executor_{2};
  std::shared_ptr<cube::CubeEngine> engine_;
  std::unique_ptr<AggregationService> service_;
  std::unique_ptr<server::ServiceHost> host_;
  std::unique_ptr<v1::AggregationService::Stub> stub_;
};

TEST_F(AggregationServiceTest, ApplyIsExactlyOnceAcrossRetriesAndRestarts) {
  v1::ApplyResponse response;
  ASSERT_TRUE(Apply(Batch(1, {1, 2, 3}), &response).ok());
  EXPECT_FALSE(response.duplicate());
  EXPECT_EQ(response.last_applied_sequence(), 1u);
  ASSERT_TRUE(Apply(Batch(1, {1, 2, 3}), &response).ok());
  EXPECT_TRUE(response.duplicate());
  // Worker 3 paid again in another batch is still one worker in the year.
  ASSERT_TRUE(Apply(Batch(5, {3, 4}), &response).ok());
  EXPECT_EQ(NationalYear("WORKERS"), 4u);
  EXPECT_EQ(NationalYear("BENEFIT_MONTHS"), 5u);
  EXPECT_EQ(NationalYear("APPLICATIONS"), 2u);
  Restart();
  ASSERT_TRUE(Apply(Batch(5, {3, 4}), &response).ok());
  EXPECT_TRUE(response.duplicate());
  EXPECT_EQ(response.last_applied_sequence(), 5u);
  EXPECT_EQ(NationalYear("WORKERS"), 4u);
}

TEST_F(AggregationServiceTest, InvalidBatchNamesTheEventAndFieldAndChangesNothing) {
  v1::ApplyRequest request = Batch(1, {1, 2});
  request.mutable_events(1)->mutable_payment()->set_worker_pseudonym("short");
  v1::ApplyResponse response;
  grpc::Status status = Apply(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("events[1].payment.worker_pseudonym"), std::string::npos)
      << status.error_message();
  request = Batch(1, {1});
  request.mutable_events(0)->mutable_payment()->set_region("ATLANTIDE");
  status = Apply(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("ATLANTIDE"), std::string::npos);
  EXPECT_EQ(NationalYear("WORKERS"), 0u);
  // The rejected sequence was not consumed.
  ASSERT_TRUE(Apply(Batch(1, {1}), &response).ok());
  EXPECT_FALSE(response.duplicate());
}

TEST_F(AggregationServiceTest, ColumnsApplyLikeEventsAndBadColumnsChangeNothing) {
  // Senders put events in columns only once the server has said it reads them.
  v1::GetCubeStatsResponse stats;
  ASSERT_TRUE(stub_->GetCubeStats(Context().get(), {}, &stats).ok());
  EXPECT_TRUE(stats.accepts_event_columns());
  // The same payments as Batch(1, {1, 2, 3}) in columns: workers 1 and 3 in April, 2 in March.
  v1::ApplyRequest request = ColumnsRequestWithCodes();
  v1::CubeEventColumns* columns = request.mutable_columns();
  for (int w : {1, 2, 3}) {
    columns->add_payment_months(w % 2 == 0 ? 202303 : 202304);
    columns->add_payment_regions(w % 3 == 0 ? 1 : 0);
    columns->add_payment_types(0);
    columns->add_payment_months_covered(1);
    columns->mutable_payment_worker_pseudonyms()->append(Pseudonym(w));
  }
  v1::ApplyRequest bad = request;
  bad.mutable_columns()->set_payment_regions(2, 5);
  ExpectAppliedOnceLikeTheEvents(request, bad, "columns.payment_regions[2]");
}

TEST_F(AggregationServiceTest, RecordsApplyLikeEventsAndBadRecordsChangeNothing) {
  v1::GetCubeStatsResponse stats;
  ASSERT_TRUE(stub_->GetCubeStats(Context().get(), {}, &stats).ok());
  EXPECT_TRUE(stats.accepts_event_records());
  // The same payments as Batch(1, {1, 2, 3}) as records laid out by hand from the proto's
  // description: workers 1 and 3 in April 2023, 2 in March, one month covered each.
  v1::ApplyRequest request = ColumnsRequestWithCodes();
  v1::CubeEventColumns* columns = request.mutable_columns();
  for (int w : {1, 2, 3}) {
    const char month = w % 2 == 0 ? 3 : 4;
    const char region = w % 3 == 0 ? 1 : 0;
    const char head[] = {'\x07', '\xe7', month, region, 0, 0, 1};
    columns->mutable_payment_records()->append(head, sizeof head);
    columns->mutable_payment_records()->append(Pseudonym(w));
  }
  v1::ApplyRequest bad = request;
  (*bad.mutable_columns()->mutable_payment_records())[2 * 39 + 3] = 5;
  ExpectAppliedOnceLikeTheEvents(request, bad, "columns.payment_records[2].region");
}

TEST_F(AggregationServiceTest, QueryReturnsCodesLabelsAndProvenanceAndPages) {
  v1::ApplyResponse applied;
  ASSERT_TRUE(Apply(Batch(1, {0, 1, 2, 3, 4, 5}), &applied).ok());
  v1::QueryRequest request;
  request.mutable_query()->add_measures("WORKERS");
  request.set_page_size(1);
  std::vector<v1::Cell> cells;
  while (true) {
    v1::QueryResponse response;
    ASSERT_TRUE(stub_->Query(Context().get(), request, &response).ok());
    for (const v1::Cell& c : response.cells()) cells.push_back(c);
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  // Months 3 and 4 × LOMBARDIA and LAZIO, CIGO: four base cells, one per page.
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(cells[0].measure(), "WORKERS");
  EXPECT_EQ(cells[0].intervention_type().code(), "CIGO");
  EXPECT_FALSE(cells[0].intervention_type().label().empty());
  EXPECT_FALSE(cells[0].region().label().empty());
  EXPECT_EQ(cells[0].provenance(), v1::PROVENANCE_MICRO_DATA);
  uint64_t total = 0;
  for (const v1::Cell& c : cells) total += c.value();
  EXPECT_EQ(total, 6u);

  v1::QueryRequest bad;
  bad.mutable_query()->add_measures("WORKERS");
  bad.mutable_query()->add_regions("NARNIA");
  v1::QueryResponse response;
  grpc::Status status = stub_->Query(Context().get(), bad, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("NARNIA"), std::string::npos);
  EXPECT_NE(status.error_message().find("LOMBARDIA"), std::string::npos);
}

// Every page of `request`, its cells in the order they came.
std::vector<v1::Cell> AllPages(v1::AggregationService::Stub& stub, v1::QueryRequest request) {
  std::vector<v1::Cell> cells;
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::QueryResponse response;
    const grpc::Status status = stub.Query(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) break;
    for (const v1::Cell& c : response.cells()) cells.push_back(c);
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  return cells;
}

// common.proto: "period ascending; then intervention type code; then region code (codes
// compared byte by byte); then measure in the order of `measures`" — on every page size.
TEST_F(AggregationServiceTest, CellsComeInTheDocumentedOrderOnEveryPageSize) {
  v1::ApplyResponse applied;
  ASSERT_TRUE(Apply(Batch(1, {0, 1, 2, 3, 4, 5}), &applied).ok());
  v1::QueryRequest request;
  request.mutable_query()->add_measures("WORKERS");
  request.mutable_query()->add_measures("APPLICATIONS");
  request.mutable_query()->set_region_level(v1::REGION_LEVEL_MACRO_AREA);
  for (const int page_size : {1, 2, 1000}) {
    request.set_page_size(page_size);
    const std::vector<v1::Cell> cells = AllPages(*stub_, request);
    std::vector<std::string> keys;
    for (const v1::Cell& c : cells) {
      keys.push_back(absl::StrCat(c.period().year(), "-", c.period().month(), " ",
                                  c.intervention_type().code(), " ", c.region().code(), " ",
                                  c.measure()));
    }
    // Lombardia is NORD_OVEST, Lazio CENTRO; March and April 2023; the application is FIS.
    EXPECT_THAT(
        keys, ::testing::ElementsAre("2023-3 CIGO CENTRO WORKERS", "2023-3 CIGO NORD_OVEST WORKERS",
                                     "2023-3 FIS CENTRO APPLICATIONS", "2023-4 CIGO CENTRO WORKERS",
                                     "2023-4 CIGO NORD_OVEST WORKERS"))
        << page_size;
    // common.proto: quarter is 0 unless the level is PERIOD_LEVEL_QUARTER.
    for (const v1::Cell& c : cells) EXPECT_EQ(c.period().quarter(), 0);
  }
}

// common.proto: an unset period range ends at "the latest month that holds a cell of any
// requested measure (no cells at all: an empty result)".
TEST_F(AggregationServiceTest, ADefaultRangeEndsAtTheRequestedMeasuresLatestMonth) {
  v1::QueryRequest request;
  request.mutable_query()->add_measures("APPLICATIONS");
  request.mutable_query()->set_dense(true);
  request.mutable_query()->set_region_level(v1::REGION_LEVEL_ITALY);
  request.mutable_query()->set_type_level(v1::TYPE_LEVEL_ALL);
  EXPECT_THAT(AllPages(*stub_, request), ::testing::IsEmpty());  // nothing at all yet

  v1::ApplyResponse applied;
  ASSERT_TRUE(
      Apply(Batch(1, {0, 1}), &applied).ok());  // payments to April, the application in March
  const std::vector<v1::Cell> cells = AllPages(*stub_, request);
  ASSERT_FALSE(cells.empty());
  EXPECT_EQ(cells.back().period().year(), 2023);
  EXPECT_EQ(cells.back().period().month(), 3);  // not April: no application in April
  EXPECT_EQ(cells.size(), 39u);                 // January 2020 to March 2023, dense
}

TEST_F(AggregationServiceTest, FilterCodesMatchInAnyCaseAndTopMembersHideNoUnknownCode) {
  v1::ApplyResponse applied;
  ASSERT_TRUE(Apply(Batch(1, {0, 1, 2, 3, 4, 5}), &applied).ok());
  v1::QueryRequest request;
  request.mutable_query()->add_measures("WORKERS");
  request.mutable_query()->add_intervention_types("cigo");
  request.mutable_query()->add_regions("lazio");
  EXPECT_EQ(AllPages(*stub_, request).size(), 2u);  // March and April

  for (const auto& [regions, types] :
       std::vector<std::pair<std::string, std::string>>{{"ITALY", "XYZ"}, {"NARNIA", "ALL"}}) {
    v1::QueryRequest bad;
    bad.mutable_query()->add_measures("WORKERS");
    bad.mutable_query()->add_regions(regions);
    bad.mutable_query()->add_regions("italy");
    bad.mutable_query()->add_intervention_types(types);
    bad.mutable_query()->add_intervention_types("all");
    v1::QueryResponse response;
    const grpc::Status status = stub_->Query(Context().get(), bad, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << regions << types;
  }

  // "ALL" is labelled as common.proto says.
  v1::QueryRequest all;
  all.mutable_query()->add_measures("WORKERS");
  all.mutable_query()->set_type_level(v1::TYPE_LEVEL_ALL);
  const std::vector<v1::Cell> cells = AllPages(*stub_, all);
  ASSERT_FALSE(cells.empty());
  EXPECT_EQ(cells[0].intervention_type().label(), "Tutti gli interventi");
}

// common.proto: a token used with different request fields fails with INVALID_ARGUMENT naming
// page_token; a default range's pages do not shift when a month arrives between them.
TEST_F(AggregationServiceTest, PageTokensAreTiedToTheirQueryAndItsRange) {
  v1::ApplyResponse applied;
  ASSERT_TRUE(Apply(Batch(1, {0, 1, 2, 3, 4, 5}), &applied).ok());
  v1::QueryRequest request;
  request.mutable_query()->add_measures("WORKERS");
  request.set_page_size(1);
  v1::QueryResponse first;
  ASSERT_TRUE(stub_->Query(Context().get(), request, &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());

  v1::QueryRequest other = request;
  other.mutable_query()->add_regions("LAZIO");
  other.set_page_token(first.next_page_token());
  v1::QueryResponse refused;
  const grpc::Status status = stub_->Query(Context().get(), other, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("page_token"));

  // A later month arrives between pages: the pages still end where the first one saw the data
  // end, April 2023.
  v1::ApplyRequest may = Batch(2, {7});
  may.mutable_events(0)->mutable_payment()->mutable_period()->set_month(5);
  ASSERT_TRUE(Apply(may, &applied).ok());
  request.set_page_token(first.next_page_token());
  std::vector<v1::Cell> rest = AllPages(*stub_, request);
  ASSERT_EQ(first.cells_size() + rest.size(), 4u);
  EXPECT_EQ(rest.back().period().month(), 4);
}

TEST_F(AggregationServiceTest, WorkersRollupOverPublishedCellsIsAFailedPrecondition) {
  v1::ReplacePublishedCellsRequest request;
  request.set_producer_id("ingestion-test");
  request.set_sequence(1);
  request.set_measure("WORKERS");
  request.add_years(2023);
  v1::PublishedCell* cell = request.add_cells();
  cell->mutable_period()->set_year(2023);
  cell->mutable_period()->set_month(1);
  cell->set_region("LAZIO");
  cell->set_intervention_type("CIGS");
  cell->set_value(321);
  v1::ReplacePublishedCellsResponse response;
  ASSERT_TRUE(stub_->ReplacePublishedCells(Context().get(), request, &response).ok());
  EXPECT_EQ(response.cells_written(), 1u);

  v1::QueryRequest query;
  query.mutable_query()->add_measures("WORKERS");
  query.mutable_query()->set_region_level(v1::REGION_LEVEL_ITALY);
  v1::QueryResponse cells;
  grpc::Status status = stub_->Query(Context().get(), query, &cells);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("not additive"), std::string::npos);

  query.mutable_query()->set_region_level(v1::REGION_LEVEL_REGION);
  ASSERT_TRUE(stub_->Query(Context().get(), query, &cells).ok());
  ASSERT_EQ(cells.cells_size(), 1);
  EXPECT_EQ(cells.cells(0).value(), 321u);
  EXPECT_EQ(cells.cells(0).provenance(), v1::PROVENANCE_PUBLISHED);
}

TEST_F(AggregationServiceTest, ReleasesAreFrozenAndListed) {
  v1::ApplyResponse applied;
  ASSERT_TRUE(Apply(Batch(1, {1, 2}), &applied).ok());
  v1::FreezeRequest freeze;
  freeze.set_release_id("2026-11-01");
  freeze.set_description("first");
  v1::FreezeResponse frozen;
  ASSERT_TRUE(stub_->Freeze(Context().get(), freeze, &frozen).ok());
  EXPECT_TRUE(frozen.created());
  ASSERT_TRUE(stub_->Freeze(Context().get(), freeze, &frozen).ok());
  EXPECT_FALSE(frozen.created());  // idempotent by id

  ASSERT_TRUE(Apply(Batch(2, {3, 4, 5}), &applied).ok());
  EXPECT_EQ(NationalYear("WORKERS"), 5u);
  EXPECT_EQ(NationalYear("WORKERS", "2026-11-01"), 2u);
  Restart();
  EXPECT_EQ(NationalYear("WORKERS", "2026-11-01"), 2u);

  v1::ListCubeReleasesResponse releases;
  ASSERT_TRUE(stub_->ListReleases(Context().get(), {}, &releases).ok());
  ASSERT_EQ(releases.releases_size(), 1);
  EXPECT_EQ(releases.releases(0).release_id(), "2026-11-01");
  EXPECT_EQ(releases.releases(0).applied_sequences(0).last_applied_sequence(), 1u);

  v1::QueryRequest unknown;
  unknown.set_release_id("no-such-release");
  unknown.mutable_query()->add_measures("WORKERS");
  v1::QueryResponse response;
  EXPECT_EQ(stub_->Query(Context().get(), unknown, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// common.proto: wherever a request reads a release, an id that does not exist fails with
// NOT_FOUND. An id outside the release id form cannot exist, so reads answer it the same way
// (only Freeze, which names a new release, refuses it as INVALID_ARGUMENT).
TEST_F(AggregationServiceTest, ReadsOfAReleaseIdThatCannotExistAreNotFound) {
  for (const std::string& id :
       std::vector<std::string>{"-r1", "../r1", "r1/../../x", std::string(65, 'r')}) {
    v1::QueryRequest query;
    query.set_release_id(id);
    query.mutable_query()->add_measures("WORKERS");
    v1::QueryResponse answer;
    const grpc::Status queried = stub_->Query(Context().get(), query, &answer);
    EXPECT_EQ(queried.error_code(), grpc::StatusCode::NOT_FOUND) << id;
    EXPECT_THAT(queried.error_message(), ::testing::HasSubstr("release_id")) << id;
    v1::GetCubeStatsRequest stats;
    stats.set_release_id(id);
    v1::GetCubeStatsResponse described;
    EXPECT_EQ(stub_->GetCubeStats(Context().get(), stats, &described).error_code(),
              grpc::StatusCode::NOT_FOUND)
        << id;
  }
}

TEST_F(AggregationServiceTest, RebuildReplacesTheCubeWithTheReplayedLog) {
  v1::ApplyResponse applied;
  ASSERT_TRUE(Apply(Batch(1, {1, 2, 3}), &applied).ok());
  ASSERT_TRUE(Apply(Batch(2, {7}), &applied).ok());

  // Replay only the first entry: the rebuilt cube holds exactly that.
  v1::RebuildResponse rebuilt;
  auto context = Context();
  auto writer = stub_->Rebuild(context.get(), &rebuilt);
  v1::RebuildRequest entry;
  *entry.mutable_apply() = Batch(1, {1, 2, 3});
  ASSERT_TRUE(writer->Write(entry));
  ASSERT_TRUE(writer->Write(End(1)));
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(rebuilt.entries_applied(), 1u);
  EXPECT_EQ(rebuilt.events_applied(), 4u);
  EXPECT_EQ(NationalYear("WORKERS"), 3u);
  Restart();
  EXPECT_EQ(NationalYear("WORKERS"), 3u);

  v1::GetCubeStatsResponse stats;
  ASSERT_TRUE(stub_->GetCubeStats(Context().get(), {}, &stats).ok());
  EXPECT_EQ(stats.distinct_workers(), 3u);
  ASSERT_EQ(stats.producers_size(), 1);
  EXPECT_EQ(stats.producers(0).last_applied_sequence(), 1u);
  // aggregation.proto: one entry per measure and combination of levels, 3 x 3 x 3 per measure,
  // ordered by measure, then period, region and type level from finest to coarsest.
  ASSERT_EQ(stats.levels_size(), 81);
  EXPECT_EQ(stats.levels(0).measure(), "APPLICATIONS");
  EXPECT_EQ(stats.levels(0).period_level(), v1::PERIOD_LEVEL_MONTH);
  EXPECT_EQ(stats.levels(1).type_level(), v1::TYPE_LEVEL_FAMILY);
  EXPECT_EQ(stats.levels(26).region_level(), v1::REGION_LEVEL_ITALY);
  EXPECT_EQ(stats.levels(27).measure(), "WORKERS");
}

// The same 81 entries before anything was applied: a level without cells has an entry of zeros.
TEST_F(AggregationServiceTest, CubeStatsListEveryLevelOfEveryMeasureEvenEmpty) {
  v1::GetCubeStatsResponse stats;
  ASSERT_TRUE(stub_->GetCubeStats(Context().get(), {}, &stats).ok());
  ASSERT_EQ(stats.levels_size(), 81);
  for (const v1::LevelStats& level : stats.levels()) {
    EXPECT_EQ(level.micro_data_cells() + level.published_cells(), 0u);
  }
}

TEST_F(AggregationServiceTest, AFailedRebuildLeavesTheLiveCubeUntouched) {
  v1::ApplyResponse applied;
  ASSERT_TRUE(Apply(Batch(1, {1, 2, 3}), &applied).ok());
  v1::RebuildResponse rebuilt;
  auto context = Context();
  auto writer = stub_->Rebuild(context.get(), &rebuilt);
  v1::RebuildRequest entry;
  *entry.mutable_apply() = Batch(1, {1});
  ASSERT_TRUE(writer->Write(entry));
  entry.mutable_apply()->mutable_events(0)->mutable_payment()->set_intervention_type("CIGX");
  entry.mutable_apply()->set_sequence(2);
  writer->Write(entry);
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("entry 1"), std::string::npos) << status.error_message();
  EXPECT_EQ(NationalYear("WORKERS"), 3u);
  // Writes are accepted again once the rebuild has ended.
  ASSERT_TRUE(Apply(Batch(2, {9}), &applied).ok());
  EXPECT_EQ(NationalYear("WORKERS"), 4u);
}

// aggregation.proto: INVALID_ARGUMENT for a malformed release_id (common.proto: starting with a
// letter or a digit) or a description of more than 1000 characters; nothing is frozen.
TEST_F(AggregationServiceTest, FreezeRefusesAMalformedIdOrADescriptionTooLong) {
  std::string accented;
  for (int i = 0; i < 1000; ++i) accented += "\xC3\xA0";  // 1000 characters, 2000 bytes
  const auto freeze = [&](const std::string& id, const std::string& description) {
    v1::FreezeRequest request;
    request.set_release_id(id);
    request.set_description(description);
    v1::FreezeResponse response;
    return stub_->Freeze(Context().get(), request, &response);
  };
  for (const std::string id : {"-r1", "_r1", ".r1"}) {
    EXPECT_EQ(freeze(id, "").error_code(), grpc::StatusCode::INVALID_ARGUMENT) << id;
  }
  const grpc::Status too_long = freeze("r1", accented + "a");
  EXPECT_EQ(too_long.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(too_long.error_message(), ::testing::HasSubstr("description"));
  v1::ListCubeReleasesResponse listed;
  ASSERT_TRUE(stub_->ListReleases(Context().get(), {}, &listed).ok());
  EXPECT_EQ(listed.releases_size(), 0);
  EXPECT_TRUE(freeze("r1", accented).ok());
}

// aggregation.proto: a producer's sequences not strictly increasing are INVALID_ARGUMENT naming
// the entry, for published revisions as for event batches: skipping one would drop it.
TEST_F(AggregationServiceTest, ARebuildRefusesAPublishedRevisionOutOfSequence) {
  v1::ApplyResponse applied;
  ASSERT_TRUE(Apply(Batch(1, {1, 2, 3}), &applied).ok());
  auto context = Context();
  v1::RebuildResponse rebuilt;
  auto writer = stub_->Rebuild(context.get(), &rebuilt);
  ASSERT_TRUE(writer->Write(Entry(Batch(5, {1}))));
  v1::RebuildRequest revision;
  v1::ReplacePublishedCellsRequest* replace = revision.mutable_replace_published_cells();
  replace->set_producer_id("ingestion-test");
  replace->set_sequence(3);
  replace->set_measure("APPLICATIONS");
  replace->add_years(2023);
  v1::PublishedCell* cell = replace->add_cells();
  cell->mutable_period()->set_year(2023);
  cell->mutable_period()->set_month(1);
  cell->set_region("LAZIO");
  cell->set_intervention_type("CIGS");
  cell->set_value(7);
  writer->Write(revision);
  writer->Write(End(2));
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("entry 1: sequences of producer"));
  EXPECT_EQ(NationalYear("WORKERS"), 3u);
}

// Each point where a Rebuild stream can be cut: whatever was sent, a stream that does not finish
// cleanly leaves the live cubes exactly as they were.
TEST_F(AggregationServiceTest, ACancelledRebuildKeepsNothingWhereverItIsCut) {
  v1::ApplyResponse applied;
  ASSERT_TRUE(Apply(Batch(1, {1, 2, 3}), &applied).ok());
  ASSERT_TRUE(Apply(Batch(2, {7}), &applied).ok());
  const std::string before = CubeSnapshot();
  const std::vector<v1::RebuildRequest> entries = {Entry(Batch(1, {4})), Entry(Batch(2, {5, 6}))};

  struct Cut {
    const char* where;
    size_t entries_sent;
    bool end_sent;
  };
  for (const Cut& cut : {Cut{"before any entry", 0, false}, Cut{"mid-stream", 1, false},
                         Cut{"after every entry, before the end marker", 2, false},
                         Cut{"after the end marker, before the half-close", 2, true}}) {
    SCOPED_TRACE(cut.where);
    v1::RebuildResponse rebuilt;
    auto context = Context();
    auto writer = stub_->Rebuild(context.get(), &rebuilt);
    for (size_t i = 0; i < cut.entries_sent; ++i) ASSERT_TRUE(writer->Write(entries[i]));
    if (cut.end_sent) {
      ASSERT_TRUE(writer->Write(End(cut.entries_sent)));
    }
    absl::SleepFor(absl::Milliseconds(200));  // the service takes in what was sent
    context->TryCancel();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
    WaitUntilNoRebuild();
    ExpectCubesUnchanged(before);
  }

  // A stream that runs out of time after everything but the half-close keeps nothing either.
  {
    v1::RebuildResponse rebuilt;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Milliseconds(500)));
    auto writer = stub_->Rebuild(&context, &rebuilt);
    for (const v1::RebuildRequest& entry : entries) ASSERT_TRUE(writer->Write(entry));
    ASSERT_TRUE(writer->Write(End(entries.size())));
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
    WaitUntilNoRebuild();
    ExpectCubesUnchanged(before);
  }

  // The same stream finished cleanly replaces the cubes.
  v1::RebuildResponse rebuilt;
  auto context = Context();
  auto writer = stub_->Rebuild(context.get(), &rebuilt);
  for (const v1::RebuildRequest& entry : entries) ASSERT_TRUE(writer->Write(entry));
  ASSERT_TRUE(writer->Write(End(entries.size())));
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(rebuilt.entries_applied(), 2u);
  EXPECT_TRUE(CubeSnapshot() != before);
  EXPECT_EQ(NationalYear("WORKERS"), 3u);  // workers 4, 5 and 6
}

TEST_F(AggregationServiceTest, ARebuildWithoutAMatchingEndMarkerKeepsNothing) {
  v1::ApplyResponse applied;
  ASSERT_TRUE(Apply(Batch(1, {1, 2, 3}), &applied).ok());
  const std::string before = CubeSnapshot();

  struct Stream {
    const char* what;
    std::vector<v1::RebuildRequest> messages;
    const char* error;
  };
  const v1::RebuildRequest entry = Entry(Batch(1, {4}));
  for (const Stream& stream : {
           Stream{"an empty stream", {}, "without RebuildEnd"},
           Stream{"entries without the marker", {entry}, "without RebuildEnd"},
           Stream{"a marker counting more entries", {entry, End(2)}, "entry_count is 2 but 1"},
           Stream{"a marker counting fewer entries", {entry, End(0)}, "entry_count is 0 but 1"},
           Stream{"an entry after the marker", {End(0), entry}, "must be the last message"},
       }) {
    SCOPED_TRACE(stream.what);
    v1::RebuildResponse rebuilt;
    auto context = Context();
    auto writer = stub_->Rebuild(context.get(), &rebuilt);
    for (const v1::RebuildRequest& message : stream.messages) writer->Write(message);
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find(stream.error), std::string::npos)
        << status.error_message();
    WaitUntilNoRebuild();
    ExpectCubesUnchanged(before);
  }
}

// A forged Apply: a caller that claims a position it does not know is refused and changes
// nothing; a plain retry of an applied sequence is still a duplicate.
TEST_F(AggregationServiceTest, AnApplyWithAWrongPreviousSequenceIsRefusedAndAppliesNothing) {
  v1::ApplyResponse response;
  v1::ApplyRequest first = Batch(1, {1, 2});
  first.set_previous_sequence(0);
  ASSERT_TRUE(Apply(first, &response).ok());
  EXPECT_FALSE(response.duplicate());
  const std::string before = CubeSnapshot();

  v1::ApplyRequest forged = Batch(std::numeric_limits<uint64_t>::max(), {3});
  forged.set_previous_sequence(7);
  grpc::Status status = Apply(forged, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(status.error_message().find("last applied sequence 1"), std::string::npos)
      << status.error_message();
  ExpectCubesUnchanged(before);

  v1::ReplacePublishedCellsRequest replace;
  replace.set_producer_id("ingestion-test");
  replace.set_sequence(2);
  replace.set_previous_sequence(0);
  replace.set_measure("APPLICATIONS");
  replace.add_years(2023);
  v1::ReplacePublishedCellsResponse replaced;
  status = stub_->ReplacePublishedCells(Context().get(), replace, &replaced);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  ExpectCubesUnchanged(before);

  v1::ApplyRequest retry = Batch(1, {1, 2});
  retry.set_previous_sequence(5);  // a plain duplicate, whatever it believes
  ASSERT_TRUE(Apply(retry, &response).ok());
  EXPECT_TRUE(response.duplicate());
  EXPECT_EQ(response.last_applied_sequence(), 1u);

  v1::ApplyRequest next = Batch(2, {3});
  next.set_previous_sequence(1);
  ASSERT_TRUE(Apply(next, &response).ok());
  EXPECT_FALSE(response.duplicate());
  EXPECT_EQ(response.last_applied_sequence(), 2u);
  EXPECT_EQ(NationalYear("WORKERS"), 3u);
}

std::optional<double> Gauge(prometheus::Collectable& collector, const std::string& name) {
  for (const prometheus::MetricFamily& family : collector.Collect()) {
    if (family.name == name && !family.metric.empty()) return family.metric[0].gauge.value;
  }
  return std::nullopt;
}

// The metrics endpoint scrapes on its own thread, from before the engine opens until after the
// service is gone.
TEST_F(AggregationServiceTest, MetricsShareTheEngineFromAttachUntilTheLastScrape) {
  v1::ApplyResponse applied;
  ASSERT_TRUE(Apply(Batch(1, {1, 2, 3}), &applied).ok());
  auto service = std::make_unique<AggregationService>(executor_);
  std::shared_ptr<prometheus::Collectable> metrics = service->MetricsCollector(dir_.path());
  EXPECT_EQ(Gauge(*metrics, "omnia_cube_distinct_workers"), std::nullopt);  // still opening

  std::atomic<bool> attached{false};
  std::thread scraper([&] {
    while (!attached) Gauge(*metrics, "omnia_cube_distinct_workers");
  });
  service->Attach(engine_);
  attached = true;
  scraper.join();
  EXPECT_EQ(Gauge(*metrics, "omnia_cube_distinct_workers"), 3.0);

  // The service and every other owner let go: the scrape still reads a live engine.
  const std::weak_ptr<cube::CubeEngine> engine = engine_;
  service.reset();
  stub_.reset();
  host_.reset();
  service_.reset();
  engine_.reset();
  EXPECT_FALSE(engine.expired());
  EXPECT_EQ(Gauge(*metrics, "omnia_cube_distinct_workers"), 3.0);
  metrics.reset();
  EXPECT_TRUE(engine.expired());
}

}  // namespace
}  // namespace omnia::aggregation

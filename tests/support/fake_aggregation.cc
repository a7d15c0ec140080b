#include "tests/support/fake_aggregation.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/api/cube_convert.h"
#include "libs/cube/query.h"
#include "libs/domain/measure.h"
#include "libs/domain/period.h"

namespace omnia::testing {
namespace {

// Group indexes of one dimension at the level asked: every base member, or the one total.
std::vector<int> Groups(bool total, size_t members) {
  if (total) return {0};
  std::vector<int> groups(members);
  for (size_t i = 0; i < members; ++i) groups[i] = static_cast<int>(i);
  return groups;
}

}  // namespace

FakeAggregation::FakeAggregation(std::vector<int> years) : years_(std::move(years)) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
  builder.RegisterService(this);
  server_ = builder.BuildAndStart();
}

FakeAggregation::~FakeAggregation() {
  ReleaseFreeze();
  server_->Shutdown();
}

std::string FakeAggregation::address() const { return absl::StrCat("127.0.0.1:", port_); }

void FakeAggregation::HoldFreeze() {
  absl::MutexLock lock(&mu_);
  hold_freeze_ = true;
}

void FakeAggregation::WaitUntilFreezing() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(&freezing_));
}

void FakeAggregation::ReleaseFreeze() {
  absl::MutexLock lock(&mu_);
  hold_freeze_ = false;
}

int FakeAggregation::coverage_queries(const std::string& release_id) {
  absl::MutexLock lock(&mu_);
  return coverage_queries_[release_id];
}

grpc::Status FakeAggregation::Freeze(grpc::ServerContext* /*context*/,
                                     const v1::FreezeRequest* request,
                                     v1::FreezeResponse* response) {
  absl::MutexLock lock(&mu_);
  freezing_ = true;
  // Bounded, so that a caller that waits for the hold to end cannot hang a test for good.
  mu_.AwaitWithTimeout(absl::Condition(
                           +[](bool* hold) { return !*hold; }, &hold_freeze_),
                       absl::Seconds(10));
  freezing_ = false;
  response->mutable_release()->set_release_id(request->release_id());
  response->set_created(true);
  return grpc::Status::OK;
}

grpc::Status FakeAggregation::Query(grpc::ServerContext* /*context*/,
                                    const v1::QueryRequest* request, v1::QueryResponse* response) {
  const v1::CellQuery& query = request->query();
  const bool italy = query.region_level() == v1::REGION_LEVEL_ITALY;
  const bool all_types = query.type_level() == v1::TYPE_LEVEL_ALL;
  if (italy && request->page_token().empty()) {
    absl::MutexLock lock(&mu_);
    ++coverage_queries_[request->release_id()];
  }
  std::vector<cube::QueryCell> cells;
  for (const std::string& code : query.measures()) {
    absl::StatusOr<domain::Measure> measure = domain::ParseMeasure(code);
    if (!measure.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "measure");
    for (const int year : years_) {
      for (int month = 1; month <= 12; ++month) {
        for (const int region : Groups(italy, codelists_.regions().size())) {
          for (const int type : Groups(all_types, codelists_.intervention_types().size())) {
            cube::QueryCell& cell = cells.emplace_back();
            cell.key = cube::CellKey{*measure,
                                     domain::PeriodKey{domain::PeriodLevel::kMonth, year, month},
                                     italy ? cube::RegionLevel::kItaly : cube::RegionLevel::kRegion,
                                     region,
                                     all_types ? cube::TypeLevel::kAll : cube::TypeLevel::kType,
                                     type};
            cell.value = static_cast<uint64_t>(year + month + region + type);
          }
        }
      }
    }
  }
  uint64_t offset = 0;
  if (!request->page_token().empty() && !absl::SimpleAtoi(request->page_token(), &offset)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "page_token");
  }
  const uint64_t page_size = request->page_size() > 0 ? request->page_size() : 1000;
  const uint64_t end = std::min<uint64_t>(cells.size(), offset + page_size);
  for (uint64_t i = offset; i < end; ++i) {
    api::CellToProto(cells[i], codelists_, response->add_cells());
  }
  if (end < cells.size()) response->set_next_page_token(absl::StrCat(end));
  response->set_release_id(request->release_id());
  return grpc::Status::OK;
}

}  // namespace omnia::testing

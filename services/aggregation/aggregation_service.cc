#include "services/aggregation/aggregation_service.h"

#include <atomic>
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/api/cube_convert.h"
#include "libs/api/fact_convert.h"
#include "libs/rpc/paging.h"
#include "libs/server/auth.h"
#include "libs/server/unary.h"
#include "services/aggregation/metrics.h"

namespace omnia::aggregation {
namespace {

constexpr int kDefaultQueryPage = 1000;
constexpr int kMaxQueryPage = 10000;
constexpr int kDefaultReleasePage = 20;
constexpr int kMaxReleasePage = 100;

absl::Status ApplyRequestTo(
    const v1::ApplyRequest& request, const domain::Codelists& codelists,
    const std::function<absl::StatusOr<cube::ApplyOutcome>(const cube::FactBatch&)>& apply,
    const std::function<uint64_t(const std::string&)>& last_sequence, v1::ApplyResponse* response) {
  absl::StatusOr<cube::FactBatch> batch = api::FactBatchFromProto(request, codelists);
  if (!batch.ok()) return batch.status();
  absl::StatusOr<cube::ApplyOutcome> outcome = apply(*batch);
  if (!outcome.ok()) return outcome.status();
  response->set_duplicate(*outcome == cube::ApplyOutcome::kAlreadyApplied);
  response->set_last_applied_sequence(last_sequence(batch->producer));
  return absl::OkStatus();
}

// Reads a Rebuild stream entry by entry into a RebuildSession; the blocking work (opening the
// new store, applying entries, the commit) runs on the executor, and the next read starts only
// when the previous entry is applied.
//
// The end of the reads (OnReadDone(false)) means a clean half-close, but also a cancellation,
// an expired deadline, a broken connection or the server's drain. So the rebuild is committed
// only when the call is not cancelled and the last message was a RebuildEnd counting exactly
// the entries received; otherwise the session is dropped, which discards the new store.
class RebuildReactor final : public grpc::ServerReadReactor<v1::RebuildRequest> {
 public:
  // `engine` is null while the cube store is still opening.
  RebuildReactor(grpc::CallbackServerContext* context, std::shared_ptr<cube::CubeEngine> engine,
                 server::Executor& executor, v1::RebuildResponse* response)
      : context_(context), engine_(std::move(engine)), executor_(executor), response_(response) {
    if (engine_ == nullptr) {
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the cube store is still opening"));
      return;
    }
    executor_.Submit([this] {
      absl::StatusOr<std::unique_ptr<cube::RebuildSession>> session = engine_->BeginRebuild();
      if (!session.ok()) {
        steps_done_.fetch_add(1, std::memory_order_release);
        Finish(rpc::ToGrpcStatus(session.status()));
        return;
      }
      session_ = std::move(*session);
      steps_done_.fetch_add(1, std::memory_order_release);
      StartRead(&request_);
    });
  }

  void OnReadDone(bool ok) override {
    executor_.Submit([this, ok] {
      const absl::Status status = ok ? Receive() : CommitIfFinishedCleanly();
      if (!status.ok()) session_.reset();  // discards the partial rebuild
      steps_done_.fetch_add(1, std::memory_order_release);
      if (!ok || !status.ok()) {
        Finish(rpc::ToGrpcStatus(status));
        return;
      }
      StartRead(&request_);
    });
  }

  void OnDone() override {
    // gRPC runs OnDone after the executor's Finish, on any of its threads, ordered inside its
    // uninstrumented core; acquiring the count each executor step released before handing the
    // call back to gRPC makes that order visible to ThreadSanitizer before the delete.
    steps_done_.load(std::memory_order_acquire);
    delete this;
  }

 private:
  // Takes one message: an entry, or the end marker.
  absl::Status Receive() {
    if (end_received_) {
      return absl::InvalidArgumentError(
          absl::StrCat("message ", entries_ + 1, ": RebuildEnd must be the last message"));
    }
    if (request_.has_end()) {
      if (request_.end().entry_count() != entries_) {
        return absl::InvalidArgumentError(
            absl::StrCat("RebuildEnd.entry_count is ", request_.end().entry_count(), " but ",
                         entries_, " entries were received; nothing was kept"));
      }
      end_received_ = true;
      return absl::OkStatus();
    }
    if (absl::Status s = ApplyEntry(); !s.ok()) return s;
    ++entries_;
    return absl::OkStatus();
  }

  absl::Status ApplyEntry() {
    const std::string at = absl::StrCat("entry ", entries_, ": ");
    if (request_.has_apply()) {
      absl::StatusOr<cube::FactBatch> batch =
          api::FactBatchFromProto(request_.apply(), engine_->codelists());
      if (!batch.ok())
        return absl::InvalidArgumentError(at + std::string(batch.status().message()));
      absl::StatusOr<cube::ApplyOutcome> outcome = session_->Apply(*batch);
      if (!outcome.ok()) return AtEntry(at, outcome.status());
      if (*outcome == cube::ApplyOutcome::kAlreadyApplied) {
        return absl::InvalidArgumentError(at + "sequences of producer " + batch->producer +
                                          " must strictly increase");
      }
      events_ += batch->applications.size() + batch->payments.size();
      return absl::OkStatus();
    }
    if (request_.has_replace_published_cells()) {
      absl::StatusOr<api::PublishedRevision> revision =
          api::PublishedRevisionFromProto(request_.replace_published_cells(), engine_->codelists());
      if (!revision.ok()) {
        return absl::InvalidArgumentError(at + std::string(revision.status().message()));
      }
      absl::StatusOr<cube::ReplaceOutcome> outcome =
          session_->ReplacePublished(revision->producer, revision->sequence, revision->measure,
                                     revision->years, revision->cells, revision->previous_sequence);
      if (!outcome.ok()) return AtEntry(at, outcome.status());
      // A replayed log never repeats a sequence: a repeat means the stream is out of order, and
      // skipping it would drop that revision from the rebuilt cubes.
      if (outcome->duplicate) {
        return absl::InvalidArgumentError(at + "sequences of producer " + revision->producer +
                                          " must strictly increase");
      }
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(at + "entry must hold apply or replace_published_cells");
  }

  // The store's error for the entry `at` names, with its code kept (ABORTED for a
  // previous_sequence that does not match).
  static absl::Status AtEntry(const std::string& at, const absl::Status& status) {
    return absl::Status(status.code(), at + std::string(status.message()));
  }

  // CANCELLED when the call was cancelled, timed out, broke or is being drained: the rebuilt
  // state must then be discarded.
  absl::Status CheckNotCancelled() const {
    if (!context_->IsCancelled()) return absl::OkStatus();
    return absl::CancelledError("the rebuild stream was cancelled; nothing was kept");
  }

  absl::Status CommitIfFinishedCleanly() {
    if (absl::Status s = CheckNotCancelled(); !s.ok()) return s;
    if (!end_received_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the stream ended after ", entries_, " entries without RebuildEnd; nothing was kept"));
    }
    const cube::CubeStats stats = session_->Stats();
    // A cancellation may have landed while the statistics were computed: check again right
    // before the swap.
    if (absl::Status s = CheckNotCancelled(); !s.ok()) return s;
    if (absl::Status s = session_->Commit(); !s.ok()) return s;
    FillResponse(stats);
    return absl::OkStatus();
  }

  void FillResponse(const cube::CubeStats& stats) {
    response_->set_entries_applied(entries_);
    response_->set_events_applied(events_);
    uint64_t base_cells = 0;
    for (const auto& [level, counts] : stats.levels) {
      if (level.period_level == domain::PeriodLevel::kMonth &&
          level.region_level == cube::RegionLevel::kRegion &&
          level.type_level == cube::TypeLevel::kType) {
        base_cells += counts.micro_data_cells + counts.published_cells;
      }
    }
    response_->set_base_cells(base_cells);
    for (const auto& [producer, sequence] : stats.last_sequences) {
      v1::ProducerSequence* p = response_->add_applied_sequences();
      p->set_producer_id(producer);
      p->set_last_applied_sequence(sequence);
    }
  }

  grpc::CallbackServerContext* const context_;
  const std::shared_ptr<cube::CubeEngine> engine_;
  server::Executor& executor_;
  v1::RebuildResponse* response_;
  std::unique_ptr<cube::RebuildSession> session_;
  v1::RebuildRequest request_;
  uint64_t entries_ = 0;
  uint64_t events_ = 0;
  bool end_received_ = false;
  std::atomic<uint64_t> steps_done_{0};
};

}  // namespace

absl::StatusOr<std::shared_ptr<cube::CubeEngine>> AggregationService::engine() const {
  std::shared_ptr<cube::CubeEngine> engine = engine_->Get();
  if (engine == nullptr) return absl::UnavailableError("the cube store is still opening; retry");
  return engine;
}

std::shared_ptr<prometheus::Collectable> AggregationService::MetricsCollector(
    std::string data_dir) const {
  return MakeMetricsCollector(engine_, std::move(data_dir));
}

// Runs `handler` with the opened engine on the executor (writes there block on a synced write);
// a write or admin method is authorised first.
template <typename Handler>
grpc::ServerUnaryReactor* AggregationService::OnEngine(grpc::CallbackServerContext* context,
                                                       std::string_view protected_method,
                                                       Handler handler) {
  if (!protected_method.empty()) {
    if (absl::Status allowed = server::Authorize(context, protected_method); !allowed.ok()) {
      return server::RejectUnary(context, allowed);
    }
  }
  return server::FinishOnExecutor(context, executor_, [this, handler]() -> absl::Status {
    absl::StatusOr<std::shared_ptr<cube::CubeEngine>> engine = this->engine();
    if (!engine.ok()) return engine.status();
    return handler(**engine);
  });
}

grpc::ServerUnaryReactor* AggregationService::Apply(grpc::CallbackServerContext* context,
                                                    const v1::ApplyRequest* request,
                                                    v1::ApplyResponse* response) {
  return OnEngine(
      context, "/omnia.v1.AggregationService/Apply",
      [context, request, response](cube::CubeEngine& e) -> absl::Status {
        // A request that waited for the one it builds on is dropped if its caller gave up.
        const auto cancelled = [context] { return context->IsCancelled(); };
        return ApplyRequestTo(
            *request, e.codelists(),
            [&e, &cancelled](const cube::FactBatch& batch) { return e.Apply(batch, cancelled); },
            [&e](const std::string& producer) { return e.LastSequence(producer); }, response);
      });
}

grpc::ServerUnaryReactor* AggregationService::ReplacePublishedCells(
    grpc::CallbackServerContext* context, const v1::ReplacePublishedCellsRequest* request,
    v1::ReplacePublishedCellsResponse* response) {
  return OnEngine(context, "/omnia.v1.AggregationService/ReplacePublishedCells",
                  [request, response](cube::CubeEngine& e) -> absl::Status {
                    absl::StatusOr<api::PublishedRevision> revision =
                        api::PublishedRevisionFromProto(*request, e.codelists());
                    if (!revision.ok()) return revision.status();
                    absl::StatusOr<cube::ReplaceOutcome> outcome = e.ReplacePublished(
                        revision->producer, revision->sequence, revision->measure, revision->years,
                        revision->cells, revision->previous_sequence);
                    if (!outcome.ok()) return outcome.status();
                    response->set_duplicate(outcome->duplicate);
                    response->set_cells_removed(outcome->cells_removed);
                    response->set_cells_written(outcome->cells_written);
                    response->set_last_applied_sequence(e.LastSequence(revision->producer));
                    return absl::OkStatus();
                  });
}

grpc::ServerUnaryReactor* AggregationService::Query(grpc::CallbackServerContext* context,
                                                    const v1::QueryRequest* request,
                                                    v1::QueryResponse* response) {
  // Queries read the in-memory cube (or a release loaded once): they run inline, with no disk
  // wait and no hop to the executor on the hot path.
  return server::FinishInline(context, [this, request, response]() -> absl::Status {
    absl::StatusOr<std::shared_ptr<cube::CubeEngine>> engine = this->engine();
    if (!engine.ok()) return engine.status();
    cube::CubeEngine& e = **engine;
    absl::StatusOr<int> page_size =
        rpc::PageSize(request->page_size(), kDefaultQueryPage, kMaxQueryPage);
    if (!page_size.ok()) return page_size.status();
    const uint64_t digest = api::QueryRequestDigest(*request);
    absl::StatusOr<rpc::PagePosition> position =
        rpc::DecodePageToken(request->page_token(), digest);
    if (!position.ok()) return position.status();
    // A default period range ends where the first page found the data ending: later pages reuse
    // that month, so a month arriving between pages cannot shift them.
    const api::LatestMonthOf latest_month =
        [&](const std::vector<domain::Measure>& measures) -> std::optional<domain::YearMonth> {
      if (position->pinned != 0) return api::PinnedMonth(position->pinned);
      return e.LatestMonth(request->release_id(), measures);
    };
    absl::StatusOr<cube::CubeQuery> query =
        api::CubeQueryFromProto(request->query(), e.codelists(), latest_month);
    if (!query.ok()) return query.status();
    // The token holds the position of the next page in the query's groups: each page costs
    // what it returns, not the whole result.
    absl::StatusOr<cube::QueryPage> page =
        e.QueryOnePage(*query, request->release_id(), position->offset, *page_size);
    if (!page.ok()) return page.status();
    for (const cube::QueryCell& cell : page->cells) {
      api::CellToProto(cell, e.codelists(), response->add_cells());
    }
    if (page->next_position.has_value()) {
      const uint64_t pinned = request->query().has_period_range() ? 0 : api::MonthPin(query->to);
      response->set_next_page_token(rpc::EncodePageToken({*page->next_position, pinned}, digest));
    }
    response->set_release_id(request->release_id());
    response->set_codelist_version(e.codelists().version());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AggregationService::Freeze(grpc::CallbackServerContext* context,
                                                     const v1::FreezeRequest* request,
                                                     v1::FreezeResponse* response) {
  return OnEngine(context, "/omnia.v1.AggregationService/Freeze",
                  [request, response](cube::CubeEngine& e) -> absl::Status {
                    absl::StatusOr<std::pair<cube::ReleaseInfo, bool>> release =
                        e.Freeze(request->release_id(), request->description());
                    if (!release.ok()) return release.status();
                    api::ReleaseToProto(release->first, response->mutable_release());
                    response->set_created(release->second);
                    return absl::OkStatus();
                  });
}

grpc::ServerUnaryReactor* AggregationService::ListReleases(
    grpc::CallbackServerContext* context, const v1::ListCubeReleasesRequest* request,
    v1::ListCubeReleasesResponse* response) {
  return OnEngine(context, "", [request, response](cube::CubeEngine& e) -> absl::Status {
    absl::StatusOr<int> page_size =
        rpc::PageSize(request->page_size(), kDefaultReleasePage, kMaxReleasePage);
    if (!page_size.ok()) return page_size.status();
    // No request field but the paging ones: any token of this RPC fits.
    const uint64_t digest = rpc::RequestDigest("ListReleases");
    absl::StatusOr<rpc::PagePosition> position =
        rpc::DecodePageToken(request->page_token(), digest);
    if (!position.ok()) return position.status();
    const std::vector<cube::ReleaseInfo> releases = e.ListReleases();
    if (position->offset > releases.size()) {
      return absl::InvalidArgumentError("page_token: past the end of the list");
    }
    const uint64_t end =
        std::min<uint64_t>(releases.size(), position->offset + static_cast<uint64_t>(*page_size));
    for (uint64_t i = position->offset; i < end; ++i) {
      api::ReleaseToProto(releases[i], response->add_releases());
    }
    if (end < releases.size()) response->set_next_page_token(rpc::EncodePageToken({end}, digest));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AggregationService::GetCubeStats(grpc::CallbackServerContext* context,
                                                           const v1::GetCubeStatsRequest* request,
                                                           v1::GetCubeStatsResponse* response) {
  return OnEngine(context, "", [request, response](cube::CubeEngine& e) -> absl::Status {
    absl::StatusOr<int> page_size = rpc::PageSize(request->page_size(), 100, 1000);
    if (!page_size.ok()) return page_size.status();
    const uint64_t digest =
        rpc::RequestDigest(absl::StrCat("GetCubeStats:", request->release_id()));
    absl::StatusOr<rpc::PagePosition> position =
        rpc::DecodePageToken(request->page_token(), digest);
    if (!position.ok()) return position.status();
    absl::StatusOr<cube::CubeStats> stats = e.Stats(request->release_id());
    if (!stats.ok()) return stats.status();
    if (position->offset > stats->last_sequences.size()) {
      return absl::InvalidArgumentError("page_token: past the end of the list");
    }
    for (const auto& [level, counts] : stats->levels) {
      v1::LevelStats* out = response->add_levels();
      out->set_measure(std::string(domain::MeasureCode(level.measure)));
      out->set_period_level(api::PeriodLevelToProto(level.period_level));
      out->set_region_level(api::RegionLevelToProto(level.region_level));
      out->set_type_level(api::TypeLevelToProto(level.type_level));
      out->set_micro_data_cells(counts.micro_data_cells);
      out->set_published_cells(counts.published_cells);
    }
    uint64_t index = 0;
    for (const auto& [producer, sequence] : stats->last_sequences) {
      if (index++ < position->offset) continue;
      if (response->producers_size() == *page_size) {
        response->set_next_page_token(rpc::EncodePageToken({index - 1}, digest));
        break;
      }
      v1::ProducerSequence* p = response->add_producers();
      p->set_producer_id(producer);
      p->set_last_applied_sequence(sequence);
    }
    response->set_storage_bytes(stats->disk_bytes);
    response->set_distinct_workers(stats->distinct_workers);
    response->set_release_count(e.ListReleases().size());
    response->set_release_id(request->release_id());
    response->set_rebuild_in_progress(e.rebuild_in_progress());
    response->set_accepts_event_columns(true);
    response->set_accepts_event_records(true);
    return absl::OkStatus();
  });
}

grpc::ServerReadReactor<v1::RebuildRequest>* AggregationService::Rebuild(
    grpc::CallbackServerContext* context, v1::RebuildResponse* response) {
  if (absl::Status allowed = server::Authorize(context, "/omnia.v1.AggregationService/Rebuild");
      !allowed.ok()) {
    return server::RejectRead<v1::RebuildRequest>(allowed);
  }
  return new RebuildReactor(context, engine_->Get(), executor_, response);
}

}  // namespace omnia::aggregation

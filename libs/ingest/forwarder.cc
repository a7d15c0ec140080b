#include "libs/ingest/forwarder.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/thread_priority.h"

namespace omnia::ingest {

absl::StatusOr<std::unique_ptr<PreparedBatch>> AggregationSink::Prepare(
    facts::FactBatch batch) const {
  return std::make_unique<PreparedAs<facts::FactBatch>>(std::move(batch));
}

absl::StatusOr<std::unique_ptr<PreparedBatch>> AggregationSink::PrepareRecords(
    facts::RecordBatch records) const {
  return Prepare(facts::FactsOf(std::move(records)));
}

absl::StatusOr<uint64_t> AggregationSink::ApplyPrepared(const PreparedBatch& prepared) {
  const facts::FactBatch* batch = PreparedAs<facts::FactBatch>::From(prepared);
  if (batch == nullptr) return absl::InvalidArgumentError("a request prepared by another sink");
  return Apply(*batch);
}

Forwarder::Forwarder(EventLog& log, AggregationSink& sink, ForwarderOptions options)
    : log_(log), sink_(sink), options_(std::move(options)), backoff_(options_.initial_backoff) {}

Forwarder::~Forwarder() { Stop(); }

void Forwarder::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Forwarder::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  DropAhead();
  StopSenders();
}

void Forwarder::Notify() {
  absl::MutexLock lock(&mu_);
  wake_ = true;
}

void Forwarder::Pause() {
  absl::MutexLock lock(&mu_);
  paused_ = true;
  mu_.Await(absl::Condition(
      +[](bool* busy) { return !*busy; }, &busy_));
}

void Forwarder::Resume() {
  absl::MutexLock lock(&mu_);
  paused_ = false;
  position_known_ = false;
  error_.clear();
  wake_ = true;
}

absl::StatusOr<RebuildSummary> Forwarder::Rebuild(absl::Duration deadline) {
  if (rebuilding_.exchange(true)) return absl::AbortedError("a rebuild is already running");
  Pause();
  absl::StatusOr<RebuildSummary> summary = sink_.Rebuild(log_, options_.producer_id, deadline);
  Resume();
  rebuilding_.store(false);
  return summary;
}

bool Forwarder::aggregation_reachable() const {
  absl::MutexLock lock(&mu_);
  return reachable_;
}

std::string Forwarder::forwarding_error() const {
  absl::MutexLock lock(&mu_);
  return error_;
}

bool Forwarder::WaitFor(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(
                           +[](Forwarder* f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f->mu_) {
                             return f->stopping_ || (f->wake_ && !f->paused_ && f->error_.empty());
                           },
                           this),
                       timeout);
  wake_ = false;
  return !stopping_;
}

void Forwarder::Run() {
  // The read-ahead thread, started from this one, inherits the value.
  if (options_.thread_nice > 0) base::LowerThisThreadPriority(options_.thread_nice);
  while (WaitFor(ForwardOnce())) {
  }
  DropAhead();
}

absl::Duration Forwarder::ForwardOnce() {
  bool known = false;
  bool standing = false;
  {
    absl::MutexLock lock(&mu_);
    standing = stopping_ || paused_ || !error_.empty();
    if (standing && !busy_) return absl::InfiniteDuration();
    busy_ = true;
    known = position_known_;
  }
  if (standing) {
    // Requests the last round left in flight are answered before the forwarder stands still
    // (Pause waits for that); their answers are not taken, so the position is read again.
    DropAhead();
    absl::MutexLock lock(&mu_);
    busy_ = false;
    position_known_ = false;
    return absl::InfiniteDuration();
  }
  const Round round = ForwardFrom(known, &position_);
  const bool in_flight = !in_flight_.empty();
  {
    absl::MutexLock lock(&mu_);
    busy_ = in_flight;  // a request still in flight keeps the forwarder busy
    position_known_ = round == Round::kSent || round == Round::kIdle;
    reachable_ = round != Round::kFailed;
  }
  return WaitAfter(round);
}

Forwarder::Round Forwarder::ForwardFrom(bool known, uint64_t* position) {
  const Round round = ForwardFromPosition(known, position);
  if (round != Round::kSent) DropAhead();
  return round;
}

Forwarder::Round Forwarder::ForwardFromPosition(bool known, uint64_t* position) {
  if (!known) {
    // A request read ahead may be encoded for the sink as it was before it was asked again.
    DropAhead();
    absl::StatusOr<uint64_t> last = sink_.LastApplied(options_.producer_id);
    if (!last.ok()) return Round::kFailed;
    if (!AcceptPosition(*last)) return Round::kStopped;
    *position = *last;
  }
  absl::StatusOr<bool> sent = SendNext(position);
  if (!sent.ok()) {
    // ABORTED: aggregation's position is not the one this request built on; nothing was
    // applied.
    return sent.status().code() == absl::StatusCode::kAborted ? Round::kPositionMismatch
                                                              : Round::kFailed;
  }
  if (!*sent) return Round::kIdle;
  return AcceptPosition(*position) ? Round::kSent : Round::kStopped;
}

absl::StatusOr<bool> Forwarder::SendNext(uint64_t* position) {
  if (in_flight_.empty()) {
    absl::StatusOr<Request> request = NextRequest(*position);
    if (!request.ok()) return request.status();
    if (request->published.has_value()) {
      absl::StatusOr<uint64_t> applied =
          sink_.ReplacePublished(options_.producer_id, *position, *request->published);
      if (!applied.ok()) return applied.status();
      *position = *applied;
      return true;
    }
    if (request->events == nullptr) return false;
    Launch(*std::move(request));
  }
  PrepareAhead();
  InFlight oldest = std::move(in_flight_.front());
  in_flight_.pop_front();
  absl::StatusOr<uint64_t> applied = oldest.answer.get();
  if (!applied.ok()) return applied.status();
  *position = *applied;
  // What was sent or prepared after it builds on the sequence it ends at.
  if (*position != oldest.sequence) DropAhead();
  return true;
}

absl::StatusOr<Forwarder::Request> Forwarder::ReadRequest(uint64_t after) const {
  // Collect consecutive event entries, or a single published entry, after `after`. The events
  // stay in the records the request carries: decoding them into facts and encoding those again
  // for the wire took about a tenth of ingestion's CPU.
  facts::RecordBatch batch;
  batch.producer = options_.producer_id;
  batch.previous_sequence = after;
  // Room for a full request up front: the entries' records are appended one entry at a time.
  batch.payment_records.reserve(options_.max_events_per_request * facts::kPaymentRecordBytes);
  bool have_events = false;
  Request request;
  absl::Status read = log_.ReadEntries(
      after, options_.max_events_per_request,
      [&](const LogEntry& entry) {
        if (entry.kind == EntryKind::kPublished) {
          if (!have_events) request.published = entry;
          return false;
        }
        have_events = true;
        batch.sequence = entry.sequence;
        batch.application_records.append(entry.application_records);
        batch.payment_records.append(entry.payment_records);
        return true;
      },
      EventForm::kRecords);
  if (!read.ok()) return read;
  if (!have_events) return request;
  request.sequence = batch.sequence;
  request.events_count = batch.applications() + batch.payments();
  absl::StatusOr<std::unique_ptr<PreparedBatch>> prepared = sink_.PrepareRecords(std::move(batch));
  if (!prepared.ok()) return prepared.status();
  request.events = *std::move(prepared);
  return request;
}

absl::StatusOr<Forwarder::Request> Forwarder::NextRequest(uint64_t position) {
  if (prepared_.has_value()) {
    std::optional<Request> ahead = std::exchange(prepared_, std::nullopt);
    if (prepared_after_ == position) return std::move(*ahead);
  }
  return ReadRequest(position);
}

void Forwarder::Launch(Request request) {
  std::shared_ptr<const PreparedBatch> prepared = std::move(request.events);
  std::packaged_task<absl::StatusOr<uint64_t>()> send(
      [this, prepared] { return sink_.ApplyPrepared(*prepared); });
  in_flight_.push_back({request.sequence, request.events_count, send.get_future()});
  absl::MutexLock lock(&sender_mu_);
  sends_.push_back(std::move(send));
  // A thread per request that may be in flight, started once (from the forwarding thread, whose
  // priority they inherit): a thread of its own per request took a malloc arena of its own each
  // time, and ingestion's peak memory grew by half.
  while (senders_.size() < std::max<size_t>(1, options_.requests_in_flight)) {
    senders_.emplace_back([this] { RunSender(); });
  }
}

void Forwarder::PrepareAhead() {
  if (prepared_.has_value() || in_flight_.empty()) return;
  // Only behind full requests, so that reading ahead never makes a request smaller than it
  // would have been (aggregation's cost per event grows as requests shrink). The backlog counts
  // from the applied cursor, so it holds the requests in flight.
  uint64_t in_flight_events = 0;
  for (const InFlight& sent : in_flight_) in_flight_events += sent.events_count;
  if (log_.Status().backlog_events < in_flight_events + options_.max_events_per_request) return;
  const uint64_t after = in_flight_.back().sequence;
  absl::StatusOr<Request> next = ReadRequest(after);
  // A published entry, or a failed read, waits for its turn, when it is read again.
  if (!next.ok() || next->events == nullptr) return;
  if (in_flight_.size() < options_.requests_in_flight) {
    Launch(*std::move(next));
  } else {
    prepared_ = *std::move(next);
    prepared_after_ = after;
  }
}

void Forwarder::RunSender() {
  while (true) {
    std::packaged_task<absl::StatusOr<uint64_t>()> send;
    {
      absl::MutexLock lock(&sender_mu_);
      sender_mu_.Await(absl::Condition(
          +[](Forwarder* f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f->sender_mu_) {
            return f->senders_stopping_ || !f->sends_.empty();
          },
          this));
      if (sends_.empty()) return;  // stopping, nothing left to send
      send = std::move(sends_.front());
      sends_.pop_front();
    }
    send();
  }
}

void Forwarder::StopSenders() {
  {
    absl::MutexLock lock(&sender_mu_);
    senders_stopping_ = true;
  }
  for (std::thread& sender : senders_) sender.join();
  senders_.clear();
  absl::MutexLock lock(&sender_mu_);
  senders_stopping_ = false;
}

void Forwarder::DropAhead() {
  for (InFlight& sent : in_flight_) sent.answer.get().IgnoreError();
  in_flight_.clear();
  prepared_.reset();
}

bool Forwarder::AcceptPosition(uint64_t position) {
  // Read after aggregation answered: the log only grows, so a position beyond it now was never
  // written by this log.
  const uint64_t last_logged = log_.last_sequence();
  if (position <= last_logged) {
    // The cursor only feeds status and backlog; the next answer records it again if this fails.
    log_.MarkApplied(position).IgnoreError();
    return true;
  }
  const std::string error = absl::StrCat(
      "forwarding stopped: aggregation reports sequence ", position, " applied for producer ",
      options_.producer_id, ", beyond the last log entry ", last_logged,
      "; its cubes hold writes that are not in this log. Nothing more is forwarded until "
      "RebuildAggregation replaces the cubes with the log's content");
  {
    absl::MutexLock lock(&mu_);
    error_ = error;
  }
  if (options_.log_error) options_.log_error(error);
  return false;
}

absl::Duration Forwarder::WaitAfter(Round round) {
  const bool mismatched_before = std::exchange(last_round_mismatched_, false);
  switch (round) {
    case Round::kSent:
      backoff_ = options_.initial_backoff;
      return absl::ZeroDuration();
    case Round::kIdle:
      backoff_ = options_.initial_backoff;
      return options_.idle_poll;
    case Round::kStopped:
      return absl::InfiniteDuration();
    case Round::kPositionMismatch:
      last_round_mismatched_ = true;
      // Re-read the position at once; a mismatch again right after is backed off like a
      // failure, so a sink that keeps disagreeing is not hammered.
      if (!mismatched_before) return absl::ZeroDuration();
      [[fallthrough]];
    case Round::kFailed:
      break;
  }
  const absl::Duration wait = backoff_;
  backoff_ = std::min(backoff_ * 2, options_.max_backoff);
  return wait;
}

}  // namespace omnia::ingest

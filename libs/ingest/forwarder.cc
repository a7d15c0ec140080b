#include "libs/ingest/forwarder.h"

#include <algorithm>

namespace omnia::ingest {

Forwarder::Forwarder(EventLog& log, AggregationSink& sink, ForwarderOptions options)
    : log_(log), sink_(sink), options_(std::move(options)) {}

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
  wake_ = true;
}

bool Forwarder::aggregation_reachable() const {
  absl::MutexLock lock(&mu_);
  return reachable_;
}

void Forwarder::WaitFor(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(
                           +[](Forwarder* f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f->mu_) {
                             return f->stopping_ || (f->wake_ && !f->paused_);
                           },
                           this),
                       timeout);
  wake_ = false;
}

absl::StatusOr<bool> Forwarder::SendNext(uint64_t position, uint64_t* new_position) {
  // Collect consecutive event entries, or a single published entry, after `position`.
  cube::FactBatch batch;
  batch.producer = options_.producer_id;
  bool have_events = false;
  std::optional<LogEntry> published;
  absl::Status read =
      log_.ReadEntries(position, options_.max_events_per_request, [&](const LogEntry& entry) {
        if (entry.kind == EntryKind::kPublished) {
          if (!have_events) published = entry;
          return false;
        }
        have_events = true;
        batch.sequence = entry.sequence;
        batch.applications.insert(batch.applications.end(), entry.applications.begin(),
                                  entry.applications.end());
        batch.payments.insert(batch.payments.end(), entry.payments.begin(), entry.payments.end());
        return true;
      });
  if (!read.ok()) return read;
  absl::StatusOr<uint64_t> applied;
  if (have_events) {
    applied = sink_.Apply(batch);
  } else if (published.has_value()) {
    applied = sink_.ReplacePublished(options_.producer_id, *published);
  } else {
    return false;
  }
  if (!applied.ok()) return applied.status();
  *new_position = *applied;
  return true;
}

void Forwarder::Run() {
  uint64_t position = 0;
  absl::Duration backoff = options_.initial_backoff;
  while (true) {
    bool known = false;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      if (paused_) {
        mu_.Await(absl::Condition(
            +[](Forwarder* f)
                 ABSL_EXCLUSIVE_LOCKS_REQUIRED(f->mu_) { return f->stopping_ || !f->paused_; },
            this));
        continue;
      }
      busy_ = true;
      known = position_known_;
    }
    absl::Status status = absl::OkStatus();
    bool sent = false;
    if (!known) {
      absl::StatusOr<uint64_t> last = sink_.LastApplied(options_.producer_id);
      if (last.ok()) {
        position = *last;
        known = true;
      } else {
        status = last.status();
      }
    }
    if (known && status.ok()) {
      uint64_t new_position = position;
      absl::StatusOr<bool> result = SendNext(position, &new_position);
      if (result.ok()) {
        sent = *result;
        position = new_position;
        // The cursor only feeds status and backlog; a lagging one is harmless.
        log_.MarkApplied(std::min(position, log_.last_sequence())).IgnoreError();
      } else {
        status = result.status();
      }
    }
    {
      absl::MutexLock lock(&mu_);
      busy_ = false;
      position_known_ = known && status.ok();
      reachable_ = status.ok();
    }
    if (!status.ok()) {
      WaitFor(backoff);
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    backoff = options_.initial_backoff;
    if (!sent) WaitFor(absl::Seconds(1));
  }
}

}  // namespace omnia::ingest

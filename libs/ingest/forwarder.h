// Feeds aggregation from the log, in log order, exactly once.
//
// The forwarder's position is always what aggregation itself reports as applied for this
// producer: it asks on start (and after any doubt), sends the entries after it, and takes the
// position from each answer. Aggregation stores that sequence in the same atomic write as the
// cells, so whatever crashes (either side, at any point), a resent entry is recognised and a
// missing one is sent: nothing acknowledged is lost and nothing counts twice. Consecutive event
// entries are coalesced into one request named by the last entry's sequence.
//
// While a request is in flight and another full one waits in the log behind it, that next
// request is read, encoded and sent too (up to ForwarderOptions::requests_in_flight at once), so
// that aggregation receives and decodes it while it applies the one before. Each request names
// the position it builds on, so the second is applied only after the first; aggregation waits a
// little for a request that overtook the one before it on the way (CubeStore::Apply).
//
// It never trusts a position blindly. Every request carries the position it builds on
// (compare-and-set): if aggregation's last applied sequence is another one, nothing is applied
// and the forwarder re-reads the position and resends from there. A position beyond the end of
// the log means aggregation holds writes this log never made: the forwarder then stops, with a
// log line and forwarding_error(), instead of skipping entries, until Resume() (after a rebuild
// from the log) or a restart finds the positions consistent again.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/facts/event_records.h"
#include "libs/facts/facts.h"
#include "libs/ingest/event_log.h"

namespace omnia::ingest {

// What a rebuild replayed.
struct RebuildSummary {
  uint64_t entries_replayed = 0;
  uint64_t events_replayed = 0;
  uint64_t published_reports_replayed = 0;
  uint64_t last_log_sequence = 0;
};

// An Apply request made ready to send ahead of its turn (see AggregationSink::Prepare), in
// whatever form the sink that made it sends.
class PreparedBatch {
 public:
  virtual ~PreparedBatch() = default;
};

// A prepared request held as one value of type T (the batch itself, an encoded message); a sink
// recognises its own with From().
template <typename T>
class PreparedAs final : public PreparedBatch {
 public:
  explicit PreparedAs(T value) : value_(std::move(value)) {}
  const T& value() const { return value_; }

  // The value `prepared` holds if a sink preparing T made it, else null.
  static const T* From(const PreparedBatch& prepared) {
    const auto* as = dynamic_cast<const PreparedAs*>(&prepared);
    return as == nullptr ? nullptr : &as->value_;
  }

 private:
  T value_;
};

// Where the forwarder sends entries: the aggregation service (over gRPC in production, see
// libs/ingest_grpc).
class AggregationSink {
 public:
  virtual ~AggregationSink() = default;
  // Each write returns the producer's last applied sequence after the call. A write that is
  // not a duplicate is applied only if the producer's last applied sequence equals the
  // previous sequence it names (batch.previous_sequence for Apply); otherwise ABORTED and
  // nothing is applied.
  virtual absl::StatusOr<uint64_t> Apply(const facts::FactBatch& batch) = 0;
  // Apply in two steps, so that the forwarder can prepare the next request (encode it for the
  // wire) while the current one is in flight: Prepare may run on another thread, concurrently
  // with any call of the sink, and ApplyPrepared then sends what it made, as Apply would. With
  // ForwarderOptions::requests_in_flight above 1, ApplyPrepared is called from several threads
  // at once, each request building on the one sent before it. By
  // default the batch is kept as it is and sent with Apply.
  // ApplyPrepared takes only what this sink's Prepare made (INVALID_ARGUMENT otherwise).
  virtual absl::StatusOr<std::unique_ptr<PreparedBatch>> Prepare(facts::FactBatch batch) const;
  // Prepare for events read from the log as records (what the forwarder reads): a sink that
  // sends records as they are overrides it; by default they are decoded and given to Prepare.
  virtual absl::StatusOr<std::unique_ptr<PreparedBatch>> PrepareRecords(
      facts::RecordBatch records) const;
  virtual absl::StatusOr<uint64_t> ApplyPrepared(const PreparedBatch& prepared);
  virtual absl::StatusOr<uint64_t> ReplacePublished(const std::string& producer,
                                                    uint64_t previous_sequence,
                                                    const LogEntry& published_entry) = 0;
  virtual absl::StatusOr<uint64_t> LastApplied(const std::string& producer) = 0;
  // Replaces aggregation's cubes with the content of `log`: every entry in order, sent as
  // `producer`, then the count of entries; aggregation keeps the rebuilt cubes only when both
  // ends agree. Call with the forwarder paused.
  virtual absl::StatusOr<RebuildSummary> Rebuild(const EventLog& log, const std::string& producer,
                                                 absl::Duration deadline) = 0;
};

struct ForwarderOptions {
  std::string producer_id = "ingestion";
  // Events per Apply request (entries are never split): about 12 MB on the wire in columns, 24
  // MB as messages, within aggregation's 64 MiB request limit. Aggregation's cost per request
  // grows with the cells it touches, nearly all of them at this size, so larger requests spread
  // it over more events: 200,000 took aggregation 20-25 % less CPU than 50,000 over an 11 M-event
  // ingest, and 300,000 up to a further 13 % once aggregation applied behind the ingest at a
  // lower priority (see docs/scaling.md, "Larger requests").
  size_t max_events_per_request = 300000;
  // Wait after a failed round, doubled on each consecutive failure up to max_backoff.
  absl::Duration initial_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(2);
  // The forwarding threads' nice value is made at least this (libs/base/thread_priority.h):
  // forwarding is bulk write work that reads should overtake. 0: the process's priority.
  int thread_nice = 0;
  // Apply requests sent before the one ahead of them is answered (1 or more): with two,
  // aggregation receives and decodes the next request while it applies the one before.
  size_t requests_in_flight = 2;
  // How often an idle forwarder looks for entries it was not notified of.
  absl::Duration idle_poll = absl::Seconds(1);
  // Receives the line explaining why forwarding stopped (forwarding_error()); may be empty.
  std::function<void(const std::string&)> log_error;
};

class Forwarder {
 public:
  Forwarder(EventLog& log, AggregationSink& sink, ForwarderOptions options);
  ~Forwarder();  // stops

  // Runs ForwardOnce() in a loop on a thread of its own, waiting as it says.
  void Start();
  void Stop();
  // Wakes the forwarder after new entries were logged.
  void Notify();
  // Stops sending and waits until no request is in flight (for a rebuild); Resume() undoes it,
  // clears forwarding_error() and makes the forwarder re-read aggregation's position.
  void Pause();
  void Resume();

  // One round: learns aggregation's position if it is not known, then sends the next request
  // after it. Returns how long to wait before the next round: zero after a request was sent,
  // idle_poll when there was nothing to send, the backoff after a failure, and
  // InfiniteDuration while paused or stopped on an error. Start() runs it in a loop; a test
  // may call it directly instead (never both).
  absl::Duration ForwardOnce();

  // Replaces aggregation's cubes with the whole log (AggregationSink::Rebuild), with forwarding
  // paused meanwhile and resumed after, whatever the outcome. ABORTED while another rebuild
  // runs: one at a time.
  absl::StatusOr<RebuildSummary> Rebuild(absl::Duration deadline);
  bool rebuild_in_progress() const { return rebuilding_.load(); }

  bool aggregation_reachable() const;
  // Why forwarding has stopped; empty while it runs.
  std::string forwarding_error() const;
  const std::string& producer_id() const { return options_.producer_id; }

 private:
  // What a round did.
  enum class Round { kSent, kIdle, kFailed, kPositionMismatch, kStopped };

  void Run();
  // Sends from `*position` (first reading it from aggregation unless `known`), updating it.
  Round ForwardFrom(bool known, uint64_t* position);
  Round ForwardFromPosition(bool known, uint64_t* position);
  // Sends the next request after `*position` and takes the new position from the answer; false
  // when there is nothing to send.
  absl::StatusOr<bool> SendNext(uint64_t* position);

  // The request after a position: consecutive event entries (prepared by the sink), a single
  // published entry, or neither when the log ends there.
  struct Request {
    std::unique_ptr<PreparedBatch> events;
    uint64_t sequence = 0;  // of the request's last event entry
    uint64_t events_count = 0;
    std::optional<LogEntry> published;
  };
  absl::StatusOr<Request> ReadRequest(uint64_t after) const;
  // The request after `position`: the one prepared ahead if it was read from there, else read
  // now.
  absl::StatusOr<Request> NextRequest(uint64_t position);
  // Hands an events request to the sending threads; it joins in_flight_.
  void Launch(Request request);
  // While requests are in flight, reads and encodes the one after the newest, when a full
  // request's worth of events is logged beyond those in flight, and sends it as well when fewer
  // than requests_in_flight are out (else keeps it for its turn).
  void PrepareAhead();
  // Waits for every request in flight and forgets them and the one prepared ahead (after a
  // failure, or when stopping: the position or the sink's encoding may have changed).
  void DropAhead();
  // A sending thread: runs the sends it is given, one at a time.
  void RunSender();
  void StopSenders();
  // Checks a position reported by aggregation against the log: records it as the log's
  // forwarding cursor, or stops forwarding when it is beyond the log (false).
  bool AcceptPosition(uint64_t position);
  absl::Duration WaitAfter(Round round);
  // Waits up to `timeout` or until a Notify() or Resume(); false when stopping.
  bool WaitFor(absl::Duration timeout);

  EventLog& log_;
  AggregationSink& sink_;
  const ForwarderOptions options_;

  // Touched only by the thread running the rounds.
  uint64_t position_ = 0;
  absl::Duration backoff_;
  bool last_round_mismatched_ = false;
  // Requests sent and not yet answered, oldest first, with the sequence each ends at.
  struct InFlight {
    uint64_t sequence = 0;
    uint64_t events_count = 0;
    std::future<absl::StatusOr<uint64_t>> answer;
  };
  std::deque<InFlight> in_flight_;
  // A request read ahead and not yet sent, and the position it builds on.
  std::optional<Request> prepared_;
  uint64_t prepared_after_ = 0;

  absl::Mutex sender_mu_;
  std::deque<std::packaged_task<absl::StatusOr<uint64_t>()>> sends_ ABSL_GUARDED_BY(sender_mu_);
  bool senders_stopping_ ABSL_GUARDED_BY(sender_mu_) = false;
  std::vector<std::thread> senders_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  bool position_known_ ABSL_GUARDED_BY(mu_) = false;
  bool reachable_ ABSL_GUARDED_BY(mu_) = false;
  std::string error_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> rebuilding_{false};
  std::thread thread_;
};

}  // namespace omnia::ingest

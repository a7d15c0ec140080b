// Feeds aggregation from the log, in log order, exactly once.
//
// The forwarder's position is always what aggregation itself reports as applied for this
// producer: it asks on start (and after any doubt), sends the entries after it, and takes the
// position from each answer. Aggregation stores that sequence in the same atomic write as the
// cells, so whatever crashes (either side, at any point), a resent entry is recognised and a
// missing one is sent: nothing acknowledged is lost and nothing counts twice. Consecutive event
// entries are coalesced into one request named by the last entry's sequence.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/cube/cube_store.h"
#include "libs/ingest/event_log.h"

namespace omnia::ingest {

// Where the forwarder sends entries: the aggregation service (over gRPC in production).
class AggregationSink {
 public:
  virtual ~AggregationSink() = default;
  // Each returns the producer's last applied sequence after the call.
  virtual absl::StatusOr<uint64_t> Apply(const cube::FactBatch& batch) = 0;
  virtual absl::StatusOr<uint64_t> ReplacePublished(const std::string& producer,
                                                    const LogEntry& published_entry) = 0;
  virtual absl::StatusOr<uint64_t> LastApplied(const std::string& producer) = 0;
};

struct ForwarderOptions {
  std::string producer_id = "ingestion";
  // Events per Apply request (entries are never split): about 3.5 MB on the wire. Larger
  // requests amortise aggregation's synced write and set unions over more events.
  size_t max_events_per_request = 50000;
  absl::Duration initial_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(2);
};

class Forwarder {
 public:
  Forwarder(EventLog& log, AggregationSink& sink, ForwarderOptions options);
  ~Forwarder();  // stops

  void Start();
  void Stop();
  // Wakes the forwarder after new entries were logged.
  void Notify();
  // Stops sending and waits until no request is in flight (for a rebuild); Resume() undoes it and
  // makes the forwarder re-read aggregation's position.
  void Pause();
  void Resume();

  bool aggregation_reachable() const;
  const std::string& producer_id() const { return options_.producer_id; }

 private:
  void Run();
  // Sends the next request; returns false when there is nothing to send.
  absl::StatusOr<bool> SendNext(uint64_t position, uint64_t* new_position);
  void WaitFor(absl::Duration timeout);

  EventLog& log_;
  AggregationSink& sink_;
  const ForwarderOptions options_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  bool position_known_ ABSL_GUARDED_BY(mu_) = false;
  bool reachable_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace omnia::ingest

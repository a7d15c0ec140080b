// One StreamEvents batch, start to finish, without a network: validate and pseudonymise
// (CheckBatch), refuse it while the forwarding backlog is full, log it durably and wake the
// forwarder. The service converts the proto batch to RawEvents and the BatchReport back to an
// ack; everything in between is here.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/base/clock.h"
#include "libs/domain/codelists.h"
#include "libs/ingest/batch_validation.h"
#include "libs/ingest/event_log.h"
#include "libs/ingest/pseudonymizer.h"

namespace omnia::ingest {

enum class BatchOutcome { kAccepted, kDuplicate, kRejected };

// What became of one batch.
struct BatchReport {
  BatchOutcome outcome = BatchOutcome::kRejected;
  // OK unless rejected; then the reason, naming the first offending event and field.
  absl::Status status;
  // Rejected batches: every offending event (up to the validation limit), in event order.
  std::vector<Violation> violations;
  uint64_t violations_omitted = 0;
  uint64_t events_accepted = 0;
  uint64_t events_duplicate = 0;
  uint64_t log_sequence = 0;
};

// One batch as received.
struct ReceivedBatch {
  const std::string& producer_id;
  uint64_t sequence = 0;
  // The events that could be read, in batch order.
  const std::vector<RawEvent>& events;
  // What could not be read as events at all (an event without a kind, columns of the wrong
  // shape): when not empty the batch is rejected with these violations, unchecked further.
  const std::vector<Violation>& malformed;
  // Events the producer sent that are not in `events` (they could not be read); counted as
  // rejected with the batch.
  uint64_t unread_events = 0;
  // Names the events' fields as the producer spelt them (see CheckBatch).
  FieldPath field_path;
  // Codelist positions found for the events' codes when they were read, one entry per event;
  // null: every code is looked up (see CheckBatch).
  const std::vector<domain::CodeIndices>* codes = nullptr;
};

struct BatchIntakeOptions {
  // Events the log may hold beyond what aggregation has applied before new writes are refused
  // with RESOURCE_EXHAUSTED.
  uint64_t max_backlog_events = 5'000'000;
  // Violations listed in a report; the rest are only counted.
  size_t max_violations = 100;
};

class BatchIntake {
 public:
  // Everything referenced must outlive the intake. `logged` runs after each write that added
  // entries to the log (the forwarder's Notify).
  BatchIntake(const domain::Codelists& codelists, const Pseudonymizer& pseudonymizer, EventLog& log,
              const Clock& clock, std::function<void()> logged, BatchIntakeOptions options);

  // A batch is logged whole or not at all: a rejected one changes nothing but the rejected
  // counters. Today's date in Italy (from the clock) bounds event dates.
  BatchReport Handle(const ReceivedBatch& batch) const;

  // RESOURCE_EXHAUSTED when `events` more would take the backlog over its limit; shared with
  // the file imports.
  absl::Status CheckBacklog(uint64_t events) const;

  uint64_t max_backlog_events() const { return options_.max_backlog_events; }

 private:
  BatchReport Reject(absl::Status status, std::vector<Violation> violations,
                     uint64_t rejected_events) const;
  // The report of a batch the log took (accepted) or had taken before (duplicate).
  static BatchReport Reported(const AppendResult& result);

  const domain::Codelists& codelists_;
  const Pseudonymizer& pseudonymizer_;
  EventLog& log_;
  const Clock& clock_;
  const std::function<void()> logged_;
  const BatchIntakeOptions options_;
};

}  // namespace omnia::ingest

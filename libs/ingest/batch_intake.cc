#include "libs/ingest/batch_intake.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/domain/period.h"

namespace omnia::ingest {
namespace {

// An event whose id the log (or the batch) already holds with other content, as a violation of
// its id field.
Violation ConflictViolation(const EventConflict& conflict, const FieldPath& field_path) {
  const std::string field =
      conflict.kind == EventKind::kApplication ? "application_id" : "payment_id";
  return Violation{
      conflict.event_index, conflict.event_id,
      field_path ? field_path(conflict.event_index, field) : field,
      conflict.repeats_index.has_value()
          ? absl::StrCat("repeats events[", *conflict.repeats_index, "] with different content")
          : "already ingested with different content"};
}

}  // namespace

BatchIntake::BatchIntake(const domain::Codelists& codelists, const Pseudonymizer& pseudonymizer,
                         EventLog& log, const Clock& clock, std::function<void()> logged,
                         BatchIntakeOptions options)
    : codelists_(codelists),
      pseudonymizer_(pseudonymizer),
      log_(log),
      clock_(clock),
      logged_(std::move(logged)),
      options_(options) {}

absl::Status BatchIntake::CheckBacklog(uint64_t events) const {
  const uint64_t backlog = log_.Status().backlog_events;
  if (backlog + events > options_.max_backlog_events) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the forwarding backlog holds ", backlog, " events (limit ", options_.max_backlog_events,
        "): aggregation is behind or unreachable; resend later"));
  }
  return absl::OkStatus();
}

BatchReport BatchIntake::Reject(absl::Status status, std::vector<Violation> violations,
                                uint64_t rejected_events) const {
  if (rejected_events > 0) log_.RecordRejected(rejected_events);
  BatchReport report;
  report.status = std::move(status);
  report.violations = std::move(violations);
  return report;
}

BatchReport BatchIntake::Handle(const ReceivedBatch& batch) const {
  const uint64_t received = batch.events.size() + batch.unread_events;
  // An accepted (producer, sequence) is a duplicate whatever the batch holds now (content not
  // compared): a resend after a lost ack is answered so even if the producer's code changed.
  // Sequence 0 is never accepted: it is refused below as invalid, never taken for a duplicate.
  if (std::optional<absl::StatusOr<AppendResult>> decided =
          batch.sequence == 0 ? std::nullopt
                              : log_.DecidedBatch(batch.producer_id, batch.sequence)) {
    if (!decided->ok()) return Reject(decided->status(), {}, received);
    return Reported(**decided);
  }
  if (!batch.malformed.empty()) {
    const size_t listed = std::min(batch.malformed.size(), options_.max_violations);
    std::vector<Violation> violations(batch.malformed.begin(), batch.malformed.begin() + listed);
    const uint64_t omitted = batch.malformed.size() - listed;
    absl::Status invalid = absl::InvalidArgumentError(DescribeViolations(violations, omitted));
    BatchReport report = Reject(std::move(invalid), std::move(violations), received);
    report.violations_omitted = omitted;
    return report;
  }
  BatchCheck check = CheckBatch(batch.producer_id, batch.sequence, batch.events, codelists_,
                                pseudonymizer_, options_.max_violations,
                                domain::ItalianDate(clock_.Now()), batch.field_path, batch.codes);
  if (!check.violations.empty()) {
    // Described before the violations move into the report.
    absl::Status invalid = absl::InvalidArgumentError(DescribeViolations(check));
    BatchReport report = Reject(std::move(invalid), std::move(check.violations), received);
    report.violations_omitted = check.violations_omitted;
    return report;
  }
  // The backlog is asked about the batch's new events only: a batch of duplicates adds nothing
  // to it, so it is taken even when the backlog is full.
  std::vector<EventConflict> conflicts;
  absl::StatusOr<AppendResult> result =
      log_.Append(check.batch, &conflicts, [this](uint64_t new_events) {
        return new_events == 0 ? absl::OkStatus() : CheckBacklog(new_events);
      });
  if (!result.ok()) {
    // The log counts every batch it refuses as rejected itself. Listed up to the cap, like
    // field violations; the rest are counted.
    std::vector<Violation> violations;
    for (const EventConflict& conflict : conflicts) {
      if (violations.size() == options_.max_violations) break;
      violations.push_back(ConflictViolation(conflict, batch.field_path));
    }
    BatchReport report = Reject(result.status(), std::move(violations), 0);
    report.violations_omitted = conflicts.size() - report.violations.size();
    return report;
  }
  if (result->outcome == AppendOutcome::kAccepted) logged_();
  return Reported(*result);
}

BatchReport BatchIntake::Reported(const AppendResult& result) {
  BatchReport report;
  report.outcome = result.outcome == AppendOutcome::kDuplicateBatch ? BatchOutcome::kDuplicate
                                                                    : BatchOutcome::kAccepted;
  report.events_accepted = result.events_accepted;
  report.events_duplicate = result.events_duplicate;
  report.log_sequence = result.log_sequence;
  return report;
}

}  // namespace omnia::ingest

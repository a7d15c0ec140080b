// One StreamEvents batch through the intake, without a network: what a producer relies on is
// that a valid batch is logged once (a resend is a duplicate), that an invalid one is refused
// whole, naming each event and field, and changes nothing, and that a full backlog refuses new
// batches instead of growing the log without bound.
#include "libs/ingest/batch_intake.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/child_process.h"
#include "tests/support/ingest_log.h"

namespace omnia::ingest {
namespace {

using ::testing::HasSubstr;

constexpr char kWorker[] = "RSSMRA80A01H501U";
const std::string kProducer = "producer-a";
const std::vector<Violation> kNothingMalformed;

// `events` as sent by kProducer under `sequence`, every event readable.
BatchReport Handle(const BatchIntake& intake, uint64_t sequence,
                   const std::vector<RawEvent>& events) {
  return intake.Handle({kProducer, sequence, events, kNothingMalformed, 0, {}});
}

domain::PaymentIssued Payment(const std::string& id, const std::string& region = "LAZIO") {
  return domain::PaymentIssued{id, kWorker, domain::Date{2024, 2, 29}, region, "CIGS", 2};
}

class BatchIntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = testing::OpenTestLog(dir_.path() + "/log", clock_);
    pseudonymizer_ = testing::TestPseudonymizer();
    ASSERT_TRUE(log_ != nullptr && pseudonymizer_ != nullptr);
  }

  BatchIntake Intake(uint64_t max_backlog_events = 1000) {
    return BatchIntake(codelists_, *pseudonymizer_, *log_, clock_, [this] { ++notified_; },
                       {.max_backlog_events = max_backlog_events});
  }

  testing::TempDir dir_;
  FakeClock clock_{absl::FromCivil(absl::CivilDay(2025, 6, 1), absl::UTCTimeZone())};
  const domain::Codelists codelists_ = domain::Codelists::Builtin();
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Pseudonymizer> pseudonymizer_;
  int notified_ = 0;
};

TEST_F(BatchIntakeTest, AValidBatchIsLoggedOnceAndAResendIsADuplicate) {
  const BatchIntake intake = Intake();
  const std::vector<RawEvent> events = {Payment("P-1"), Payment("P-2")};
  const BatchReport first = Handle(intake, 1, events);
  ASSERT_TRUE(first.status.ok()) << first.status;
  EXPECT_EQ(first.outcome, BatchOutcome::kAccepted);
  EXPECT_EQ(first.events_accepted, 2u);
  EXPECT_GT(first.log_sequence, 0u);
  EXPECT_EQ(notified_, 1);

  const BatchReport resend = Handle(intake, 1, events);
  EXPECT_EQ(resend.outcome, BatchOutcome::kDuplicate);
  EXPECT_EQ(resend.log_sequence, first.log_sequence);
  EXPECT_EQ(notified_, 1);  // nothing new to forward
  EXPECT_EQ(log_->Status().events_accepted, 2u);
}

TEST_F(BatchIntakeTest, AnInvalidEventRejectsTheWholeBatchNamingEventAndField) {
  const BatchIntake intake = Intake();
  const std::vector<RawEvent> events = {Payment("P-1"), Payment("P-2", "ATLANTIDE")};
  const BatchReport report = Handle(intake, 1, events);
  EXPECT_EQ(report.outcome, BatchOutcome::kRejected);
  EXPECT_EQ(report.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(report.status.message()), HasSubstr("events[1].region"));
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].event_index, 1u);
  EXPECT_EQ(report.violations[0].event_id, "P-2");
  EXPECT_EQ(report.violations[0].field, "region");
  const LogStatus status = log_->Status();
  EXPECT_EQ(status.last_log_sequence, 0u);
  EXPECT_EQ(status.events_accepted, 0u);
  EXPECT_EQ(status.events_rejected, 2u);
  EXPECT_EQ(notified_, 0);
}

TEST_F(BatchIntakeTest, AnEventWithoutAKindRejectsTheBatch) {
  const BatchIntake intake = Intake();
  const std::vector<RawEvent> events = {Payment("P-1")};
  const std::vector<Violation> malformed = {{1, "", "kind", "holds neither"}};
  const BatchReport report = intake.Handle({kProducer, 1, events, malformed, 1, {}});
  EXPECT_EQ(report.outcome, BatchOutcome::kRejected);
  EXPECT_THAT(std::string(report.status.message()), HasSubstr("events[1].kind: holds neither"));
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].field, "kind");
  EXPECT_EQ(log_->Status().events_rejected, 2u);
  EXPECT_EQ(log_->Status().last_log_sequence, 0u);
}

TEST_F(BatchIntakeTest, AnIdLoggedWithOtherContentIsAViolationOfItsIdField) {
  const BatchIntake intake = Intake();
  ASSERT_EQ(Handle(intake, 1, {Payment("P-1")}).outcome, BatchOutcome::kAccepted);
  const BatchReport report = Handle(intake, 2, {Payment("P-1", "UMBRIA")});
  EXPECT_EQ(report.outcome, BatchOutcome::kRejected);
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].field, "payment_id");
  EXPECT_EQ(report.violations[0].reason, "already ingested with different content");
  EXPECT_EQ(log_->Status().events_accepted, 1u);
}

// ingestion.proto: "At most 100 entries", the rest counted in violations_omitted.
TEST_F(BatchIntakeTest, ConflictsAreListedUpToTheCapAndTheRestCounted) {
  const BatchIntake intake = Intake();
  std::vector<RawEvent> events;
  for (int i = 0; i < 150; ++i) events.push_back(Payment(absl::StrCat("P-", i)));
  ASSERT_EQ(Handle(intake, 1, events).outcome, BatchOutcome::kAccepted);
  for (RawEvent& event : events) std::get<domain::PaymentIssued>(event).region = "UMBRIA";
  const BatchReport report = Handle(intake, 2, events);
  EXPECT_EQ(report.status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(report.violations.size(), 100u);
  EXPECT_EQ(report.violations_omitted, 50u);
}

TEST_F(BatchIntakeTest, AFullBacklogRefusesNewBatchesWithResourceExhausted) {
  const BatchIntake intake = Intake(/*max_backlog_events=*/2);
  ASSERT_EQ(Handle(intake, 1, {Payment("P-1"), Payment("P-2")}).outcome, BatchOutcome::kAccepted);
  const BatchReport report = Handle(intake, 2, {Payment("P-3")});
  EXPECT_EQ(report.outcome, BatchOutcome::kRejected);
  EXPECT_EQ(report.status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(report.status.message()), HasSubstr("limit 2"));
  EXPECT_EQ(log_->Status().events_accepted, 2u);
  EXPECT_EQ(intake.CheckBacklog(0).code(), absl::StatusCode::kOk);
  EXPECT_EQ(intake.CheckBacklog(1).code(), absl::StatusCode::kResourceExhausted);
}

// ingestion.proto: a batch whose (producer_id, sequence) was already accepted is not processed
// again (BATCH_OUTCOME_DUPLICATE, content not compared), and a retry after a broken stream gets
// DUPLICATE for what was logged. Neither a full backlog nor content that no longer validates
// changes that answer.
TEST_F(BatchIntakeTest, AResendOfAnAcceptedBatchIsADuplicateWhateverItHoldsNow) {
  const BatchIntake intake = Intake();
  const BatchReport first = Handle(intake, 1, {Payment("P-1"), Payment("P-2")});
  ASSERT_EQ(first.outcome, BatchOutcome::kAccepted);

  const BatchReport invalid = Handle(intake, 1, {Payment("P-1", "ATLANTIDE")});
  EXPECT_TRUE(invalid.status.ok()) << invalid.status;
  EXPECT_EQ(invalid.outcome, BatchOutcome::kDuplicate);
  EXPECT_EQ(invalid.log_sequence, first.log_sequence);

  const std::vector<Violation> malformed = {{0, "", "kind", "holds neither"}};
  const BatchReport unreadable = intake.Handle({kProducer, 1, {}, malformed, 1, {}});
  EXPECT_EQ(unreadable.outcome, BatchOutcome::kDuplicate);

  const LogStatus status = log_->Status();
  EXPECT_EQ(status.events_accepted, 2u);
  EXPECT_EQ(status.events_rejected, 0u);
  EXPECT_EQ(status.batches_duplicate, 2u);
  EXPECT_EQ(status.batches_rejected, 0u);

  // Sequence 0 is never accepted (at least 1 is required): it is invalid, not a duplicate.
  const BatchReport zero = Handle(intake, 0, {Payment("P-9")});
  EXPECT_EQ(zero.outcome, BatchOutcome::kRejected);
  EXPECT_EQ(zero.status.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(zero.violations.size(), 1u);
  EXPECT_EQ(zero.violations[0].field, "sequence");
}

TEST_F(BatchIntakeTest, AFullBacklogStillAnswersResendsAndBatchesOfDuplicates) {
  const BatchIntake intake = Intake(/*max_backlog_events=*/2);
  ASSERT_EQ(Handle(intake, 1, {Payment("P-1"), Payment("P-2")}).outcome, BatchOutcome::kAccepted);
  // The backlog is full (nothing is applied in this test).
  EXPECT_EQ(Handle(intake, 1, {Payment("P-1"), Payment("P-2")}).outcome, BatchOutcome::kDuplicate);
  // A new batch of events already logged adds nothing to the backlog.
  const BatchReport duplicates = Handle(intake, 2, {Payment("P-2"), Payment("P-1")});
  ASSERT_TRUE(duplicates.status.ok()) << duplicates.status;
  EXPECT_EQ(duplicates.outcome, BatchOutcome::kAccepted);
  EXPECT_EQ(duplicates.events_accepted, 0u);
  EXPECT_EQ(duplicates.events_duplicate, 2u);
  // One new event among duplicates is refused, and the refusal leaves no trace: once the backlog
  // drains, the same batch is taken.
  const BatchReport refused = Handle(intake, 3, {Payment("P-1"), Payment("P-3")});
  EXPECT_EQ(refused.status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(log_->Status().events_accepted, 2u);
  const BatchIntake roomier = Intake(/*max_backlog_events=*/3);
  const BatchReport taken = Handle(roomier, 3, {Payment("P-1"), Payment("P-3")});
  ASSERT_TRUE(taken.status.ok()) << taken.status;
  EXPECT_EQ(taken.events_accepted, 1u);
  EXPECT_EQ(taken.events_duplicate, 1u);
}

}  // namespace
}  // namespace omnia::ingest

// The ingestion log over the real RocksDB store: what producers and the forwarder rely on
// (acknowledged batches read back exactly, duplicates never counted twice, conflicts rejected
// without a trace, everything surviving a restart, backlog accounting), plus a throughput
// benchmark that is run by hand.
#include "libs/ingest/event_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "libs/storage/rocksdb_store.h"
#include "tests/support/child_process.h"
#include "tests/support/fault_injecting_kv_store.h"

namespace omnia::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kSha1[] = "0000000000000000000000000000000000000000000000000000000000000001";
constexpr char kSha2[] = "0000000000000000000000000000000000000000000000000000000000000002";

facts::Pseudonym Worker(int n) {
  facts::Pseudonym p{};
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<char>((n * 131 + i * 7) & 0xff);
  p[0] = static_cast<char>(n & 0xff);
  p[1] = static_cast<char>((n >> 8) & 0xff);
  p[2] = static_cast<char>((n >> 16) & 0xff);
  return p;
}

LoggedEvent App(std::string id, domain::Date date, int region, int type) {
  return LoggedApplication{std::move(id), date, region, type};
}

LoggedEvent Pay(std::string id, int worker, domain::Date date, int region, int type,
                uint32_t months) {
  return LoggedPayment{std::move(id), Worker(worker), date, region, type, months};
}

IncomingBatch Batch(std::string producer, uint64_t sequence, std::vector<LoggedEvent> events) {
  return IncomingBatch{std::move(producer), sequence, std::move(events)};
}

facts::PublishedCell Cell(int year, int month, int region, int type, uint64_t value) {
  return facts::PublishedCell{domain::YearMonth{year, month}, region, type, value};
}

// Copies of the entries after `after`, all of them.
std::vector<LogEntry> ReadAll(const EventLog& log, uint64_t after = 0) {
  std::vector<LogEntry> entries;
  absl::Status s = log.ReadEntries(after, 1 << 30, [&](const LogEntry& e) {
    entries.push_back(e);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s;
  return entries;
}

std::vector<uint64_t> Sequences(const std::vector<LogEntry>& entries) {
  std::vector<uint64_t> out;
  for (const LogEntry& e : entries) out.push_back(e.sequence);
  return out;
}

void ExpectApplication(const LogEntry& entry, size_t i, const LoggedEvent& event) {
  const auto& a = std::get<LoggedApplication>(event);
  ASSERT_LT(i, entry.applications.size());
  EXPECT_EQ(entry.applications[i].month, domain::YearMonthOf(a.authorized_on)) << i;
  EXPECT_EQ(entry.application_days[i], a.authorized_on.day) << i;
  EXPECT_EQ(entry.applications[i].region, a.region) << i;
  EXPECT_EQ(entry.applications[i].type, a.type) << i;
}

void ExpectPayment(const LogEntry& entry, size_t i, const LoggedEvent& event) {
  const auto& p = std::get<LoggedPayment>(event);
  ASSERT_LT(i, entry.payments.size());
  EXPECT_EQ(entry.payments[i].month, domain::YearMonthOf(p.paid_on)) << i;
  EXPECT_EQ(entry.payment_days[i], p.paid_on.day) << i;
  EXPECT_EQ(entry.payments[i].region, p.region) << i;
  EXPECT_EQ(entry.payments[i].type, p.type) << i;
  EXPECT_EQ(entry.payments[i].worker, p.worker) << i;
  EXPECT_EQ(entry.payments[i].months_covered, p.months_covered) << i;
}

class EventLogTest : public ::testing::Test {
 protected:
  // (Re)opens the log on the same directory, remembering `max_sequence_window` accepted
  // sequences per producer above its first gap.
  void Open(size_t max_sequence_window = EventLog::kMaxSequenceWindow) {
    log_.reset();
    auto kv = storage::OpenRocksDb(dir_.path() + "/log", EventLog::Columns());
    ASSERT_TRUE(kv.ok()) << kv.status();
    auto log = EventLog::Open(std::move(*kv), clock_, max_sequence_window);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
  }
  void SetUp() override { Open(); }

  AppendResult MustAppend(const IncomingBatch& batch) {
    absl::StatusOr<AppendResult> result = log_->Append(batch);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : AppendResult{};
  }

  testing::TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1700000000)};
  std::unique_ptr<EventLog> log_;
};

// An operator who expects N ids reserves the index once: up to N ids never make it grow (no
// rehash stalls a write), and a smaller reservation never shrinks it.
TEST_F(EventLogTest, AReservedIndexHoldsTheExpectedIdsWithoutGrowing) {
  constexpr int kExpected = 5000;
  const size_t empty_bytes = log_->IndexMemoryBytes();
  ASSERT_TRUE(log_->ReserveIndex(kExpected).ok());
  const size_t reserved_bytes = log_->IndexMemoryBytes();
  EXPECT_GT(reserved_bytes, empty_bytes);
  uint64_t sequence = 0;
  for (int first = 0; first < kExpected; first += 500) {
    std::vector<LoggedEvent> events;
    for (int i = first; i < first + 500; ++i) {
      events.push_back(Pay(absl::StrCat("P-", i), i, {2023, 4, 17}, 3, 1, 1));
    }
    EXPECT_EQ(MustAppend(Batch("p", ++sequence, std::move(events))).events_accepted, 500u);
    EXPECT_EQ(log_->IndexMemoryBytes(), reserved_bytes) << "after " << first + 500 << " ids";
  }
  // Fewer than the index already holds changes nothing; a count no memory can hold is refused
  // and changes nothing either; duplicates are still recognised.
  EXPECT_TRUE(log_->ReserveIndex(10).ok());
  EXPECT_EQ(log_->IndexMemoryBytes(), reserved_bytes);
  const absl::Status hostile = log_->ReserveIndex(size_t{1} << 60);
  EXPECT_EQ(hostile.code(), absl::StatusCode::kResourceExhausted) << hostile;
  EXPECT_EQ(log_->IndexMemoryBytes(), reserved_bytes);
  const AppendResult again =
      MustAppend(Batch("p", ++sequence, {Pay("P-7", 7, {2023, 4, 17}, 3, 1, 1)}));
  EXPECT_EQ(again.events_accepted, 0u);
  EXPECT_EQ(again.events_duplicate, 1u);
}

TEST_F(EventLogTest, AcceptedBatchIsReadBackExactly) {
  const IncomingBatch batch =
      Batch("producer-a", 1,
            {Pay("P-1", 7, {2023, 4, 17}, 3, 1, 2), App("A-1", {2021, 12, 31}, 19, 5),
             Pay("P-2", 8, {2020, 1, 1}, 0, 0, 0), App("A-2", {2024, 2, 29}, 0, 2)});
  const AppendResult result = MustAppend(batch);
  EXPECT_EQ(result.outcome, AppendOutcome::kAccepted);
  EXPECT_EQ(result.log_sequence, 1u);
  EXPECT_EQ(result.events_accepted, 4u);
  EXPECT_EQ(result.events_duplicate, 0u);

  const std::vector<LogEntry> entries = ReadAll(*log_);
  ASSERT_EQ(entries.size(), 1u);
  const LogEntry& entry = entries[0];
  EXPECT_EQ(entry.sequence, 1u);
  EXPECT_EQ(entry.kind, EntryKind::kEvents);
  EXPECT_EQ(entry.units(), 4u);
  // Each kind keeps the batch's order.
  ASSERT_EQ(entry.applications.size(), 2u);
  ASSERT_EQ(entry.payments.size(), 2u);
  ExpectApplication(entry, 0, batch.events[1]);
  ExpectApplication(entry, 1, batch.events[3]);
  ExpectPayment(entry, 0, batch.events[0]);
  ExpectPayment(entry, 1, batch.events[2]);

  EXPECT_EQ(MustAppend(Batch("producer-a", 2, {App("A-3", {2022, 6, 1}, 4, 4)})).log_sequence, 2u);
  EXPECT_EQ(log_->last_sequence(), 2u);
  EXPECT_THAT(Sequences(ReadAll(*log_)), ElementsAre(1, 2));
}

TEST_F(EventLogTest, ResentBatchIsADuplicateAndChangesNothing) {
  const IncomingBatch first = Batch("p", 1, {App("A-1", {2023, 1, 5}, 1, 1)});
  MustAppend(first);
  clock_.Advance(absl::Seconds(10));
  MustAppend(Batch("p", 2, {App("A-2", {2023, 1, 5}, 1, 1)}));

  // The usual retry (the last batch) gets its entry back; older ones only their outcome.
  AppendResult again = MustAppend(Batch("p", 2, {App("A-2", {2023, 1, 5}, 1, 1)}));
  EXPECT_EQ(again.outcome, AppendOutcome::kDuplicateBatch);
  EXPECT_EQ(again.log_sequence, 2u);
  EXPECT_EQ(again.events_accepted, 0u);
  // Content is not compared: the (producer, sequence) identifies the batch.
  again = MustAppend(Batch("p", 1, {App("A-other", {2023, 1, 5}, 1, 1)}));
  EXPECT_EQ(again.outcome, AppendOutcome::kDuplicateBatch);
  EXPECT_EQ(again.log_sequence, 0u);

  EXPECT_EQ(log_->last_sequence(), 2u);
  const LogStatus status = log_->Status();
  EXPECT_EQ(status.batches_accepted, 2u);
  EXPECT_EQ(status.batches_duplicate, 2u);
  EXPECT_EQ(status.events_accepted, 2u);
  const std::optional<ProducerStatus> producer = log_->Producer("p");
  ASSERT_TRUE(producer.has_value());
  EXPECT_EQ(producer->last_acknowledged_sequence, 2u);
  EXPECT_EQ(producer->batches_accepted, 2u);
  EXPECT_EQ(producer->last_acknowledged_time, absl::FromUnixSeconds(1700000010));

  // Producers are independent: the same sequence from another producer is new.
  EXPECT_EQ(MustAppend(Batch("q", 1, {App("A-3", {2023, 1, 5}, 1, 1)})).outcome,
            AppendOutcome::kAccepted);
}

TEST_F(EventLogTest, ARejectedSequenceStaysFreeAfterLaterOnesAreAccepted) {
  // Sequence 1 is refused (its event conflicts with a logged one), 2 is accepted, then 1 comes
  // back corrected: it is new, not a duplicate, and its events are logged.
  MustAppend(Batch("other", 1, {App("A-0", {2023, 1, 5}, 1, 1)}));
  EXPECT_TRUE(absl::IsAlreadyExists(
      log_->Append(Batch("p", 1, {App("A-0", {2023, 2, 5}, 1, 1)})).status()));
  MustAppend(Batch("p", 2, {App("A-2", {2023, 1, 5}, 1, 1)}));
  const AppendResult corrected = MustAppend(Batch("p", 1, {App("A-1", {2023, 1, 5}, 1, 1)}));
  EXPECT_EQ(corrected.outcome, AppendOutcome::kAccepted);
  EXPECT_EQ(corrected.events_accepted, 1u);
  EXPECT_EQ(corrected.log_sequence, 3u);
  EXPECT_EQ(log_->Producer("p")->last_acknowledged_sequence, 2u);

  // Both are now duplicates, before and after a restart.
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    AppendResult again = MustAppend(Batch("p", 1, {App("A-1", {2023, 1, 5}, 1, 1)}));
    EXPECT_EQ(again.outcome, AppendOutcome::kDuplicateBatch);
    again = MustAppend(Batch("p", 2, {App("A-2", {2023, 1, 5}, 1, 1)}));
    EXPECT_EQ(again.outcome, AppendOutcome::kDuplicateBatch);
    // The entry is told while 2 is the producer's last acknowledged sequence.
    EXPECT_EQ(again.log_sequence, round == 0 ? 2u : 0u);
    EXPECT_EQ(MustAppend(Batch("p", 3, {App("A-3", {2023, 1, 5}, 1, 1)})).outcome,
              round == 0 ? AppendOutcome::kAccepted : AppendOutcome::kDuplicateBatch);
    Open();
  }
  EXPECT_EQ(log_->Status().events_accepted, 4u);
}

TEST_F(EventLogTest, SequencesAcceptedOutOfOrderAreRememberedExactlyAcrossRestarts) {
  // A window of 8 batches in flight, acknowledged in any order, with one batch held back.
  for (uint64_t sequence : {5, 3, 8, 4, 2, 7}) {
    EXPECT_EQ(
        MustAppend(Batch("p", sequence, {App(absl::StrCat("A-", sequence), {2023, 1, 5}, 1, 1)}))
            .outcome,
        AppendOutcome::kAccepted)
        << sequence;
  }
  Open();
  for (uint64_t sequence = 1; sequence <= 9; ++sequence) {
    const bool accepted_before = sequence != 1 && sequence != 6 && sequence != 9;
    const AppendResult result =
        MustAppend(Batch("p", sequence, {App(absl::StrCat("A-", sequence), {2023, 1, 5}, 1, 1)}));
    EXPECT_EQ(result.outcome,
              accepted_before ? AppendOutcome::kDuplicateBatch : AppendOutcome::kAccepted)
        << sequence;
  }
  EXPECT_EQ(log_->Status().events_accepted, 9u);
  EXPECT_EQ(log_->Status().batches_accepted, 9u);
}

// ingestion.proto: the server remembers "the last 4096 accepted sequences above" the first one
// never accepted, consecutive ones included.
TEST_F(EventLogTest, AfterAGapIsGivenUpTheLatestAcceptedSequencesAreStillKnown) {
  Open(/*max_sequence_window=*/4);
  // Sequence 1 is never accepted; 2..10 are, one after the other.
  for (uint64_t sequence = 2; sequence <= 10; ++sequence) {
    MustAppend(Batch("p", sequence, {App(absl::StrCat("A-", sequence), {2023, 1, 5}, 1, 1)}));
  }
  for (int restart = 0; restart < 2; ++restart) {
    for (uint64_t sequence : {7, 8, 9, 10}) {
      EXPECT_EQ(MustAppend(Batch("p", sequence, {})).outcome, AppendOutcome::kDuplicateBatch)
          << sequence;
    }
    EXPECT_TRUE(absl::IsFailedPrecondition(log_->Append(Batch("p", 5, {})).status()));
    Open();
  }
  EXPECT_EQ(log_->Status().events_accepted, 9u);
}

TEST_F(EventLogTest, AProducerThatNeverFillsItsGapsStaysBoundedAndNeverGetsAWrongAnswer) {
  // A window of 4 accepted sequences: a producer that skips every odd sequence.
  Open(/*max_sequence_window=*/4);
  MustAppend(Batch("p", 1, {App("A-1", {2023, 1, 5}, 1, 1)}));
  for (uint64_t sequence = 4; sequence <= 20; sequence += 2) {
    MustAppend(Batch("p", sequence, {App(absl::StrCat("A-", sequence), {2023, 1, 5}, 1, 1)}));
  }
  // Sequence 1 was accepted with no gap below it: still a known duplicate.
  EXPECT_EQ(MustAppend(Batch("p", 1, {})).outcome, AppendOutcome::kDuplicateBatch);
  // The four most recent accepted ones are known duplicates, the gaps between them are free.
  for (uint64_t sequence : {14, 16, 18, 20}) {
    EXPECT_EQ(MustAppend(Batch("p", sequence, {})).outcome, AppendOutcome::kDuplicateBatch)
        << sequence;
  }
  EXPECT_EQ(MustAppend(Batch("p", 17, {App("A-17", {2023, 1, 5}, 1, 1)})).outcome,
            AppendOutcome::kAccepted);
  // What was given up is refused: neither counted twice nor silently dropped.
  const uint64_t accepted_before = log_->Status().events_accepted;
  for (uint64_t sequence : {2, 3, 4, 9, 12}) {
    absl::StatusOr<AppendResult> old =
        log_->Append(Batch("p", sequence, {App(absl::StrCat("B-", sequence), {2023, 1, 5}, 1, 1)}));
    EXPECT_TRUE(absl::IsFailedPrecondition(old.status())) << sequence << ": " << old.status();
  }
  EXPECT_EQ(log_->Status().events_accepted, accepted_before);
  // The same answers after a restart.
  Open();
  EXPECT_TRUE(absl::IsFailedPrecondition(log_->Append(Batch("p", 12, {})).status()));
  EXPECT_EQ(MustAppend(Batch("p", 1, {})).outcome, AppendOutcome::kDuplicateBatch);
  EXPECT_EQ(MustAppend(Batch("p", 16, {})).outcome, AppendOutcome::kDuplicateBatch);
  EXPECT_EQ(MustAppend(Batch("p", 17, {})).outcome, AppendOutcome::kDuplicateBatch);
  EXPECT_EQ(MustAppend(Batch("p", 21, {App("A-21", {2023, 1, 5}, 1, 1)})).outcome,
            AppendOutcome::kAccepted);
}

TEST_F(EventLogTest, ALogIsBoundToThePseudonymisationKeyItWasWrittenWith) {
  const std::string first(64, 'a');
  EXPECT_TRUE(log_->BindPseudonymKey(first).ok());
  MustAppend(Batch("p", 1, {Pay("P-1", 1, {2023, 3, 2}, 2, 3, 1)}));
  Open();
  EXPECT_TRUE(log_->BindPseudonymKey(first).ok());
  const absl::Status other = log_->BindPseudonymKey(std::string(64, 'b'));
  EXPECT_TRUE(absl::IsFailedPrecondition(other)) << other;
  EXPECT_THAT(std::string(other.message()), HasSubstr("pseudonymisation key"));
  // Refusing changed nothing: the original key is still the one accepted.
  Open();
  EXPECT_TRUE(log_->BindPseudonymKey(first).ok());
}

TEST_F(EventLogTest, DuplicateEventsAreSkippedAndCounted) {
  MustAppend(Batch("p", 1, {App("A-1", {2023, 3, 1}, 2, 3), Pay("P-1", 1, {2023, 3, 2}, 2, 3, 1)}));

  const IncomingBatch mixed =
      Batch("p", 2,
            {App("A-1", {2023, 3, 1}, 2, 3), Pay("P-2", 2, {2023, 3, 3}, 5, 0, 2),
             Pay("P-1", 1, {2023, 3, 2}, 2, 3, 1)});
  AppendResult result = MustAppend(mixed);
  EXPECT_EQ(result.outcome, AppendOutcome::kAccepted);
  EXPECT_EQ(result.events_accepted, 1u);
  EXPECT_EQ(result.events_duplicate, 2u);
  EXPECT_EQ(result.log_sequence, 2u);
  std::vector<LogEntry> entries = ReadAll(*log_, 1);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_TRUE(entries[0].applications.empty());
  ASSERT_EQ(entries[0].payments.size(), 1u);
  ExpectPayment(entries[0], 0, mixed.events[1]);

  // A batch of duplicates only is acknowledged without an entry, and its sequence is used up.
  result = MustAppend(Batch("p", 3, {Pay("P-2", 2, {2023, 3, 3}, 5, 0, 2)}));
  EXPECT_EQ(result.outcome, AppendOutcome::kAccepted);
  EXPECT_EQ(result.log_sequence, 0u);
  EXPECT_EQ(result.events_duplicate, 1u);
  EXPECT_EQ(log_->last_sequence(), 2u);
  EXPECT_EQ(log_->Producer("p")->last_acknowledged_sequence, 3u);
  EXPECT_EQ(MustAppend(Batch("p", 3, {})).outcome, AppendOutcome::kDuplicateBatch);

  const LogStatus status = log_->Status();
  EXPECT_EQ(status.events_accepted, 3u);
  EXPECT_EQ(status.events_duplicate, 3u);
  EXPECT_EQ(status.batches_accepted, 3u);
  EXPECT_EQ(log_->Producer("p")->events_accepted, 3u);
}

TEST_F(EventLogTest, ApplicationAndPaymentIdsAreSeparateSpaces) {
  const AppendResult result = MustAppend(
      Batch("p", 1, {App("X-1", {2023, 3, 1}, 2, 3), Pay("X-1", 1, {2023, 3, 1}, 2, 3, 0)}));
  EXPECT_EQ(result.events_accepted, 2u);
  EXPECT_EQ(result.events_duplicate, 0u);
}

TEST_F(EventLogTest, SameIdWithDifferentContentIsRejectedAndLeavesNoTrace) {
  const LoggedEvent original = Pay("P-123", 1, {2023, 5, 10}, 4, 2, 3);
  MustAppend(Batch("p", 1, {original, App("A-1", {2023, 5, 10}, 4, 2)}));
  const LogStatus before = log_->Status();

  // Every field of the content takes part in the comparison.
  std::vector<LoggedEvent> changed(5, original);
  std::get<LoggedPayment>(changed[0]).paid_on.day = 11;
  std::get<LoggedPayment>(changed[1]).region = 5;
  std::get<LoggedPayment>(changed[2]).type = 3;
  std::get<LoggedPayment>(changed[3]).worker = Worker(2);
  std::get<LoggedPayment>(changed[4]).months_covered = 4;
  LoggedEvent changed_application = App("A-1", {2023, 6, 10}, 4, 2);
  changed.push_back(changed_application);

  for (size_t i = 0; i < changed.size(); ++i) {
    SCOPED_TRACE(i);
    std::vector<EventConflict> conflicts;
    absl::StatusOr<AppendResult> result =
        log_->Append(Batch("p", 2, {App("A-new", {2023, 1, 1}, 0, 0), changed[i]}), &conflicts);
    ASSERT_TRUE(absl::IsAlreadyExists(result.status())) << result.status();
    const bool application = i + 1 == changed.size();
    EXPECT_THAT(
        std::string(result.status().message()),
        HasSubstr(application ? "events[1]: application_id A-1 was already ingested with "
                                "different content"
                              : "events[1]: payment_id P-123 was already ingested with different "
                                "content"));
    ASSERT_EQ(conflicts.size(), 1u);
    EXPECT_EQ(conflicts[0].event_index, 1u);
    EXPECT_EQ(conflicts[0].event_id, application ? "A-1" : "P-123");
    EXPECT_EQ(conflicts[0].kind, application ? EventKind::kApplication : EventKind::kPayment);
    EXPECT_FALSE(conflicts[0].repeats_index.has_value());
  }

  // Nothing was written: no entry, no counter, no producer sequence, no deduplication record.
  EXPECT_EQ(log_->last_sequence(), 1u);
  const LogStatus after = log_->Status();
  EXPECT_EQ(after.events_accepted, before.events_accepted);
  EXPECT_EQ(after.events_duplicate, before.events_duplicate);
  EXPECT_EQ(after.batches_accepted, before.batches_accepted);
  EXPECT_EQ(after.batches_rejected, changed.size());
  EXPECT_EQ(after.events_rejected, 2 * changed.size());
  EXPECT_EQ(log_->Producer("p")->last_acknowledged_sequence, 1u);
  // The corrected batch can be sent again with the same sequence, and its new event is new.
  const AppendResult corrected =
      MustAppend(Batch("p", 2, {App("A-new", {2023, 1, 1}, 0, 0), original}));
  EXPECT_EQ(corrected.events_accepted, 1u);
  EXPECT_EQ(corrected.events_duplicate, 1u);
}

TEST_F(EventLogTest, IdsRepeatedWithinABatchFollowTheSameRules) {
  AppendResult result =
      MustAppend(Batch("p", 1,
                       {App("A-1", {2023, 3, 1}, 2, 3), App("A-1", {2023, 3, 1}, 2, 3),
                        Pay("P-1", 1, {2023, 3, 1}, 2, 3, 1)}));
  EXPECT_EQ(result.events_accepted, 2u);
  EXPECT_EQ(result.events_duplicate, 1u);
  ASSERT_EQ(ReadAll(*log_).size(), 1u);
  EXPECT_EQ(ReadAll(*log_)[0].applications.size(), 1u);

  std::vector<EventConflict> conflicts;
  absl::StatusOr<AppendResult> rejected = log_->Append(
      Batch("p", 2,
            {Pay("P-2", 1, {2023, 3, 1}, 2, 3, 1), Pay("P-3", 1, {2023, 3, 1}, 2, 3, 1),
             Pay("P-2", 1, {2023, 3, 1}, 2, 3, 2), App("A-2", {2023, 3, 1}, 2, 3),
             App("A-2", {2023, 3, 2}, 2, 3)}),
      &conflicts);
  ASSERT_TRUE(absl::IsAlreadyExists(rejected.status())) << rejected.status();
  EXPECT_EQ(rejected.status().message(),
            "events[2]: payment_id P-2 repeats events[0] with different content; events[4]: "
            "application_id A-2 repeats events[3] with different content");
  ASSERT_EQ(conflicts.size(), 2u);
  EXPECT_EQ(conflicts[0].repeats_index, 0u);
  EXPECT_EQ(conflicts[1].repeats_index, 3u);
  EXPECT_EQ(log_->last_sequence(), 1u);
  // None of the batch's ids was kept: a fresh batch with them is all new.
  result =
      MustAppend(Batch("p", 2,
                       {Pay("P-2", 1, {2023, 3, 1}, 2, 3, 2), Pay("P-3", 1, {2023, 3, 1}, 2, 3, 1),
                        App("A-2", {2023, 3, 2}, 2, 3)}));
  EXPECT_EQ(result.events_accepted, 3u);
}

TEST_F(EventLogTest, EveryConflictIsListedAndTheMessageIsCapped) {
  std::vector<LoggedEvent> original;
  std::vector<LoggedEvent> changed;
  for (int i = 0; i < 105; ++i) {
    original.push_back(App(absl::StrCat("A-", i), {2023, 1, 1}, 0, 0));
    changed.push_back(App(absl::StrCat("A-", i), {2023, 1, 2}, 0, 0));
  }
  MustAppend(Batch("p", 1, original));
  std::vector<EventConflict> conflicts;
  absl::StatusOr<AppendResult> result = log_->Append(Batch("p", 2, changed), &conflicts);
  ASSERT_TRUE(absl::IsAlreadyExists(result.status()));
  EXPECT_EQ(conflicts.size(), 105u);
  EXPECT_EQ(conflicts.back().event_index, 104u);
  const std::string message(result.status().message());
  EXPECT_THAT(message, HasSubstr("events[99]: application_id A-99 was already ingested"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("events[100]")));
  EXPECT_THAT(message, ::testing::EndsWith("; and 5 more"));
}

TEST_F(EventLogTest, InvalidRequestsAreRejectedWithoutWriting) {
  EXPECT_TRUE(absl::IsInvalidArgument(log_->Append(Batch("", 1, {})).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(log_->Append(Batch("p", 0, {})).status()));
  absl::StatusOr<AppendResult> bad_date = log_->Append(
      Batch("p", 1, {App("A-1", {2023, 1, 1}, 0, 0), App("A-2", {2023, 2, 30}, 0, 0)}));
  EXPECT_TRUE(absl::IsInvalidArgument(bad_date.status()));
  EXPECT_THAT(std::string(bad_date.status().message()), HasSubstr("events[1].authorized_on"));
  EXPECT_TRUE(absl::IsInvalidArgument(
      log_->Append(Batch("p", 1, {Pay("P-1", 1, {2023, 1, 1}, 300, 0, 0)})).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      log_->Append(Batch("p", 1, {Pay(std::string(65, 'x'), 1, {2023, 1, 1}, 0, 0, 0)})).status()));
  EXPECT_EQ(log_->last_sequence(), 0u);
  EXPECT_FALSE(log_->Producer("p").has_value());
  // The rejected events were not remembered.
  EXPECT_EQ(MustAppend(Batch("p", 1, {App("A-1", {2023, 1, 1}, 0, 0)})).events_accepted, 1u);
}

TEST_F(EventLogTest, RejectionsRecordedByTheServiceAreCounted) {
  log_->RecordRejected(7);
  log_->RecordRejected(3);
  log_->RecordRejectedFile(100);
  const LogStatus status = log_->Status();
  EXPECT_EQ(status.batches_rejected, 2u);
  EXPECT_EQ(status.events_rejected, 110u);
}

// A log over a store whose synced writes can be held under way (see FaultInjectingKvStore).
class PipelinedEventLogTest : public EventLogTest {
 protected:
  void SetUp() override {
    auto kv = storage::OpenRocksDb(dir_.path() + "/gated", EventLog::Columns());
    ASSERT_TRUE(kv.ok()) << kv.status();
    auto store = std::make_unique<testing::FaultInjectingKvStore>(std::move(*kv));
    store_ = store.get();
    auto log = EventLog::Open(std::move(store), clock_);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
  }
  // Appends on a thread of its own; the result is ready once the thread is joined. `planned`,
  // when given, is notified once the batch is planned (its admission is asked then, and the
  // log lets no other batch be planned before this one has its place in the write order).
  std::thread AppendAsync(IncomingBatch batch, absl::StatusOr<AppendResult>& result,
                          absl::Notification* planned = nullptr) {
    return std::thread([this, batch = std::move(batch), &result, planned] {
      result = log_->Append(batch, nullptr, [planned](uint64_t) {
        if (planned != nullptr && !planned->HasBeenNotified()) planned->Notify();
        return absl::OkStatus();
      });
    });
  }
  // Time for a thread to reach the point where it waits (planning a small batch takes
  // microseconds); a wrong order shows as a failed expectation, never as a hang.
  static void LetItRun() { std::this_thread::sleep_for(std::chrono::milliseconds(100)); }

  testing::FaultInjectingKvStore* store_ = nullptr;
};

TEST_F(PipelinedEventLogTest, ABatchPlannedDuringAnotherOnesWriteIsWrittenAfterIt) {
  store_->HoldSyncedWrites();
  absl::StatusOr<AppendResult> first, second;
  std::thread a = AppendAsync(
      Batch("p", 1, {Pay("P-1", 1, {2023, 5, 10}, 4, 2, 3), Pay("P-2", 2, {2023, 5, 10}, 4, 2, 3)}),
      first);
  store_->AwaitHeld(1);
  // Planned while the first batch's write is under way: P-1 is a duplicate of it.
  absl::Notification second_planned;
  std::thread b = AppendAsync(
      Batch("q", 1, {Pay("P-1", 1, {2023, 5, 10}, 4, 2, 3), Pay("P-3", 3, {2023, 6, 1}, 4, 2, 1)}),
      second, &second_planned);
  second_planned.WaitForNotification();
  LetItRun();
  // Nothing is visible before it is written, and the second batch waits for the first.
  EXPECT_EQ(log_->Status().last_log_sequence, 0u);
  EXPECT_EQ(log_->Status().events_accepted, 0u);
  store_->ReleaseHeld(/*fail=*/false);
  a.join();
  b.join();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->events_accepted, 2u);
  EXPECT_EQ(second->events_accepted, 1u);
  EXPECT_EQ(second->events_duplicate, 1u);
  EXPECT_EQ(first->log_sequence, 1u);
  EXPECT_EQ(second->log_sequence, 2u);
  const std::vector<LogEntry> entries = ReadAll(*log_);
  ASSERT_THAT(Sequences(entries), ElementsAre(1, 2));
  EXPECT_EQ(entries[0].payments.size(), 2u);
  ASSERT_EQ(entries[1].payments.size(), 1u);
  EXPECT_EQ(entries[1].payments[0].worker, Worker(3));
  const LogStatus status = log_->Status();
  EXPECT_EQ(status.events_accepted, 3u);
  EXPECT_EQ(status.events_duplicate, 1u);
  EXPECT_EQ(status.batches_accepted, 2u);
}

TEST_F(PipelinedEventLogTest, AFailedWriteUndoesTheBatchesPlannedOnItAndAResendWaitsForIt) {
  store_->HoldSyncedWrites();
  const IncomingBatch original =
      Batch("p", 1, {Pay("P-1", 1, {2023, 5, 10}, 4, 2, 3), Pay("P-2", 2, {2023, 5, 10}, 4, 2, 3)});
  const IncomingBatch other =
      Batch("q", 1, {Pay("P-1", 1, {2023, 5, 10}, 4, 2, 3), Pay("P-3", 3, {2023, 6, 1}, 4, 2, 1)});
  absl::StatusOr<AppendResult> first, second, resend;
  std::thread a = AppendAsync(original, first);
  store_->AwaitHeld(1);
  absl::Notification second_planned;  // takes P-1 for a duplicate of the first batch
  std::thread b = AppendAsync(other, second, &second_planned);
  second_planned.WaitForNotification();
  // The producer resends its batch while the first copy is being written: it must not be told
  // DUPLICATE for a write that may still fail.
  std::thread c = AppendAsync(original, resend);
  LetItRun();
  store_->ReleaseHeld(/*fail=*/true);
  a.join();
  b.join();
  c.join();
  EXPECT_TRUE(absl::IsInternal(first.status())) << first.status();
  // The second batch built on the failed one (P-1 a duplicate of it): refused, nothing kept,
  // with a code that says to resend.
  EXPECT_TRUE(absl::IsUnavailable(second.status())) << second.status();
  // The resend was planned again after the failure: its events are new, not duplicates.
  ASSERT_TRUE(resend.ok()) << resend.status();
  EXPECT_EQ(resend->outcome, AppendOutcome::kAccepted);
  EXPECT_EQ(resend->events_accepted, 2u);
  EXPECT_EQ(resend->log_sequence, 1u);
  // The refused batch, sent again, finds P-1 logged by the resend and P-3 still new.
  const AppendResult again = MustAppend(other);
  EXPECT_EQ(again.events_accepted, 1u);
  EXPECT_EQ(again.events_duplicate, 1u);
  EXPECT_EQ(again.log_sequence, 2u);

  const auto expect_log = [&](const EventLog& log) {
    const std::vector<LogEntry> entries = ReadAll(log);
    ASSERT_THAT(Sequences(entries), ElementsAre(1, 2));
    EXPECT_EQ(entries[0].payments.size(), 2u);
    EXPECT_EQ(entries[1].payments.size(), 1u);
    const LogStatus status = log.Status();
    EXPECT_EQ(status.last_log_sequence, 2u);
    EXPECT_EQ(status.events_accepted, 3u);
    EXPECT_EQ(status.events_duplicate, 1u);
  };
  expect_log(*log_);
  // And so after a restart: nothing of the failed or refused writes reached storage.
  log_.reset();
  auto kv = storage::OpenRocksDb(dir_.path() + "/gated", EventLog::Columns());
  ASSERT_TRUE(kv.ok()) << kv.status();
  auto reopened = EventLog::Open(std::move(*kv), clock_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  expect_log(**reopened);
}

TEST_F(PipelinedEventLogTest, AConflictWithABatchStillBeingWrittenWaitsForItsOutcome) {
  store_->HoldSyncedWrites();
  absl::StatusOr<AppendResult> first, second;
  std::thread a = AppendAsync(Batch("p", 1, {Pay("P-1", 1, {2023, 5, 10}, 4, 2, 3)}), first);
  store_->AwaitHeld(1);
  // P-1 with other content: a conflict only if the first batch is written.
  std::thread b = AppendAsync(Batch("q", 1, {Pay("P-1", 2, {2023, 5, 10}, 4, 2, 3)}), second);
  LetItRun();
  store_->ReleaseHeld(/*fail=*/true);
  a.join();
  b.join();
  EXPECT_FALSE(first.ok());
  // The first batch failed: P-1 was never logged, so the second one's is new.
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->events_accepted, 1u);
  const std::vector<LogEntry> entries = ReadAll(*log_);
  ASSERT_THAT(Sequences(entries), ElementsAre(1));
  ASSERT_EQ(entries[0].payments.size(), 1u);
  EXPECT_EQ(entries[0].payments[0].worker, Worker(2));
  // Once written, a conflict with it is refused as before.
  absl::StatusOr<AppendResult> again =
      log_->Append(Batch("p", 1, {Pay("P-1", 1, {2023, 5, 10}, 4, 2, 3)}));
  EXPECT_TRUE(absl::IsAlreadyExists(again.status())) << again.status();
}

TEST_F(EventLogTest, EveryBatchTheLogRefusesIsCountedAsRejected) {
  MustAppend(Batch("p", 1, {Pay("P-1", 1, {2023, 5, 10}, 4, 2, 3)}));
  // A conflict, an invalid request, then (after a restart) a storage failure.
  EXPECT_FALSE(log_->Append(Batch("p", 2, {Pay("P-1", 2, {2023, 5, 10}, 4, 2, 3)})).ok());
  EXPECT_FALSE(log_->Append(Batch("", 3, {Pay("P-2", 1, {2023, 5, 10}, 4, 2, 3)})).ok());
  EXPECT_EQ(log_->Status().batches_rejected, 2u);
  EXPECT_EQ(log_->Status().events_rejected, 2u);
  log_.reset();
  auto kv = storage::OpenRocksDb(dir_.path() + "/log", EventLog::Columns());
  ASSERT_TRUE(kv.ok());
  auto failing = std::make_unique<testing::FaultInjectingKvStore>(std::move(*kv));
  testing::FaultInjectingKvStore* store = failing.get();
  auto log = EventLog::Open(std::move(failing), clock_);
  ASSERT_TRUE(log.ok()) << log.status();
  store->set_fail_writes(true);
  EXPECT_FALSE((*log)
                   ->Append(Batch("p", 4,
                                  {Pay("P-3", 1, {2023, 5, 10}, 4, 2, 3),
                                   Pay("P-4", 1, {2023, 5, 10}, 4, 2, 3),
                                   Pay("P-5", 1, {2023, 5, 10}, 4, 2, 3)}))
                   .ok());
  EXPECT_EQ((*log)->Status().batches_rejected, 1u);  // since this process opened the log
  EXPECT_EQ((*log)->Status().events_rejected, 3u);
  EXPECT_EQ((*log)->Status().events_accepted, 1u);
}

TEST_F(EventLogTest, ReadEntriesRespectsAfterSequenceAndMaxEvents) {
  for (uint64_t s = 1; s <= 5; ++s) {
    std::vector<LoggedEvent> events;
    for (int i = 0; i < 3; ++i) {
      events.push_back(App(absl::StrCat("A-", s, "-", i), {2023, 1, 1}, 0, 0));
    }
    MustAppend(Batch("p", s, std::move(events)));
  }
  const auto read = [&](uint64_t after, size_t max_events) {
    std::vector<uint64_t> seen;
    absl::Status s = log_->ReadEntries(after, max_events, [&](const LogEntry& e) {
      seen.push_back(e.sequence);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
    return seen;
  };
  EXPECT_THAT(read(0, 100), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_THAT(read(2, 6), ElementsAre(3, 4));
  EXPECT_THAT(read(2, 8), ElementsAre(3, 4));
  // An entry larger than the limit is still delivered, alone, so a reader always progresses.
  EXPECT_THAT(read(2, 1), ElementsAre(3));
  EXPECT_THAT(read(4, 100), ElementsAre(5));
  EXPECT_THAT(read(5, 100), ElementsAre());
  EXPECT_THAT(read(99, 100), ElementsAre());

  std::vector<uint64_t> seen;
  ASSERT_TRUE(log_->ReadEntries(0, 100,
                                [&](const LogEntry& e) {
                                  seen.push_back(e.sequence);
                                  return e.sequence < 2;
                                })
                  .ok());
  EXPECT_THAT(seen, ElementsAre(1, 2));
}

TEST_F(EventLogTest, PublishedReportsInterleaveWithEventsInLogOrder) {
  MustAppend(Batch("p", 1, {App("A-1", {2023, 1, 1}, 0, 0)}));
  absl::StatusOr<PublishedAppendResult> published = log_->AppendPublishedReport(
      domain::Measure::kWorkers, {2023, 2022},
      {Cell(2022, 12, 19, 5, 321), Cell(2023, 1, 0, 0, 0), Cell(2023, 2, 3, 1, 1ull << 40)}, kSha1);
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_FALSE(published->unchanged);
  EXPECT_EQ(published->log_sequence, 2u);
  EXPECT_EQ(published->revision, 1u);
  EXPECT_EQ(published->cells_replaced, 0u);
  MustAppend(Batch("p", 2, {App("A-2", {2023, 1, 1}, 0, 0)}));

  const std::vector<LogEntry> entries = ReadAll(*log_);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].kind, EntryKind::kEvents);
  EXPECT_EQ(entries[2].kind, EntryKind::kEvents);
  const LogEntry& p = entries[1];
  EXPECT_EQ(p.kind, EntryKind::kPublished);
  EXPECT_EQ(p.sequence, 2u);
  EXPECT_EQ(p.measure, domain::Measure::kWorkers);
  EXPECT_THAT(p.years, ElementsAre(2022, 2023));
  EXPECT_EQ(p.sha256, kSha1);
  EXPECT_EQ(p.units(), 3u);
  ASSERT_EQ(p.cells.size(), 3u);
  EXPECT_EQ(p.cells[0].month, (domain::YearMonth{2022, 12}));
  EXPECT_EQ(p.cells[0].region, 19);
  EXPECT_EQ(p.cells[0].type, 5);
  EXPECT_EQ(p.cells[0].value, 321u);
  EXPECT_EQ(p.cells[2].value, 1ull << 40);
  EXPECT_TRUE(p.applications.empty());
  EXPECT_EQ(log_->Status().published_reports_imported, 1u);
}

TEST_F(EventLogTest, PublishedImportsAreRevisionsAndIdenticalReimportsChangeNothing) {
  using domain::Measure;
  ASSERT_TRUE(log_->AppendPublishedReport(Measure::kApplications, {2022},
                                          {Cell(2022, 1, 0, 0, 5), Cell(2022, 2, 0, 0, 6)}, kSha1)
                  .ok());
  // The same file again: unchanged, nothing logged.
  absl::StatusOr<PublishedAppendResult> again = log_->AppendPublishedReport(
      Measure::kApplications, {2022}, {Cell(2022, 1, 0, 0, 5), Cell(2022, 2, 0, 0, 6)}, kSha1);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->unchanged);
  EXPECT_EQ(again->revision, 1u);
  EXPECT_EQ(again->log_sequence, 0u);
  EXPECT_EQ(log_->last_sequence(), 1u);
  EXPECT_EQ(log_->Status().published_reports_imported, 1u);

  // A corrected file for the same year is revision 2 and replaces the two cells.
  absl::StatusOr<PublishedAppendResult> corrected =
      log_->AppendPublishedReport(Measure::kApplications, {2022}, {Cell(2022, 1, 0, 0, 7)}, kSha2);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  EXPECT_FALSE(corrected->unchanged);
  EXPECT_EQ(corrected->revision, 2u);
  EXPECT_EQ(corrected->cells_replaced, 2u);
  EXPECT_EQ(corrected->log_sequence, 2u);

  // Revisions count per measure.
  absl::StatusOr<PublishedAppendResult> workers =
      log_->AppendPublishedReport(Measure::kWorkers, {2022}, {Cell(2022, 1, 0, 0, 7)}, kSha2);
  ASSERT_TRUE(workers.ok());
  EXPECT_EQ(workers->revision, 1u);
  EXPECT_EQ(workers->cells_replaced, 0u);

  // A file covering 2022 and 2023 replaces 2022's cell; the earlier 2022-only file is then no
  // longer in force, so importing it again is a real change.
  absl::StatusOr<PublishedAppendResult> both = log_->AppendPublishedReport(
      Measure::kApplications, {2022, 2023}, {Cell(2023, 1, 0, 0, 1)}, kSha1);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->revision, 3u);
  EXPECT_EQ(both->cells_replaced, 1u);
  absl::StatusOr<PublishedAppendResult> back =
      log_->AppendPublishedReport(Measure::kApplications, {2022}, {Cell(2022, 1, 0, 0, 7)}, kSha2);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->unchanged);
  EXPECT_EQ(back->revision, 4u);

  const std::optional<PublishedImport> last = log_->LastPublishedImport(Measure::kApplications);
  ASSERT_TRUE(last.has_value());
  EXPECT_THAT(last->years, ElementsAre(2022));
  EXPECT_EQ(last->sha256, kSha2);
  EXPECT_EQ(last->revision, 4u);
  EXPECT_EQ(last->log_sequence, 5u);
  EXPECT_EQ(last->cells, 1u);
  EXPECT_FALSE(log_->LastPublishedImport(Measure::kBenefitMonths).has_value());
}

TEST_F(EventLogTest, PublishedReportsThatAggregationCouldNotApplyAreRejected) {
  using domain::Measure;
  const auto append = [&](std::vector<int> years, std::vector<facts::PublishedCell> cells,
                          std::string sha) {
    return log_
        ->AppendPublishedReport(Measure::kApplications, std::move(years), std::move(cells),
                                std::move(sha))
        .status();
  };
  EXPECT_TRUE(absl::IsInvalidArgument(append({}, {}, kSha1)));
  EXPECT_TRUE(absl::IsInvalidArgument(append({2022, 2022}, {}, kSha1)));
  EXPECT_TRUE(absl::IsInvalidArgument(append({2019}, {}, kSha1)));
  EXPECT_TRUE(absl::IsInvalidArgument(append({2022}, {Cell(2023, 1, 0, 0, 1)}, kSha1)));
  EXPECT_TRUE(absl::IsInvalidArgument(append({2022}, {Cell(2022, 13, 0, 0, 1)}, kSha1)));
  EXPECT_TRUE(absl::IsInvalidArgument(
      append({2022}, {Cell(2022, 1, 0, 0, 1), Cell(2022, 1, 0, 0, 2)}, kSha1)));
  EXPECT_TRUE(absl::IsInvalidArgument(append({2022}, {}, "ABC")));
  EXPECT_EQ(log_->last_sequence(), 0u);
  // A year listed without cells is valid: it clears that year's published cells.
  EXPECT_TRUE(append({2022}, {}, kSha1).ok());
}

TEST_F(EventLogTest, BacklogCountsEntriesAndEventsNotYetApplied) {
  MustAppend(Batch("p", 1, {App("A-1", {2023, 1, 1}, 0, 0), App("A-2", {2023, 1, 1}, 0, 0)}));
  ASSERT_TRUE(log_->AppendPublishedReport(
                      domain::Measure::kApplications, {2022},
                      {Cell(2022, 1, 0, 0, 5), Cell(2022, 2, 0, 0, 6), Cell(2022, 3, 0, 0, 6)},
                      kSha1)
                  .ok());
  MustAppend(Batch("p", 2, {Pay("P-1", 1, {2023, 1, 1}, 0, 0, 1)}));
  LogStatus status = log_->Status();
  EXPECT_EQ(status.last_log_sequence, 3u);
  EXPECT_EQ(status.applied_log_sequence, 0u);
  EXPECT_EQ(status.backlog_entries, 3u);
  EXPECT_EQ(status.backlog_events, 6u);
  EXPECT_EQ(status.last_applied_time, absl::InfinitePast());

  clock_.Advance(absl::Minutes(1));
  ASSERT_TRUE(log_->MarkApplied(2).ok());
  status = log_->Status();
  EXPECT_EQ(log_->applied_sequence(), 2u);
  EXPECT_EQ(status.backlog_entries, 1u);
  EXPECT_EQ(status.backlog_events, 1u);
  EXPECT_EQ(status.last_applied_time, absl::FromUnixSeconds(1700000060));

  // Late acknowledgements do not move the cursor back; the cursor cannot pass the log.
  ASSERT_TRUE(log_->MarkApplied(1).ok());
  EXPECT_EQ(log_->applied_sequence(), 2u);
  EXPECT_TRUE(absl::IsInvalidArgument(log_->MarkApplied(4)));

  // After a restart the backlog is the same, and entries written before it are still counted
  // right when they are applied.
  Open();
  status = log_->Status();
  EXPECT_EQ(status.applied_log_sequence, 2u);
  EXPECT_EQ(status.backlog_entries, 1u);
  EXPECT_EQ(status.backlog_events, 1u);
  EXPECT_EQ(status.last_applied_time, absl::FromUnixSeconds(1700000060));
  MustAppend(
      Batch("p", 3, {Pay("P-2", 1, {2023, 1, 1}, 0, 0, 1), Pay("P-3", 1, {2023, 1, 1}, 0, 0, 1)}));
  EXPECT_EQ(log_->Status().backlog_events, 3u);
  ASSERT_TRUE(log_->MarkApplied(3).ok());
  EXPECT_EQ(log_->Status().backlog_events, 2u);
  ASSERT_TRUE(log_->MarkApplied(4).ok());
  status = log_->Status();
  EXPECT_EQ(status.backlog_entries, 0u);
  EXPECT_EQ(status.backlog_events, 0u);
}

TEST_F(EventLogTest, RestartKeepsEntriesDeduplicationCountersProducersAndCursor) {
  MustAppend(Batch("p", 1, {App("A-1", {2023, 1, 1}, 0, 0), Pay("P-1", 1, {2023, 1, 2}, 1, 1, 2)}));
  MustAppend(Batch("q", 7, {App("A-1", {2023, 1, 1}, 0, 0), Pay("P-2", 2, {2023, 1, 3}, 1, 1, 0)}));
  ASSERT_TRUE(log_->AppendPublishedReport(domain::Measure::kBenefitMonths, {2021},
                                          {Cell(2021, 5, 2, 2, 9)}, kSha1)
                  .ok());
  ASSERT_TRUE(log_->AppendEventFile({App("A-9", {2023, 1, 1}, 0, 0)}).ok());
  ASSERT_TRUE(log_->MarkApplied(1).ok());
  const std::vector<LogEntry> entries_before = ReadAll(*log_);
  const LogStatus before = log_->Status();
  const std::vector<ProducerStatus> producers_before = log_->Producers("", 10);

  Open();

  const std::vector<LogEntry> entries_after = ReadAll(*log_);
  ASSERT_EQ(entries_after.size(), entries_before.size());
  for (size_t i = 0; i < entries_after.size(); ++i) {
    EXPECT_EQ(entries_after[i].sequence, entries_before[i].sequence);
    EXPECT_EQ(entries_after[i].units(), entries_before[i].units());
  }
  ExpectPayment(entries_after[0], 0, Pay("P-1", 1, {2023, 1, 2}, 1, 1, 2));
  const LogStatus after = log_->Status();
  EXPECT_EQ(after.events_accepted, before.events_accepted);
  EXPECT_EQ(after.events_duplicate, before.events_duplicate);
  EXPECT_EQ(after.batches_accepted, before.batches_accepted);
  EXPECT_EQ(after.published_reports_imported, 1u);
  EXPECT_EQ(after.raw_event_files_imported, 1u);
  EXPECT_EQ(after.last_log_sequence, 4u);
  EXPECT_EQ(after.applied_log_sequence, 1u);
  EXPECT_EQ(after.backlog_events, before.backlog_events);
  // Since-start counters start again.
  EXPECT_EQ(after.batches_duplicate, 0u);

  const std::vector<ProducerStatus> producers_after = log_->Producers("", 10);
  ASSERT_EQ(producers_after.size(), 2u);
  for (size_t i = 0; i < producers_after.size(); ++i) {
    EXPECT_EQ(producers_after[i].producer_id, producers_before[i].producer_id);
    EXPECT_EQ(producers_after[i].last_acknowledged_sequence,
              producers_before[i].last_acknowledged_sequence);
    EXPECT_EQ(producers_after[i].batches_accepted, producers_before[i].batches_accepted);
    EXPECT_EQ(producers_after[i].events_accepted, producers_before[i].events_accepted);
    EXPECT_EQ(producers_after[i].last_acknowledged_time,
              producers_before[i].last_acknowledged_time);
  }
  EXPECT_EQ(log_->Producers("p", 10).size(), 1u);
  EXPECT_EQ(log_->Producers("", 1)[0].producer_id, "p");

  // Deduplication survives: resent batches, resent events and conflicts are still recognised.
  EXPECT_EQ(MustAppend(Batch("q", 7, {})).outcome, AppendOutcome::kDuplicateBatch);
  AppendResult result =
      MustAppend(Batch("p", 2,
                       {Pay("P-2", 2, {2023, 1, 3}, 1, 1, 0), App("A-9", {2023, 1, 1}, 0, 0),
                        App("A-10", {2023, 1, 1}, 0, 0)}));
  EXPECT_EQ(result.events_duplicate, 2u);
  EXPECT_EQ(result.events_accepted, 1u);
  EXPECT_EQ(result.log_sequence, 5u);
  EXPECT_TRUE(absl::IsAlreadyExists(
      log_->Append(Batch("p", 3, {Pay("P-1", 1, {2023, 1, 2}, 1, 1, 3)})).status()));
  absl::StatusOr<PublishedAppendResult> republished = log_->AppendPublishedReport(
      domain::Measure::kBenefitMonths, {2021}, {Cell(2021, 5, 2, 2, 9)}, kSha1);
  ASSERT_TRUE(republished.ok());
  EXPECT_TRUE(republished->unchanged);
  EXPECT_EQ(republished->revision, 1u);
}

TEST_F(EventLogTest, RefusesAStoreWrittenInAnotherFormat) {
  log_.reset();
  {
    auto kv = storage::OpenRocksDb(dir_.path() + "/log", EventLog::Columns());
    ASSERT_TRUE(kv.ok()) << kv.status();
    storage::WriteBatch writes;
    writes.Put(/*column=*/2, "format", "99");
    ASSERT_TRUE((*kv)->Write(writes, storage::Durability::kSync).ok());
  }
  auto kv = storage::OpenRocksDb(dir_.path() + "/log", EventLog::Columns());
  ASSERT_TRUE(kv.ok()) << kv.status();
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(std::move(*kv), clock_);
  EXPECT_TRUE(absl::IsFailedPrecondition(log.status())) << log.status();
  EXPECT_THAT(std::string(log.status().message()), HasSubstr("format 99 is not supported"));
}

TEST_F(EventLogTest, EventFileIsLoggedAtomicallyInBoundedEntries) {
  std::vector<LoggedEvent> events;
  const size_t total = 2 * EventLog::kMaxEventsPerFileEntry + 5;
  for (size_t i = 0; i < total; ++i) {
    events.push_back(App(absl::StrCat("A-", i), {2023, 1, 1 + static_cast<int>(i % 28)}, 0, 0));
  }
  events.push_back(App("A-0", {2023, 1, 1}, 0, 0));  // repeated within the file
  absl::StatusOr<FileAppendResult> file = log_->AppendEventFile(events);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->first_log_sequence, 1u);
  EXPECT_EQ(file->last_log_sequence, 3u);
  EXPECT_EQ(file->events_accepted, total);
  EXPECT_EQ(file->events_duplicate, 1u);
  std::vector<size_t> sizes;
  for (const LogEntry& e : ReadAll(*log_)) sizes.push_back(e.units());
  EXPECT_THAT(sizes,
              ElementsAre(EventLog::kMaxEventsPerFileEntry, EventLog::kMaxEventsPerFileEntry, 5));

  // Re-importing is safe: everything is a duplicate and no entry is written.
  file = log_->AppendEventFile(events);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->events_accepted, 0u);
  EXPECT_EQ(file->first_log_sequence, 0u);
  EXPECT_EQ(log_->Status().raw_event_files_imported, 2u);

  // A file with one conflict is rejected whole.
  events.push_back(App("A-new", {2023, 1, 1}, 0, 0));
  events.push_back(App("A-7", {2023, 2, 1}, 0, 0));
  std::vector<EventConflict> conflicts;
  file = log_->AppendEventFile(events, &conflicts);
  EXPECT_TRUE(absl::IsAlreadyExists(file.status()));
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].event_index, events.size() - 1);
  EXPECT_EQ(log_->last_sequence(), 3u);
  EXPECT_EQ(log_->Status().raw_event_files_imported, 2u);
  EXPECT_EQ(log_->Status().events_rejected, events.size());
}

// Stages `events` as a file whose data starts at line 2, then commits it.
absl::StatusOr<FileAppendResult> StageAndCommit(EventLog& log,
                                                const std::vector<LoggedEvent>& events,
                                                std::vector<EventConflict>* conflicts = nullptr) {
  std::unique_ptr<EventLog::FileStage> stage = log.StartFileStage();
  for (size_t i = 0; i < events.size(); ++i) {
    if (absl::Status s = stage->Add(events[i], static_cast<int64_t>(i) + 2); !s.ok()) return s;
  }
  return log.CommitFileStage(*stage, conflicts);
}

std::vector<LoggedEvent> PaymentFile(size_t n, int month = 1) {
  std::vector<LoggedEvent> events;
  events.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    events.push_back(Pay(absl::StrCat("P-", i), static_cast<int>(i % 5000),
                         {2023, month, 1 + static_cast<int>(i % 28)}, static_cast<int>(i % 21),
                         static_cast<int>(i % 3), 1 + static_cast<uint32_t>(i % 12)));
  }
  return events;
}

// Keys of a column of a closed log's store.
size_t KeysIn(const std::string& path, int column) {
  auto kv = storage::OpenRocksDb(path, EventLog::Columns());
  EXPECT_TRUE(kv.ok()) << kv.status();
  if (!kv.ok()) return 0;
  size_t keys = 0;
  EXPECT_TRUE((*kv)
                  ->Scan(column, "", "",
                         [&](std::string_view, std::string_view) {
                           ++keys;
                           return true;
                         })
                  .ok());
  return keys;
}

void ExpectSameLog(const EventLog& expected, const EventLog& actual) {
  const LogStatus a = expected.Status();
  const LogStatus b = actual.Status();
  EXPECT_EQ(b.last_log_sequence, a.last_log_sequence);
  EXPECT_EQ(b.events_accepted, a.events_accepted);
  EXPECT_EQ(b.events_duplicate, a.events_duplicate);
  EXPECT_EQ(b.events_rejected, a.events_rejected);
  EXPECT_EQ(b.raw_event_files_imported, a.raw_event_files_imported);
  EXPECT_EQ(b.backlog_events, a.backlog_events);
  const std::vector<LogEntry> x = ReadAll(expected);
  const std::vector<LogEntry> y = ReadAll(actual);
  ASSERT_EQ(x.size(), y.size());
  for (size_t e = 0; e < x.size(); ++e) {
    SCOPED_TRACE(e);
    EXPECT_EQ(y[e].sequence, x[e].sequence);
    EXPECT_EQ(y[e].application_days, x[e].application_days);
    EXPECT_EQ(y[e].payment_days, x[e].payment_days);
    ASSERT_EQ(y[e].applications.size(), x[e].applications.size());
    for (size_t i = 0; i < x[e].applications.size(); ++i) {
      const facts::ApplicationFact& want = x[e].applications[i];
      const facts::ApplicationFact& got = y[e].applications[i];
      EXPECT_TRUE(got.month == want.month && got.region == want.region && got.type == want.type)
          << i;
    }
    ASSERT_EQ(y[e].payments.size(), x[e].payments.size());
    for (size_t i = 0; i < x[e].payments.size(); ++i) {
      const facts::PaymentFact& want = x[e].payments[i];
      const facts::PaymentFact& got = y[e].payments[i];
      EXPECT_TRUE(got.month == want.month && got.region == want.region && got.type == want.type &&
                  got.worker == want.worker && got.months_covered == want.months_covered)
          << i;
    }
  }
}

TEST_F(EventLogTest, AStagedFileIsLoggedExactlyAsTheSameFileInMemory) {
  // A file with new events, events logged before by a batch, and repeats within itself, spread
  // over several chunks and entries.
  std::vector<LoggedEvent> file = PaymentFile(2 * EventLog::kMaxEventsPerFileEntry + 7);
  file.push_back(file[3]);
  file.push_back(file[EventLog::kMaxEventsPerFileEntry + 1]);
  const IncomingBatch earlier =
      Batch("p", 1, {file[5], file[15000], Pay("P-x", 1, {2023, 2, 2}, 1, 1, 1)});

  auto kv = storage::OpenRocksDb(dir_.path() + "/in_memory", EventLog::Columns());
  ASSERT_TRUE(kv.ok());
  auto in_memory = EventLog::Open(std::move(*kv), clock_);
  ASSERT_TRUE(in_memory.ok());
  ASSERT_TRUE((*in_memory)->Append(earlier).ok());
  MustAppend(earlier);

  absl::StatusOr<FileAppendResult> expected = (*in_memory)->AppendEventFile(file);
  absl::StatusOr<FileAppendResult> staged = StageAndCommit(*log_, file);
  ASSERT_TRUE(expected.ok()) << expected.status();
  ASSERT_TRUE(staged.ok()) << staged.status();
  EXPECT_EQ(staged->first_log_sequence, expected->first_log_sequence);
  EXPECT_EQ(staged->last_log_sequence, expected->last_log_sequence);
  EXPECT_EQ(staged->events_accepted, expected->events_accepted);
  EXPECT_EQ(staged->events_duplicate, expected->events_duplicate);
  EXPECT_EQ(staged->events_accepted, file.size() - 4);
  ExpectSameLog(**in_memory, *log_);

  // After a restart too, and a second import of the file is all duplicates in both.
  Open();
  ExpectSameLog(**in_memory, *log_);
  staged = StageAndCommit(*log_, file);
  ASSERT_TRUE(staged.ok()) << staged.status();
  EXPECT_EQ(staged->events_accepted, 0u);
  EXPECT_EQ(staged->events_duplicate, file.size());
  EXPECT_EQ(staged->first_log_sequence, 0u);
  ASSERT_TRUE((*in_memory)->AppendEventFile(file).ok());
  ExpectSameLog(**in_memory, *log_);
}

TEST_F(EventLogTest, AStagedFileWithAConflictInItsLastChunkLeavesNoTrace) {
  MustAppend(Batch("p", 1, {Pay("P-logged", 1, {2023, 5, 10}, 4, 2, 3)}));
  const LogStatus before = log_->Status();
  std::vector<LoggedEvent> file = PaymentFile(3 * EventLog::kMaxEventsPerFileEntry + 5);
  const size_t repeat = file.size();
  file.push_back(Pay("P-7", 9, {2023, 1, 8}, 0, 0, 1));  // P-7 with other content
  const size_t against_log = file.size();
  file.push_back(Pay("P-logged", 1, {2023, 5, 11}, 4, 2, 3));

  std::vector<EventConflict> conflicts;
  absl::StatusOr<FileAppendResult> result = StageAndCommit(*log_, file, &conflicts);
  ASSERT_TRUE(absl::IsAlreadyExists(result.status())) << result.status();
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr(absl::StrCat("events[", repeat, "] (line ", repeat + 2,
                                     "): payment_id P-7 repeats events[7] (line 9) with "
                                     "different content")));
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr(absl::StrCat("events[", against_log, "] (line ", against_log + 2,
                                     "): payment_id P-logged was already ingested")));
  ASSERT_EQ(conflicts.size(), 2u);
  EXPECT_EQ(conflicts[0].repeats_index, std::optional<size_t>(7));
  EXPECT_FALSE(conflicts[1].repeats_index.has_value());

  // No entry, no counter; the ids the file would have logged are free again.
  EXPECT_EQ(log_->last_sequence(), before.last_log_sequence);
  EXPECT_EQ(log_->Status().events_accepted, before.events_accepted);
  EXPECT_EQ(log_->Status().raw_event_files_imported, 0u);
  EXPECT_EQ(log_->Status().events_rejected, file.size());
  EXPECT_EQ(ReadAll(*log_).size(), 1u);
  file.pop_back();
  file.pop_back();
  result = StageAndCommit(*log_, file);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->events_accepted, file.size());
  EXPECT_EQ(result->first_log_sequence, 2u);
  EXPECT_EQ(result->last_log_sequence, 5u);

  // Nothing of the failed commit (entries, stage) is left in storage either.
  log_.reset();
  EXPECT_EQ(KeysIn(dir_.path() + "/log", 0), 5u);
  EXPECT_EQ(KeysIn(dir_.path() + "/log", 1), 5u);
  EXPECT_EQ(KeysIn(dir_.path() + "/log", 3), 0u);
}

TEST_F(EventLogTest, ACrashBeforeAStagedFilesFinalWriteLeavesTheLogAsBefore) {
  MustAppend(Batch("p", 1, {Pay("P-logged", 1, {2023, 5, 10}, 4, 2, 3)}));
  log_.reset();
  auto kv = storage::OpenRocksDb(dir_.path() + "/log", EventLog::Columns());
  ASSERT_TRUE(kv.ok());
  auto crashing = std::make_unique<testing::FaultInjectingKvStore>(std::move(*kv));
  testing::FaultInjectingKvStore* store = crashing.get();
  auto log = EventLog::Open(std::move(crashing), clock_);
  ASSERT_TRUE(log.ok()) << log.status();
  const LogStatus before = (*log)->Status();

  // Large enough that entry batches reach the store before the final write.
  const std::vector<LoggedEvent> file = PaymentFile(200000);
  store->fail_from_next_sync();
  absl::StatusOr<FileAppendResult> result = StageAndCommit(**log, file);
  EXPECT_TRUE(absl::IsUnavailable(result.status())) << result.status();
  log->reset();
  ASSERT_GT(KeysIn(dir_.path() + "/log", 0), 1u) << "the crash came after entry batches";
  EXPECT_GT(KeysIn(dir_.path() + "/log", 3), 0u) << "the crash left the stage";

  // Reopened: the unacknowledged entries and the stage are gone, and the file imports anew.
  Open();
  EXPECT_EQ(log_->Status().last_log_sequence, before.last_log_sequence);
  EXPECT_EQ(log_->Status().events_accepted, before.events_accepted);
  EXPECT_EQ(log_->Status().raw_event_files_imported, 0u);
  EXPECT_EQ(ReadAll(*log_).size(), 1u);
  log_.reset();
  EXPECT_EQ(KeysIn(dir_.path() + "/log", 0), 1u);
  EXPECT_EQ(KeysIn(dir_.path() + "/log", 1), 1u);
  EXPECT_EQ(KeysIn(dir_.path() + "/log", 3), 0u);
  Open();
  result = StageAndCommit(*log_, file);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->events_accepted, file.size());
  EXPECT_EQ(result->first_log_sequence, 2u);
}

TEST_F(EventLogTest, AnAbandonedStageIsDeletedAndOneLeftByACrashIsDeletedAtOpen) {
  const std::vector<LoggedEvent> file = PaymentFile(EventLog::kMaxEventsPerFileEntry + 1);
  {
    std::unique_ptr<EventLog::FileStage> stage = log_->StartFileStage();
    for (size_t i = 0; i < file.size(); ++i) ASSERT_TRUE(stage->Add(file[i], i + 2).ok());
  }  // abandoned: a cancelled or failed upload
  log_.reset();
  EXPECT_EQ(KeysIn(dir_.path() + "/log", 3), 0u);

  auto kv = storage::OpenRocksDb(dir_.path() + "/log", EventLog::Columns());
  ASSERT_TRUE(kv.ok());
  auto crashing = std::make_unique<testing::FaultInjectingKvStore>(std::move(*kv));
  testing::FaultInjectingKvStore* store = crashing.get();
  auto log = EventLog::Open(std::move(crashing), clock_);
  ASSERT_TRUE(log.ok());
  {
    std::unique_ptr<EventLog::FileStage> stage = (*log)->StartFileStage();
    for (size_t i = 0; i < file.size(); ++i) ASSERT_TRUE(stage->Add(file[i], i + 2).ok());
    store->set_fail_writes(true);  // the process dies with its stage on disk
  }
  log->reset();
  EXPECT_EQ(KeysIn(dir_.path() + "/log", 3), 1u);
  Open();
  log_.reset();
  EXPECT_EQ(KeysIn(dir_.path() + "/log", 3), 0u);
}

TEST_F(EventLogTest, AStagedEventTheLogCannotEncodeIsRejected) {
  std::unique_ptr<EventLog::FileStage> stage = log_->StartFileStage();
  ASSERT_TRUE(stage->Add(App("A-1", {2023, 1, 1}, 0, 0), 2).ok());
  absl::Status bad = stage->Add(App("A-2", {2023, 1, 1}, 300, 0), 3);
  EXPECT_TRUE(absl::IsInvalidArgument(bad)) << bad;
  EXPECT_THAT(std::string(bad.message()), HasSubstr("events[1].region"));
}

TEST_F(EventLogTest, ReadersRunConcurrentlyWithAppends) {
  constexpr uint64_t kBatches = 200;
  std::atomic<bool> done{false};
  std::atomic<bool> ordered{true};
  std::thread forwarder([&] {
    uint64_t applied = 0;
    while (!done.load() || applied < log_->last_sequence()) {
      absl::Status s = log_->ReadEntries(applied, 50, [&](const LogEntry& e) {
        if (e.sequence != applied + 1 || e.units() != 2) ordered = false;
        applied = e.sequence;
        return true;
      });
      if (!s.ok() || !log_->MarkApplied(applied).ok()) ordered = false;
      (void)log_->Status();
    }
  });
  for (uint64_t s = 1; s <= kBatches; ++s) {
    MustAppend(Batch("p", s,
                     {App(absl::StrCat("A-", s), {2023, 1, 1}, 0, 0),
                      Pay(absl::StrCat("P-", s), 1, {2023, 1, 1}, 0, 0, 1)}));
  }
  done = true;
  forwarder.join();
  EXPECT_TRUE(ordered.load());
  EXPECT_EQ(log_->applied_sequence(), kBatches);
  EXPECT_EQ(log_->Status().backlog_events, 0u);
}

// Throughput and memory at the benchmark's scale (11 million events: 10 M payments, 1 M
// applications, 1 M workers, batches of 10000). Run by hand:
//   ingest_event_log_test --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'
size_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

TEST_F(EventLogTest, DISABLED_Throughput) {
  // OMNIA_BENCH_EVENTS scales the run down, e.g. for profiling.
  const char* scale = std::getenv("OMNIA_BENCH_EVENTS");
  const size_t kTotal = scale != nullptr ? std::stoull(scale) : 11'000'000;
  constexpr size_t kBatchSize = 10'000;
  std::mt19937_64 rng(42);
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const auto make_batch = [&](uint64_t sequence, size_t first) {
    IncomingBatch batch;
    batch.producer_id = "bench";
    batch.sequence = sequence;
    batch.events.reserve(kBatchSize);
    for (size_t i = first; i < std::min(kTotal, first + kBatchSize); ++i) {
      const domain::Date date{pick(2020, 2025), pick(1, 12), pick(1, 28)};
      // Every 11th event is an application, as in the benchmark's mix.
      if (i % 11 == 10) {
        batch.events.push_back(App(absl::StrCat("A-", i), date, pick(0, 19), pick(0, 5)));
      } else {
        batch.events.push_back(Pay(absl::StrCat("P-", i), pick(0, 999'999), date, pick(0, 19),
                                   pick(0, 5), static_cast<uint32_t>(pick(0, 3))));
      }
    }
    return batch;
  };
  using Seconds = std::chrono::duration<double>;
  const auto now = [] { return std::chrono::steady_clock::now(); };

  const size_t rss_start = ResidentBytes();
  double append_seconds = 0;
  uint64_t sequence = 0;
  for (size_t first = 0; first < kTotal; first += kBatchSize) {
    const IncomingBatch batch = make_batch(++sequence, first);  // generation is not timed
    const auto start = now();
    ASSERT_TRUE(log_->Append(batch).ok());
    append_seconds += Seconds(now() - start).count();
  }
  const size_t rss_loaded = ResidentBytes();
  std::printf("append: %zu events in %.2f s = %.2f M events/s (batches of %zu, synced)\n", kTotal,
              append_seconds, kTotal / append_seconds / 1e6, kBatchSize);
  std::printf("index: %.1f MiB = %.1f bytes/id; RSS %.0f -> %.0f MiB\n",
              log_->IndexMemoryBytes() / 1048576.0,
              static_cast<double>(log_->IndexMemoryBytes()) / kTotal, rss_start / 1048576.0,
              rss_loaded / 1048576.0);

  // Re-sending everything: every event is a duplicate.
  rng.seed(42);
  double duplicate_seconds = 0;
  for (size_t first = 0; first < kTotal; first += kBatchSize) {
    const IncomingBatch batch = make_batch(++sequence, first);
    const auto start = now();
    absl::StatusOr<AppendResult> result = log_->Append(batch);
    duplicate_seconds += Seconds(now() - start).count();
    ASSERT_TRUE(result.ok());
    ASSERT_EQ(result->events_accepted, 0u);
  }
  std::printf("duplicates: %zu events in %.2f s = %.2f M events/s\n", kTotal, duplicate_seconds,
              kTotal / duplicate_seconds / 1e6);

  auto start = now();
  uint64_t events = 0;
  ASSERT_TRUE(log_->ReadEntries(0, std::numeric_limits<size_t>::max(),
                                [&](const LogEntry& e) {
                                  events += e.units();
                                  return true;
                                })
                  .ok());
  const double read_seconds = Seconds(now() - start).count();
  ASSERT_EQ(events, kTotal);
  std::printf("read+decode: %.2f s = %.2f M events/s\n", read_seconds, kTotal / read_seconds / 1e6);

  start = now();
  Open();
  const double open_seconds = Seconds(now() - start).count();
  uint64_t disk = 0;
  for (const auto& file : std::filesystem::recursive_directory_iterator(dir_.path())) {
    if (file.is_regular_file()) disk += file.file_size();
  }
  std::printf("reopen (index rebuild): %.2f s; RSS after %.0f MiB; disk %.0f MiB\n", open_seconds,
              ResidentBytes() / 1048576.0, disk / 1048576.0);
}

}  // namespace
}  // namespace omnia::ingest

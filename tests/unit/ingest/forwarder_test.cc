// The forwarder against an in-memory aggregation that keeps its position the way the real one
// does (exactly once by sequence, compare-and-set on the previous sequence): it resumes from
// aggregation's position, applies every logged event exactly once across failures and lost
// answers, rebuilds its position when aggregation's differs, and stops, sending nothing, when
// aggregation claims more than the log holds. Rounds are driven directly: no thread, no sleep.
#include "libs/ingest/forwarder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/storage/memory_store.h"

namespace omnia::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kProducer[] = "ingestion-test";

// One write as aggregation received it.
struct Received {
  std::optional<uint64_t> previous_sequence;
  uint64_t sequence = 0;
  bool applied = false;
  friend bool operator==(const Received&, const Received&) = default;
};

// Aggregation's bookkeeping for the forwarder's producer, in memory. Its state is what the real
// service keeps durably, so a "restart" is a stretch of failed calls around an unchanged state.
class FakeAggregation final : public AggregationSink {
 public:
  absl::StatusOr<uint64_t> Apply(const facts::FactBatch& batch) override {
    EXPECT_EQ(batch.producer, kProducer);
    return Write(batch.sequence, batch.previous_sequence,
                 batch.applications.size() + batch.payments.size());
  }
  absl::StatusOr<uint64_t> ReplacePublished(const std::string& producer, uint64_t previous_sequence,
                                            const LogEntry& published_entry) override {
    EXPECT_EQ(producer, kProducer);
    return Write(published_entry.sequence, previous_sequence, published_entry.cells.size());
  }
  absl::StatusOr<uint64_t> LastApplied(const std::string& producer) override {
    EXPECT_EQ(producer, kProducer);
    ++position_reads;
    if (down) return absl::UnavailableError("aggregation is restarting");
    return last_applied;
  }
  absl::StatusOr<RebuildSummary> Rebuild(const EventLog& log, const std::string& producer,
                                         absl::Duration) override {
    EXPECT_EQ(producer, kProducer);
    if (!on_rebuild) return absl::UnimplementedError("no rebuild expected");
    return on_rebuild(log);
  }

  // What Rebuild does; unset: UNIMPLEMENTED.
  std::function<absl::StatusOr<RebuildSummary>(const EventLog&)> on_rebuild;
  uint64_t last_applied = 0;
  uint64_t units_applied = 0;
  std::vector<Received> received;
  int position_reads = 0;
  // Every call fails while true.
  bool down = false;
  // The next write is applied but its answer is lost (aggregation crashed right after it).
  bool lose_next_answer = false;

 private:
  absl::StatusOr<uint64_t> Write(uint64_t sequence, std::optional<uint64_t> previous,
                                 uint64_t units) {
    if (down) return absl::UnavailableError("aggregation is restarting");
    Received r{previous, sequence, false};
    if (sequence <= last_applied) {  // a duplicate
      received.push_back(r);
      return last_applied;
    }
    if (previous.has_value() && *previous != last_applied) {
      received.push_back(r);
      return absl::AbortedError(absl::StrCat("previous_sequence ", *previous,
                                             " does not match the last applied sequence ",
                                             last_applied));
    }
    r.applied = true;
    received.push_back(r);
    last_applied = sequence;
    units_applied += units;
    if (lose_next_answer) {
      lose_next_answer = false;
      return absl::UnavailableError("connection reset");
    }
    return last_applied;
  }
};

class ForwarderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = EventLog::Open(storage::NewMemoryKvStore(EventLog::Columns()), clock_);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    options_.producer_id = kProducer;
    options_.initial_backoff = absl::Milliseconds(50);
    options_.max_backoff = absl::Milliseconds(200);
    options_.idle_poll = absl::Seconds(1);
    options_.log_error = [this](const std::string& line) { logged_.push_back(line); };
    forwarder_ = std::make_unique<Forwarder>(*log_, aggregation_, options_);
  }

  // Logs one entry of `events` applications (a producer batch of its own).
  void LogEntryOf(int events) {
    IncomingBatch batch{"producer-a", ++producer_sequence_, {}};
    for (int i = 0; i < events; ++i) {
      batch.events.push_back(LoggedApplication{absl::StrCat("A", ++event_id_),
                                               domain::Date{2023, 3, 1 + i % 28}, i % 20, 0});
    }
    absl::StatusOr<AppendResult> appended = log_->Append(batch);
    ASSERT_TRUE(appended.ok()) << appended.status();
  }

  // Logs a published report of `cells` cells of one year.
  void LogPublished(int cells) {
    std::vector<facts::PublishedCell> report;
    for (int i = 0; i < cells; ++i)
      report.push_back({domain::YearMonth{2022, 1 + i % 12}, i % 20, 0, 1});
    absl::StatusOr<PublishedAppendResult> appended =
        log_->AppendPublishedReport(domain::Measure::kApplications, {2022}, std::move(report),
                                    std::string(64, 'a' + cells % 6));
    ASSERT_TRUE(appended.ok()) << appended.status();
  }

  FakeClock clock_{absl::FromUnixSeconds(1700000000)};
  std::unique_ptr<EventLog> log_;
  FakeAggregation aggregation_;
  ForwarderOptions options_;
  std::vector<std::string> logged_;
  std::unique_ptr<Forwarder> forwarder_;
  uint64_t producer_sequence_ = 0;
  int event_id_ = 0;
};

TEST_F(ForwarderTest, ResumesFromAggregationsPositionNotFromTheLogsCursor) {
  for (int i = 0; i < 5; ++i) LogEntryOf(2);
  aggregation_.last_applied = 3;  // entries 1..3 are already in the cubes

  EXPECT_EQ(forwarder_->ForwardOnce(), absl::ZeroDuration());
  // Entries 4 and 5 in one request named by the last, built on position 3.
  EXPECT_THAT(aggregation_.received, ElementsAre(Received{3, 5, true}));
  EXPECT_EQ(aggregation_.units_applied, 4u);
  EXPECT_EQ(log_->applied_sequence(), 5u);
  EXPECT_TRUE(forwarder_->aggregation_reachable());

  EXPECT_EQ(forwarder_->ForwardOnce(), options_.idle_poll);  // nothing left
  EXPECT_EQ(aggregation_.received.size(), 1u);
  EXPECT_EQ(aggregation_.position_reads, 1);  // the position is read once, then kept
}

TEST_F(ForwarderTest, AppliesEveryEntryExactlyOnceAcrossAnAggregationRestart) {
  LogEntryOf(1);
  LogEntryOf(1);
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::ZeroDuration());
  EXPECT_EQ(aggregation_.last_applied, 2u);

  // Aggregation applies entries 3..4 and crashes before answering, then stays down a while.
  LogEntryOf(3);
  LogEntryOf(3);
  aggregation_.lose_next_answer = true;
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::Milliseconds(50));
  EXPECT_FALSE(forwarder_->aggregation_reachable());
  aggregation_.down = true;
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::Milliseconds(100));  // the backoff doubles
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::Milliseconds(200));
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::Milliseconds(200));  // capped

  aggregation_.down = false;
  LogEntryOf(4);
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::ZeroDuration());
  EXPECT_TRUE(forwarder_->aggregation_reachable());
  EXPECT_EQ(forwarder_->ForwardOnce(), options_.idle_poll);

  // Entries 3..4 were not sent again: the position was re-read after the failure.
  EXPECT_THAT(aggregation_.received,
              ElementsAre(Received{0, 2, true}, Received{2, 4, true}, Received{4, 5, true}));
  EXPECT_EQ(aggregation_.units_applied, 1u + 1u + 3u + 3u + 4u);
  EXPECT_EQ(log_->applied_sequence(), 5u);
}

TEST_F(ForwarderTest, APositionMismatchIsReReadAndForwardingResumesFromThere) {
  LogEntryOf(1);
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::ZeroDuration());
  LogEntryOf(2);
  LogEntryOf(4);
  // Aggregation moved to entry 2 behind the forwarder's back (e.g. a rebuild that replayed it):
  // resending 2..3 as one request named 3 would count entry 2 twice.
  aggregation_.last_applied = 2;
  aggregation_.units_applied += 2;

  EXPECT_EQ(forwarder_->ForwardOnce(), absl::ZeroDuration());  // refused: re-read at once
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::ZeroDuration());
  EXPECT_THAT(aggregation_.received,
              ElementsAre(Received{0, 1, true}, Received{1, 3, false}, Received{2, 3, true}));
  EXPECT_EQ(aggregation_.units_applied, 1u + 2u + 4u);

  // Aggregation lost entries 2..3 (restored from an old copy): they are sent again.
  aggregation_.last_applied = 1;
  aggregation_.units_applied = 1;
  LogEntryOf(1);
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::ZeroDuration());  // refused
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::ZeroDuration());
  EXPECT_EQ(aggregation_.received.back(), (Received{1, 4, true}));
  EXPECT_EQ(aggregation_.units_applied, 1u + 2u + 4u + 1u);
}

TEST_F(ForwarderTest, CoalescesWholeEntriesUpToTheRequestLimit) {
  options_.max_events_per_request = 5;
  Forwarder forwarder(*log_, aggregation_, options_);
  LogEntryOf(2);
  LogEntryOf(2);
  LogEntryOf(2);
  EXPECT_EQ(forwarder.ForwardOnce(), absl::ZeroDuration());
  EXPECT_EQ(forwarder.ForwardOnce(), absl::ZeroDuration());
  EXPECT_EQ(forwarder.ForwardOnce(), options_.idle_poll);
  // Entries 1..2 (4 events) fill the first request: a third would pass 5 and is never split.
  EXPECT_THAT(aggregation_.received, ElementsAre(Received{0, 2, true}, Received{2, 3, true}));
  EXPECT_EQ(aggregation_.units_applied, 6u);
}

TEST_F(ForwarderTest, APublishedReportTravelsAloneBetweenEventRequests) {
  LogEntryOf(1);
  LogPublished(3);
  LogEntryOf(2);
  LogEntryOf(2);
  while (forwarder_->ForwardOnce() == absl::ZeroDuration()) {
  }
  EXPECT_THAT(aggregation_.received,
              ElementsAre(Received{0, 1, true}, Received{1, 2, true}, Received{2, 4, true}));
  EXPECT_EQ(aggregation_.units_applied, 1u + 3u + 4u);
  EXPECT_EQ(log_->applied_sequence(), 4u);
}

TEST_F(ForwarderTest, TheBackoffStartsOverAfterASuccess) {
  LogEntryOf(1);
  aggregation_.down = true;
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::Milliseconds(50));
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::Milliseconds(100));
  aggregation_.down = false;
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::ZeroDuration());
  LogEntryOf(1);
  aggregation_.down = true;
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::Milliseconds(50));
}

TEST_F(ForwarderTest, RepeatedMismatchesBackOff) {
  // An aggregation that answers one position and refuses it: never a tight loop.
  class Disagreeing final : public AggregationSink {
   public:
    absl::StatusOr<uint64_t> Apply(const facts::FactBatch&) override {
      return absl::AbortedError("mismatch");
    }
    absl::StatusOr<uint64_t> ReplacePublished(const std::string&, uint64_t,
                                              const LogEntry&) override {
      return absl::AbortedError("mismatch");
    }
    absl::StatusOr<uint64_t> LastApplied(const std::string&) override { return 0; }
    absl::StatusOr<RebuildSummary> Rebuild(const EventLog&, const std::string&,
                                           absl::Duration) override {
      return absl::UnimplementedError("the forwarder never rebuilds");
    }
  } sink;
  LogEntryOf(1);
  Forwarder forwarder(*log_, sink, options_);
  EXPECT_EQ(forwarder.ForwardOnce(), absl::ZeroDuration());
  EXPECT_EQ(forwarder.ForwardOnce(), absl::Milliseconds(50));
  EXPECT_EQ(forwarder.ForwardOnce(), absl::Milliseconds(100));
}

TEST_F(ForwarderTest, AggregationAheadOfTheLogStopsForwardingAndSendsNothing) {
  LogEntryOf(1);
  LogEntryOf(1);
  // A forged write claimed every sequence of the forwarder's producer.
  aggregation_.last_applied = std::numeric_limits<uint64_t>::max();

  EXPECT_EQ(forwarder_->ForwardOnce(), absl::InfiniteDuration());
  EXPECT_THAT(forwarder_->forwarding_error(), HasSubstr("beyond the last log entry 2"));
  ASSERT_EQ(logged_.size(), 1u);
  EXPECT_EQ(logged_[0], forwarder_->forwarding_error());
  forwarder_->Notify();
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::InfiniteDuration());
  EXPECT_THAT(aggregation_.received, IsEmpty());
  EXPECT_EQ(log_->applied_sequence(), 0u);  // nothing is marked applied that was not sent

  // A rebuild replaced the cubes with the log's content; Resume() restarts forwarding.
  aggregation_.last_applied = 2;
  forwarder_->Pause();
  forwarder_->Resume();
  EXPECT_THAT(forwarder_->forwarding_error(), IsEmpty());
  EXPECT_EQ(forwarder_->ForwardOnce(), options_.idle_poll);
  EXPECT_EQ(log_->applied_sequence(), 2u);
}

TEST_F(ForwarderTest, AnAnswerBeyondTheLogStopsForwarding) {
  LogEntryOf(1);
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::ZeroDuration());
  LogEntryOf(1);
  aggregation_.last_applied = 1000;  // moved on by someone else; entry 2 reads as a duplicate
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::InfiniteDuration());
  EXPECT_THAT(forwarder_->forwarding_error(), HasSubstr("sequence 1000"));
  EXPECT_EQ(log_->applied_sequence(), 1u);
}

TEST_F(ForwarderTest, ARebuildRunsAloneWithForwardingPausedAndForwardingResumesAfter) {
  LogEntryOf(2);
  LogEntryOf(3);
  aggregation_.on_rebuild = [this](const EventLog& log) -> absl::StatusOr<RebuildSummary> {
    EXPECT_EQ(&log, log_.get());
    EXPECT_TRUE(forwarder_->rebuild_in_progress());
    // Nothing is forwarded meanwhile, and a second rebuild is refused.
    EXPECT_EQ(forwarder_->ForwardOnce(), absl::InfiniteDuration());
    EXPECT_EQ(forwarder_->Rebuild(absl::Seconds(1)).status().code(), absl::StatusCode::kAborted);
    aggregation_.last_applied = log.last_sequence();  // the rebuilt cubes hold the whole log
    RebuildSummary summary;
    summary.entries_replayed = 2;
    summary.events_replayed = 5;
    summary.last_log_sequence = log.last_sequence();
    return summary;
  };
  absl::StatusOr<RebuildSummary> summary = forwarder_->Rebuild(absl::Seconds(1));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->events_replayed, 5u);
  EXPECT_THAT(aggregation_.received, IsEmpty());
  EXPECT_FALSE(forwarder_->rebuild_in_progress());
  // Resumed: the position is read anew from aggregation, so nothing is sent twice.
  const int reads = aggregation_.position_reads;
  EXPECT_EQ(forwarder_->ForwardOnce(), options_.idle_poll);
  EXPECT_EQ(aggregation_.position_reads, reads + 1);
  EXPECT_THAT(aggregation_.received, IsEmpty());
}

TEST_F(ForwarderTest, AFailedRebuildAlsoResumesForwarding) {
  LogEntryOf(1);
  aggregation_.on_rebuild = [](const EventLog&) -> absl::StatusOr<RebuildSummary> {
    return absl::UnavailableError("the stream broke");
  };
  EXPECT_EQ(forwarder_->Rebuild(absl::Seconds(1)).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(forwarder_->rebuild_in_progress());
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::ZeroDuration());
  EXPECT_EQ(aggregation_.last_applied, 1u);
}

TEST_F(ForwarderTest, APausedForwarderSendsNothing) {
  LogEntryOf(1);
  forwarder_->Pause();
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::InfiniteDuration());
  EXPECT_THAT(aggregation_.received, IsEmpty());
  forwarder_->Resume();
  EXPECT_EQ(forwarder_->ForwardOnce(), absl::ZeroDuration());
  EXPECT_EQ(aggregation_.last_applied, 1u);
}

// A sink that prepares requests for the wire as the gRPC one does, under the "encoding" it last
// learned from aggregation (each position read may meet a replaced server), and refuses to send
// a request prepared under another one, as a replaced server would misread it. The first Apply
// can be held until the request after it has been prepared.
class PreparingAggregation final : public AggregationSink {
 public:
  explicit PreparingAggregation(FakeAggregation& aggregation) : aggregation_(aggregation) {}

  absl::StatusOr<uint64_t> Apply(const facts::FactBatch&) override {
    return absl::InternalError("requests are sent prepared");
  }
  absl::StatusOr<std::unique_ptr<PreparedBatch>> Prepare(facts::FactBatch batch) const override {
    absl::MutexLock lock(&mu_);
    prepared_after_.push_back(batch.previous_sequence.value_or(0));
    return std::make_unique<Encoded>(std::move(batch), encoding_);
  }
  absl::StatusOr<uint64_t> ApplyPrepared(const PreparedBatch& prepared) override {
    const auto& encoded = dynamic_cast<const Encoded&>(prepared);
    if (on_apply) on_apply();
    {
      absl::MutexLock lock(&mu_);
      if (hold_first_apply && applies_++ == 0) {
        held_until_next_prepared = mu_.AwaitWithTimeout(
            absl::Condition(
                +[](std::vector<uint64_t>* after) { return after->size() >= 2; }, &prepared_after_),
            absl::Seconds(10));
      }
      if (encoded.encoding != encoding_) {
        return absl::InternalError("a request encoded for another server");
      }
    }
    return aggregation_.Apply(encoded.batch);
  }
  absl::StatusOr<uint64_t> ReplacePublished(const std::string& producer, uint64_t previous_sequence,
                                            const LogEntry& published_entry) override {
    return aggregation_.ReplacePublished(producer, previous_sequence, published_entry);
  }
  absl::StatusOr<uint64_t> LastApplied(const std::string& producer) override {
    absl::MutexLock lock(&mu_);
    ++encoding_;
    return aggregation_.LastApplied(producer);
  }
  absl::StatusOr<RebuildSummary> Rebuild(const EventLog& log, const std::string& producer,
                                         absl::Duration deadline) override {
    return aggregation_.Rebuild(log, producer, deadline);
  }

  std::vector<uint64_t> prepared_after() const {
    absl::MutexLock lock(&mu_);
    return prepared_after_;
  }

  bool hold_first_apply = false;
  // Called on the sending thread before each request is sent.
  std::function<void()> on_apply;
  bool held_until_next_prepared = false;

 private:
  struct Encoded final : PreparedBatch {
    Encoded(facts::FactBatch b, int e) : batch(std::move(b)), encoding(e) {}
    facts::FactBatch batch;
    int encoding;
  };

  FakeAggregation& aggregation_;
  mutable absl::Mutex mu_;
  mutable std::vector<uint64_t> prepared_after_ ABSL_GUARDED_BY(mu_);
  int encoding_ ABSL_GUARDED_BY(mu_) = 0;
  int applies_ ABSL_GUARDED_BY(mu_) = 0;
};

// Six entries of 2 events each, forwarded 4 events to a request: every entry reached
// aggregation once, in order, each request building on the one before.
class ReadAheadTest : public ForwarderTest {
 protected:
  void SetUp() override {
    ForwarderTest::SetUp();
    options_.max_events_per_request = 4;
    // One request in flight, the next read ahead meanwhile; two in flight: TwoInFlightTest.
    options_.requests_in_flight = 1;
  }
  void ExpectSixEntriesAppliedOnceInThreeRequests() {
    EXPECT_THAT(aggregation_.received,
                ElementsAre(Received{0, 2, true}, Received{2, 4, true}, Received{4, 6, true}));
    EXPECT_EQ(aggregation_.units_applied, 12u);
  }
};

TEST_F(ReadAheadTest, TheNextFullRequestIsPreparedWhileOneIsInFlight) {
  PreparingAggregation sink(aggregation_);
  sink.hold_first_apply = true;
  Forwarder forwarder(*log_, sink, options_);
  for (int i = 0; i < 6; ++i) LogEntryOf(2);

  while (forwarder.ForwardOnce() == absl::ZeroDuration()) {
  }
  // The request after entry 2 was prepared before the one up to entry 2 was answered.
  EXPECT_TRUE(sink.held_until_next_prepared);
  EXPECT_THAT(sink.prepared_after(), ElementsAre(0u, 2u, 4u));
  ExpectSixEntriesAppliedOnceInThreeRequests();
}

TEST_F(ReadAheadTest, ARequestPreparedAheadIsNotSentAfterTheOneBeforeItFailed) {
  PreparingAggregation sink(aggregation_);
  Forwarder forwarder(*log_, sink, options_);
  for (int i = 0; i < 6; ++i) LogEntryOf(2);

  // Entries 1..2 are applied but the answer is lost; meanwhile the request after them was
  // prepared for the server as it was known then.
  aggregation_.lose_next_answer = true;
  EXPECT_GT(forwarder.ForwardOnce(), absl::ZeroDuration());
  while (forwarder.ForwardOnce() == absl::ZeroDuration()) {
  }
  // Aggregation's position is read again (a replaced server may read other encodings), and the
  // request after entry 2 is prepared anew for it.
  EXPECT_THAT(sink.prepared_after(), ElementsAre(0u, 2u, 2u, 4u));
  ExpectSixEntriesAppliedOnceInThreeRequests();
}

TEST_F(ReadAheadTest, NothingIsPreparedAheadBehindARequestThatEmptiesTheBacklog) {
  PreparingAggregation sink(aggregation_);
  Forwarder forwarder(*log_, sink, options_);
  for (int i = 0; i < 3; ++i) LogEntryOf(2);
  // 6 events: the request after the first would hold 2, not a full 4; it is read only once the
  // first is answered, with whatever was logged by then.
  EXPECT_EQ(forwarder.ForwardOnce(), absl::ZeroDuration());
  LogEntryOf(2);
  EXPECT_EQ(forwarder.ForwardOnce(), absl::ZeroDuration());
  EXPECT_THAT(sink.prepared_after(), ElementsAre(0u, 2u));
  EXPECT_THAT(aggregation_.received, ElementsAre(Received{0, 2, true}, Received{2, 4, true}));
}

// Sends reach the fake aggregation from several threads at once: each waits, as the real one
// does (CubeStore::Apply), until the request it builds on is applied. The first send can be held
// until a second one has been sent, which proves two requests in flight.
class ConcurrentAggregation final : public AggregationSink {
 public:
  explicit ConcurrentAggregation(FakeAggregation& aggregation) : aggregation_(aggregation) {}

  absl::StatusOr<uint64_t> Apply(const facts::FactBatch& batch) override {
    absl::MutexLock lock(&mu_);
    ++sends_;
    if (hold_first_send && sends_ == 1) {
      held_until_second_sent_ =
          mu_.AwaitWithTimeout(absl::Condition(
                                   +[](int* sends) { return *sends >= 2; }, &sends_),
                               absl::Seconds(10));
    }
    struct Applied {
      const FakeAggregation* aggregation;
      uint64_t previous;
      bool operator()() const { return aggregation->last_applied >= previous; }
    };
    const Applied applied{&aggregation_, batch.previous_sequence.value_or(0)};
    mu_.AwaitWithTimeout(absl::Condition(&applied), absl::Seconds(10));
    return aggregation_.Apply(batch);
  }
  absl::StatusOr<uint64_t> ReplacePublished(const std::string& producer, uint64_t previous_sequence,
                                            const LogEntry& published_entry) override {
    absl::MutexLock lock(&mu_);
    return aggregation_.ReplacePublished(producer, previous_sequence, published_entry);
  }
  absl::StatusOr<uint64_t> LastApplied(const std::string& producer) override {
    absl::MutexLock lock(&mu_);
    return aggregation_.LastApplied(producer);
  }
  absl::StatusOr<RebuildSummary> Rebuild(const EventLog& log, const std::string& producer,
                                         absl::Duration deadline) override {
    absl::MutexLock lock(&mu_);
    return aggregation_.Rebuild(log, producer, deadline);
  }

  bool held_until_second_sent() const {
    absl::MutexLock lock(&mu_);
    return held_until_second_sent_;
  }

  bool hold_first_send = false;

 private:
  FakeAggregation& aggregation_;
  mutable absl::Mutex mu_;
  int sends_ ABSL_GUARDED_BY(mu_) = 0;
  bool held_until_second_sent_ ABSL_GUARDED_BY(mu_) = false;
};

class TwoInFlightTest : public ReadAheadTest {
 protected:
  void SetUp() override {
    ReadAheadTest::SetUp();
    options_.requests_in_flight = 2;
  }
};

TEST_F(TwoInFlightTest, TheNextFullRequestIsSentBeforeTheOneAheadIsAnswered) {
  ConcurrentAggregation sink(aggregation_);
  sink.hold_first_send = true;
  Forwarder forwarder(*log_, sink, options_);
  for (int i = 0; i < 6; ++i) LogEntryOf(2);

  while (forwarder.ForwardOnce() == absl::ZeroDuration()) {
  }
  EXPECT_TRUE(sink.held_until_second_sent());
  // Applied in order, each once, each building on the one before.
  ExpectSixEntriesAppliedOnceInThreeRequests();
}

TEST_F(TwoInFlightTest, ARequestSentAheadOfAFailedOneIsNeverAppliedTwice) {
  ConcurrentAggregation sink(aggregation_);
  Forwarder forwarder(*log_, sink, options_);
  for (int i = 0; i < 6; ++i) LogEntryOf(2);

  // Entries 1..2 are applied but the answer is lost, while the request after them was sent
  // building on them: its answer is not taken, and aggregation's position is read again.
  aggregation_.lose_next_answer = true;
  EXPECT_GT(forwarder.ForwardOnce(), absl::ZeroDuration());
  while (forwarder.ForwardOnce() == absl::ZeroDuration()) {
  }
  // The request sent ahead was applied (it built on entries 1..2, which were); the position
  // read again starts after it, so nothing is sent twice.
  ExpectSixEntriesAppliedOnceInThreeRequests();
}

TEST_F(ForwarderTest, ForwardingRunsAtTheLowerPriorityItWasGiven) {
  const auto this_thread_nice = [] {
    return getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  };
  const int caller = this_thread_nice();
  options_.thread_nice = caller + 3;
  PreparingAggregation sink(aggregation_);
  Forwarder forwarder(*log_, sink, options_);
  std::atomic<int> seen{-100};
  sink.on_apply = [&] { seen = this_thread_nice(); };
  LogEntryOf(1);
  forwarder.Start();
  // Only the atomic is read while the forwarder runs; the rest after Stop() joined its thread.
  for (int i = 0; i < 500 && seen.load() == -100; ++i) absl::SleepFor(absl::Milliseconds(10));
  forwarder.Stop();
  EXPECT_EQ(aggregation_.last_applied, 1u);
  EXPECT_EQ(seen.load(), caller + 3);
  EXPECT_EQ(this_thread_nice(), caller);
}

}  // namespace
}  // namespace omnia::ingest

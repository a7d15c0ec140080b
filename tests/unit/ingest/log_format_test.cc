// The event log's stored formats on their own: every entry, id record, staged chunk and
// bookkeeping record reads back as written, damage is reported as DATA_LOSS rather than read as
// other data, and the stored content fingerprints keep their values (changing one would turn
// every re-sent event into a conflict).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "libs/facts/event_records.h"
#include "libs/ingest/event_log.h"
#include "libs/ingest/internal/entry_codec.h"
#include "libs/ingest/internal/id_hash.h"
#include "libs/ingest/internal/log_layout.h"

namespace omnia::ingest::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Fingerprints as the log has always stored them.
constexpr uint64_t kPinnedApplicationFingerprint = 15290818479725178925ull;
constexpr uint64_t kPinnedPaymentFingerprint = 10346605302589021563ull;

constexpr char kSha[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

LoggedApplication Application(std::string id, int day, int region, int type) {
  return LoggedApplication{std::move(id), domain::Date{2023, 4, day}, region, type};
}

LoggedPayment Payment(std::string id, char worker_byte, uint32_t months) {
  LoggedPayment p;
  p.payment_id = std::move(id);
  p.worker.fill(worker_byte);
  p.paid_on = domain::Date{2024, 12, 31};
  p.region = 255;
  p.type = 7;
  p.months_covered = months;
  return p;
}

// The records of `events`, as PlanEvents concatenates them per kind.
std::pair<std::string, std::string> Records(const std::vector<LoggedEvent>& events) {
  std::string applications;
  std::string payments;
  for (const LoggedEvent& event : events) {
    char record[kPaymentBytes];
    const size_t size = EncodeRecord(event, record);
    (KindOf(event) == EventKind::kApplication ? applications : payments).append(record, size);
  }
  return {applications, payments};
}

TEST(EntryCodecTest, AnEventsEntryRoundTrips) {
  const auto [applications, payments] = Records(
      {Application("A1", 9, 3, 1), Payment("P1", '\x5a', 65535), Application("A2", 30, 19, 5)});
  const std::string value = EncodeEventsEntry(1000, 3, applications, payments);

  LogEntry entry;
  ASSERT_TRUE(DecodeEntry(42, value, entry).ok());
  EXPECT_EQ(entry.sequence, 42u);
  EXPECT_EQ(entry.kind, EntryKind::kEvents);
  ASSERT_EQ(entry.applications.size(), 2u);
  EXPECT_EQ(entry.applications[0].month, (domain::YearMonth{2023, 4}));
  EXPECT_EQ(entry.applications[0].region, 3);
  EXPECT_EQ(entry.applications[1].region, 19);
  EXPECT_EQ(entry.applications[1].type, 5);
  EXPECT_THAT(entry.application_days, ElementsAre(9, 30));
  ASSERT_EQ(entry.payments.size(), 1u);
  EXPECT_EQ(entry.payments[0].month, (domain::YearMonth{2024, 12}));
  EXPECT_EQ(entry.payments[0].region, 255);
  EXPECT_EQ(entry.payments[0].type, 7);
  EXPECT_EQ(entry.payments[0].months_covered, 65535u);
  EXPECT_EQ(entry.payments[0].worker[0], '\x5a');
  EXPECT_EQ(entry.payments[0].worker[facts::kPseudonymBytes - 1], '\x5a');
  EXPECT_THAT(entry.payment_days, ElementsAre(31));
  EXPECT_EQ(entry.units(), 3u);
  EXPECT_EQ(*EntryUnits(42, value), 3u);
  EXPECT_EQ(*EntryUnitsBefore(42, value), 1000u);
}

// What the forwarder sends: the same events as the facts read back, in the records' layout.
TEST(EntryCodecTest, AnEventsEntryReadAsRecordsHoldsTheFactsItDecodesTo) {
  const auto [applications, payments] =
      Records({Application("A1", 9, 3, 1), Payment("P1", '\x5a', 60), Application("A2", 30, 19, 5),
               Payment("P2", '\x01', 0)});
  const std::string value = EncodeEventsEntry(1000, 4, applications, payments);
  LogEntry facts_read;
  ASSERT_TRUE(DecodeEntry(42, value, facts_read).ok());
  LogEntry entry = facts_read;  // reused, as ReadEntries does
  ASSERT_TRUE(DecodeEntry(43, value, entry, EventForm::kRecords).ok());
  EXPECT_EQ(entry.sequence, 43u);
  EXPECT_TRUE(entry.applications.empty());
  EXPECT_TRUE(entry.payments.empty());
  EXPECT_EQ(entry.units(), 4u);

  std::string expected_applications;
  for (const facts::ApplicationFact& a : facts_read.applications) {
    facts::AppendRecord(a, expected_applications);
  }
  std::string expected_payments;
  for (const facts::PaymentFact& p : facts_read.payments) facts::AppendRecord(p, expected_payments);
  EXPECT_EQ(entry.application_records, expected_applications);
  EXPECT_EQ(entry.payment_records, expected_payments);
  // No day travels: 2024-12 then region 255, type 7, 60 months covered, the pseudonym.
  EXPECT_EQ(entry.payment_records.substr(0, 7), std::string("\x07\xe8\x0c\xff\x07\x00\x3c", 7));
  EXPECT_EQ(entry.payment_records.substr(7, facts::kPseudonymBytes),
            std::string(facts::kPseudonymBytes, '\x5a'));

  ASSERT_TRUE(DecodeEntry(44, value, entry).ok());  // and back to facts
  EXPECT_TRUE(entry.payment_records.empty());
  EXPECT_EQ(entry.payments.size(), 2u);
  EXPECT_EQ(entry.units(), 4u);
}

TEST(EntryCodecTest, APublishedEntryRoundTripsAndClearsTheEventsOfAReusedEntry) {
  const std::vector<facts::PublishedCell> cells = {{{2022, 1}, 0, 0, 0},
                                                   {{2023, 12}, 20, 9, ~uint64_t{0}}};
  const std::string value =
      EncodePublishedEntry(7, domain::Measure::kBenefitMonths, kSha, {2022, 2023}, cells);

  LogEntry entry;
  const auto [applications, payments] = Records({Application("A1", 1, 1, 1)});
  ASSERT_TRUE(DecodeEntry(1, EncodeEventsEntry(0, 1, applications, payments), entry).ok());
  ASSERT_TRUE(DecodeEntry(2, value, entry).ok());
  EXPECT_EQ(entry.kind, EntryKind::kPublished);
  EXPECT_EQ(entry.measure, domain::Measure::kBenefitMonths);
  EXPECT_EQ(entry.sha256, kSha);
  EXPECT_THAT(entry.years, ElementsAre(2022, 2023));
  ASSERT_EQ(entry.cells.size(), 2u);
  EXPECT_EQ(entry.cells[1].month, (domain::YearMonth{2023, 12}));
  EXPECT_EQ(entry.cells[1].region, 20);
  EXPECT_EQ(entry.cells[1].type, 9);
  EXPECT_EQ(entry.cells[1].value, ~uint64_t{0});
  EXPECT_TRUE(entry.applications.empty());
  EXPECT_EQ(*EntryUnitsBefore(2, value), 7u);

  ASSERT_TRUE(
      DecodeEntry(3, EncodeEventsEntry(0, 1, applications, payments), entry, EventForm::kRecords)
          .ok());
  ASSERT_TRUE(DecodeEntry(4, value, entry).ok());
  EXPECT_TRUE(entry.application_records.empty());
  EXPECT_EQ(entry.units(), 2u);
}

TEST(EntryCodecTest, EveryMeasureSurvivesItsByte) {
  for (domain::Measure measure : domain::kAllMeasures) {
    EXPECT_EQ(MeasureFromByte(MeasureByte(measure)), measure);
  }
  EXPECT_EQ(MeasureFromByte(0), std::nullopt);
  EXPECT_EQ(MeasureFromByte(200), std::nullopt);
}

TEST(EntryCodecTest, DamagedEntriesAreDataLossNamingTheEntry) {
  const auto [applications, payments] = Records({Application("A1", 1, 1, 1)});
  const std::string events = EncodeEventsEntry(0, 1, applications, payments);
  std::string unknown_kind = events;
  unknown_kind[0] = 9;
  const std::string published =
      EncodePublishedEntry(0, domain::Measure::kWorkers, kSha, {2023}, {{{2023, 1}, 1, 1, 5}});
  std::string unknown_measure = published;
  unknown_measure[kEntryHeaderBytes] = 0;
  for (const std::string& damaged :
       {events.substr(0, 5), events.substr(0, events.size() - 1), events + "x", unknown_kind,
        published.substr(0, published.size() - 3), unknown_measure}) {
    LogEntry entry;
    const absl::Status status = DecodeEntry(17, damaged, entry);
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
    EXPECT_THAT(status.message(), HasSubstr("log entry 17"));
  }
  EXPECT_EQ(EntryUnits(3, "ab").status().code(), absl::StatusCode::kDataLoss);
}

TEST(EntryCodecTest, IdRecordsRoundTripInOrder) {
  std::string records;
  AppendIdRecord(records, EventKind::kApplication, "A-1", 11);
  AppendIdRecord(records, EventKind::kPayment, std::string(255, 'p'), ~uint64_t{0});
  std::vector<std::tuple<EventKind, std::string, uint64_t>> seen;
  EXPECT_TRUE(ForEachIdRecord(records, [&](EventKind kind, std::string_view id, uint64_t print) {
    seen.emplace_back(kind, std::string(id), print);
  }));
  EXPECT_THAT(
      seen, ElementsAre(std::make_tuple(EventKind::kApplication, "A-1", 11u),
                        std::make_tuple(EventKind::kPayment, std::string(255, 'p'), ~uint64_t{0})));
  EXPECT_FALSE(ForEachIdRecord(records.substr(0, records.size() - 1), [](auto...) {}));
  EXPECT_FALSE(ForEachIdRecord("x", [](auto...) {}));
}

TEST(EntryCodecTest, StagedEventsRoundTripWithTheirLines) {
  std::string chunk;
  AppendStagedEvent(chunk, Application("A1", 2, 4, 1), 7);
  AppendStagedEvent(chunk, Payment("P1", 'w', 3), 1'000'000'000'000);
  std::vector<StagedEvent> seen;
  std::vector<std::string> ids;
  EXPECT_TRUE(ForEachStagedEvent(chunk, [&](const StagedEvent& event) {
    seen.push_back(event);
    ids.emplace_back(event.id);
  }));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_THAT(ids, ElementsAre("A1", "P1"));
  EXPECT_EQ(seen[0].kind, EventKind::kApplication);
  EXPECT_EQ(seen[0].line, 7);
  EXPECT_EQ(seen[0].record.size(), kApplicationBytes);
  EXPECT_EQ(seen[1].kind, EventKind::kPayment);
  EXPECT_EQ(seen[1].line, 1'000'000'000'000);
  char record[kPaymentBytes];
  ASSERT_EQ(EncodeRecord(Payment("P1", 'w', 3), record), kPaymentBytes);
  EXPECT_EQ(seen[1].record, std::string_view(record, kPaymentBytes));
  EXPECT_FALSE(ForEachStagedEvent(chunk.substr(0, chunk.size() - 1), [](const StagedEvent&) {}));
}

TEST(EntryCodecTest, WhatTheRecordsCannotHoldIsRefusedNamingTheEvent) {
  EXPECT_TRUE(CheckEncodable(0, Application("A1", 1, 255, 255)).ok());
  EXPECT_THAT(CheckEncodable(3, Application("A1", 1, 256, 0)).message(),
              HasSubstr("events[3].region"));
  EXPECT_THAT(CheckEncodable(0, Application("", 1, 0, 0)).message(), HasSubstr("application_id"));
  EXPECT_THAT(CheckEncodable(0, Application("A1", 31, 0, 0)).message(),  // 31 April
              HasSubstr("authorized_on"));
  EXPECT_THAT(CheckEncodable(0, Payment("P1", 'w', 65536)).message(), HasSubstr("months_covered"));
}

TEST(IdHashTest, ContentFingerprintsKeepTheirStoredValues) {
  // Pinned: the fingerprints are stored next to every logged id.
  char record[kPaymentBytes];
  const size_t size = EncodeRecord(Application("A1", 9, 3, 1), record);
  EXPECT_EQ(ContentFingerprint(EventKind::kApplication, std::string_view(record, size)),
            kPinnedApplicationFingerprint);
  const size_t payment_size = EncodeRecord(Payment("P1", 'w', 3), record);
  EXPECT_EQ(ContentFingerprint(EventKind::kPayment, std::string_view(record, payment_size)),
            kPinnedPaymentFingerprint);
  // The seeds keep the two id spaces apart.
  EXPECT_NE(ContentFingerprint(EventKind::kApplication, "same"),
            ContentFingerprint(EventKind::kPayment, "same"));
}

TEST(IdHashTest, IdHashesDependOnTheKeyAndTheId) {
  std::array<unsigned char, 16> key{};
  std::array<unsigned char, 16> other_key{};
  other_key[0] = 1;
  const IdHashes a = HashId(key, "A1");
  EXPECT_EQ(HashId(key, "A1").slot, a.slot);
  EXPECT_EQ(HashId(key, "A1").check, a.check);
  EXPECT_NE(HashId(key, "A2").slot, a.slot);
  EXPECT_NE(HashId(other_key, "A1").slot, a.slot);
}

TEST(LogLayoutTest, FieldsRoundTripAndTolerateAddedOrMissingFields) {
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t c = 9;
  ASSERT_TRUE(DecodeFields("x", EncodeFields({1, ~uint64_t{0}}), {&a, &b, &c}).ok());
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(b, ~uint64_t{0});
  EXPECT_EQ(c, 0u);  // missing: zero
  ASSERT_TRUE(DecodeFields("x", EncodeFields({5, 6, 7}), {&a}).ok());
  EXPECT_EQ(a, 5u);  // extra: ignored
  EXPECT_THAT(DecodeFields("cursor", "1234567", {&a}).message(), HasSubstr("cursor"));
}

TEST(LogLayoutTest, TimesRoundTripAndNeverIsZero) {
  const absl::Time t = absl::FromUnixMicros(1'700'000'000'123'456);
  EXPECT_EQ(TimeFromField(TimeField(t)), t);
  EXPECT_EQ(TimeField(absl::InfinitePast()), 0u);
  EXPECT_EQ(TimeFromField(0), absl::InfinitePast());
}

TEST(LogLayoutTest, SequenceKeysSortNumericallyAndEndPastEveryOne) {
  EXPECT_LT(SequenceKey(255), SequenceKey(256));
  EXPECT_LT(SequenceKey(~uint64_t{0}), SequenceKeysEnd());
  EXPECT_LT(StageKey(1, ~uint64_t{0}), StageKey(2, 0));
  // A producer's accepted sequences sort by number, apart from a producer whose id extends it.
  EXPECT_LT(AcceptedSequenceKey("p", 2), AcceptedSequenceKey("p", 10));
  EXPECT_LT(AcceptedSequenceKey("p", ~uint64_t{0}), AcceptedSequenceKey("p2", 0));
}

TEST(LogLayoutTest, APublishedYearRecordRoundTrips) {
  const std::string key = PublishedYearKey(domain::Measure::kWorkers, 2023);
  const std::string value = EncodePublishedYear(3, 44, 500, 120, {2022, 2023}, kSha);
  absl::StatusOr<PublishedYearRecord> record = DecodePublishedYear(key, value);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->measure, domain::Measure::kWorkers);
  EXPECT_EQ(record->year, 2023);
  EXPECT_EQ(record->revision, 3u);
  EXPECT_EQ(record->log_sequence, 44u);
  EXPECT_EQ(record->import_cells, 500u);
  EXPECT_EQ(record->year_cells, 120u);
  EXPECT_THAT(record->years, ElementsAre(2022, 2023));
  EXPECT_EQ(record->sha256, kSha);

  EXPECT_EQ(DecodePublishedYear(key, value.substr(1)).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodePublishedYear("pubyear/NOPE/2023", value).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(
      DecodePublishedYear(PublishedYearKey(domain::Measure::kWorkers, 0), value).status().code(),
      absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace omnia::ingest::internal

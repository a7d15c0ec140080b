// Reading StreamEvents batches: Event messages and columns give the same domain events, the
// columns' line-feed and code-position rules read back what a producer wrote, and whatever shape
// the columns arrive in, every event sent is either read or counted as unread, every problem
// names a real position, and no worker id is ever quoted.
#include "libs/api/event_convert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <variant>
#include <vector>

namespace omnia::api {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> PaymentIds(const std::vector<ingest::RawEvent>& events) {
  std::vector<std::string> ids;
  for (const ingest::RawEvent& e : events) {
    ids.push_back(std::get<domain::PaymentIssued>(e).payment_id);
  }
  return ids;
}

v1::EventBatch WithPaymentIds(const std::string& ids, int rows) {
  v1::EventBatch batch;
  v1::PaymentColumns* columns = batch.mutable_payment_columns();
  columns->set_payment_ids(ids);
  columns->add_region_codes("LAZIO");
  columns->add_intervention_type_codes("CIGS");
  for (int i = 0; i < rows; ++i) {
    columns->mutable_worker_ids()->append("RSSMRA80A01H501U\n");
    columns->add_paid_on(20240229);
    columns->add_regions(0);
    columns->add_intervention_types(0);
    columns->add_months_covered(1);
  }
  return batch;
}

TEST(EventConvertTest, IdsAreSeparatedByLineFeedsAndTheLastOneIsOptional) {
  std::vector<ingest::RawEvent> events;
  EXPECT_THAT(EventsFromProto(WithPaymentIds("P-1\nP-2\n", 2), events).malformed, IsEmpty());
  EXPECT_THAT(PaymentIds(events), ElementsAre("P-1", "P-2"));
  EXPECT_THAT(EventsFromProto(WithPaymentIds("P-1\nP-2", 2), events).malformed, IsEmpty());
  EXPECT_THAT(PaymentIds(events), ElementsAre("P-1", "P-2"));
  // An empty value between two line feeds is a row whose id is empty (then refused as missing).
  EXPECT_THAT(EventsFromProto(WithPaymentIds("P-1\n\nP-3", 3), events).malformed, IsEmpty());
  EXPECT_THAT(PaymentIds(events), ElementsAre("P-1", "", "P-3"));
  EXPECT_EQ(EventsFromProto(WithPaymentIds("", 0), events).layout.payment_rows, 0u);
  EXPECT_THAT(events, IsEmpty());
}

TEST(EventConvertTest, DatesAreReadAsYearMonthDayDigits) {
  v1::EventBatch batch = WithPaymentIds("P-1", 1);
  batch.mutable_payment_columns()->set_paid_on(0, 20230417);
  std::vector<ingest::RawEvent> events;
  EventsFromProto(batch, events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<domain::PaymentIssued>(events[0]).paid_on, (domain::Date{2023, 4, 17}));
}

TEST(EventConvertTest, FieldsAreNamedByTheMessageOrColumnTheyCameFrom) {
  v1::EventBatch batch = WithPaymentIds("P-1\nP-2", 2);
  batch.add_events()->mutable_application_authorized();
  batch.add_events()->mutable_payment_issued();
  batch.mutable_application_columns()->set_application_ids("A-1");
  std::vector<ingest::RawEvent> events;
  const BatchLayout layout = EventsFromProto(batch, events).layout;
  EXPECT_EQ(EventFieldPath(batch, layout, 0, "region"), "application_authorized.region");
  EXPECT_EQ(EventFieldPath(batch, layout, 1, "worker_id"), "payment_issued.worker_id");
  EXPECT_EQ(EventFieldPath(batch, layout, 2, "application_id"),
            "application_columns.application_ids");
  EXPECT_EQ(EventFieldPath(batch, layout, 3, "paid_on"), "payment_columns.paid_on");
  EXPECT_EQ(EventFieldPath(batch, layout, 4, "intervention_type"),
            "payment_columns.intervention_types");
}

// Columns of any shape: lengths off by one, positions beyond the codes, stray line feeds.
v1::EventBatch RandomColumns(std::mt19937& random, std::vector<std::string>& worker_ids) {
  auto chance = [&](int percent) { return static_cast<int>(random() % 100) < percent; };
  auto length = [&](int rows) {
    return chance(90) ? rows : rows + static_cast<int>(random() % 3) - 1;
  };
  v1::EventBatch batch;
  const int messages = static_cast<int>(random() % 3);
  for (int i = 0; i < messages; ++i) {
    v1::Event* event = batch.add_events();
    if (chance(40))
      event->mutable_payment_issued()->set_payment_id("M-" + std::to_string(i));
    else if (chance(70))
      event->mutable_application_authorized()->set_application_id("N");
  }
  const int rows = static_cast<int>(random() % 6);
  v1::PaymentColumns* columns = batch.mutable_payment_columns();
  for (int i = 0; i < rows; ++i)
    columns->mutable_payment_ids()->append("P-" + std::to_string(i) + "\n");
  if (chance(10)) columns->mutable_payment_ids()->append("\n");
  for (int i = 0; i < length(rows); ++i) {
    const std::string worker = chance(50) ? "RSSMRA80A01H501U" : "1234567890" + std::to_string(i);
    worker_ids.push_back(worker);
    columns->mutable_worker_ids()->append(worker + "\n");
  }
  for (int i = 0; i < length(rows); ++i) columns->add_paid_on(20240100 + random() % 40);
  columns->add_region_codes(chance(80) ? "LAZIO" : "RSSMRA80A01H501U");
  columns->add_intervention_type_codes("CIGS");
  for (int i = 0; i < length(rows); ++i) columns->add_regions(random() % 2);
  for (int i = 0; i < length(rows); ++i) columns->add_intervention_types(chance(95) ? 0 : 5);
  for (int i = 0; i < length(rows); ++i) columns->add_months_covered(random() % 70);
  if (chance(30)) {
    v1::ApplicationColumns* applications = batch.mutable_application_columns();
    const int application_rows = static_cast<int>(random() % 4);
    for (int i = 0; i < application_rows; ++i)
      applications->mutable_application_ids()->append("A\n");
    applications->add_region_codes("UMBRIA");
    applications->add_intervention_type_codes("CIGO");
    for (int i = 0; i < length(application_rows); ++i) applications->add_authorized_on(20240105);
    for (int i = 0; i < length(application_rows); ++i) applications->add_regions(random() % 2);
    for (int i = 0; i < length(application_rows); ++i) applications->add_intervention_types(0);
  }
  return batch;
}

TEST(EventConvertTest, EveryEventSentIsReadOrCountedAndNoProblemQuotesAWorkerId) {
  std::mt19937 random(20261128);
  std::vector<ingest::RawEvent> events;  // reused, as the service does
  for (int round = 0; round < 3000; ++round) {
    std::vector<std::string> worker_ids;
    const v1::EventBatch batch = RandomColumns(random, worker_ids);
    const ReadBatch read = EventsFromProto(batch, events);
    const uint64_t sent =
        read.layout.messages + read.layout.application_rows + read.layout.payment_rows;
    ASSERT_EQ(events.size() + read.unread_events, sent) << round;
    if (read.malformed.empty()) {
      // Every row read, in batch order, each with its own column values.
      ASSERT_EQ(events.size(), sent) << round;
      const uint64_t first_payment = sent - read.layout.payment_rows;
      for (uint64_t row = 0; row < read.layout.payment_rows; ++row) {
        const auto& p = std::get<domain::PaymentIssued>(events[first_payment + row]);
        EXPECT_EQ(p.worker_id, worker_ids[row]);
        EXPECT_EQ(p.months_covered, batch.payment_columns().months_covered(row));
      }
    }
    for (const ingest::Violation& v : read.malformed) {
      EXPECT_LT(v.event_index, std::max<uint64_t>(sent, 1)) << round;
      for (const std::string& worker : worker_ids) {
        EXPECT_EQ(v.reason.find(worker), std::string::npos) << round;
        EXPECT_EQ(v.event_id.find(worker), std::string::npos) << round;
      }
    }
  }
}

// Columns list their codes apart from the rows: with a resolution, each listed code a row points
// at is looked up once and its rows carry the position, in any accepted spelling; Event
// messages and codes not found keep their text for the check. Checked with and without, a
// batch gives the same verdict, the same reasons and the same logged events.
TEST(EventConvertTest, ResolvedCodesGiveTheSameCheckAsLookingEveryCodeUp) {
  const domain::Codelists codelists = domain::Codelists::Builtin();
  const int lazio = codelists.RegionByInpsLabel("LAZIO")->index;
  const int cigs = codelists.InterventionTypeByCode("CIGS")->index;
  v1::EventBatch batch = WithPaymentIds("P-1\nP-2\nP-3\n", 3);
  v1::PaymentColumns& columns = *batch.mutable_payment_columns();
  columns.clear_region_codes();
  columns.add_region_codes("12");  // Lazio's ISTAT code
  columns.add_region_codes("lazio");
  columns.clear_intervention_type_codes();
  columns.add_intervention_type_codes("cigs");
  columns.set_regions(1, 1);
  v1::PaymentIssued* message = batch.add_events()->mutable_payment_issued();
  message->set_payment_id("P-0");
  message->set_worker_id("RSSMRA80A01H501U");
  *message->mutable_paid_on() = [] {
    v1::Date d;
    d.set_year(2024);
    d.set_month(1);
    d.set_day(31);
    return d;
  }();
  message->set_region("LAZIO");
  message->set_intervention_type("CIGS");

  std::vector<ingest::RawEvent> plain;
  ASSERT_THAT(EventsFromProto(batch, plain).malformed, IsEmpty());
  std::vector<ingest::RawEvent> events;
  std::vector<domain::CodeIndices> codes;
  const CodeResolution resolve{codelists, codes};
  ASSERT_THAT(EventsFromProto(batch, events, &resolve).malformed, IsEmpty());
  ASSERT_EQ(codes.size(), 4u);
  EXPECT_EQ(codes[0].region, -1);  // the Event message: looked up by the check
  EXPECT_EQ(std::get<domain::PaymentIssued>(events[0]).region, "LAZIO");
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(codes[i].region, lazio) << i;
    EXPECT_EQ(codes[i].type, cigs) << i;
  }

  auto pseudonymizer = ingest::Pseudonymizer::Create(std::string(32, 'k'));
  ASSERT_TRUE(pseudonymizer.ok());
  const ingest::BatchCheck want =
      ingest::CheckBatch("p", 1, plain, codelists, **pseudonymizer, 100, domain::kLatestDate);
  const ingest::BatchCheck got = ingest::CheckBatch("p", 1, events, codelists, **pseudonymizer, 100,
                                                    domain::kLatestDate, {}, &codes);
  ASSERT_THAT(want.violations, IsEmpty());
  ASSERT_THAT(got.violations, IsEmpty());
  ASSERT_EQ(got.batch.events.size(), want.batch.events.size());
  for (size_t i = 0; i < 4; ++i) {
    const auto& g = std::get<ingest::LoggedPayment>(got.batch.events[i]);
    const auto& w = std::get<ingest::LoggedPayment>(want.batch.events[i]);
    EXPECT_EQ(g.region, lazio) << i;
    EXPECT_EQ(g.type, cigs) << i;
    EXPECT_EQ(g.region, w.region) << i;
    EXPECT_EQ(g.type, w.type) << i;
    EXPECT_EQ(g.worker, w.worker) << i;
  }

  // A listed code that is not found keeps its text, and the check names it row by row.
  columns.add_region_codes("PADANIA");
  columns.set_regions(2, 2);
  ASSERT_THAT(EventsFromProto(batch, plain).malformed, IsEmpty());
  ASSERT_THAT(EventsFromProto(batch, events, &resolve).malformed, IsEmpty());
  EXPECT_EQ(codes[3].region, -1);
  EXPECT_EQ(std::get<domain::PaymentIssued>(events[3]).region, "PADANIA");
  const ingest::BatchCheck refused_plain =
      ingest::CheckBatch("p", 1, plain, codelists, **pseudonymizer, 100, domain::kLatestDate);
  const ingest::BatchCheck refused = ingest::CheckBatch("p", 1, events, codelists, **pseudonymizer,
                                                        100, domain::kLatestDate, {}, &codes);
  EXPECT_EQ(ingest::DescribeViolations(refused), ingest::DescribeViolations(refused_plain));
  EXPECT_THAT(ingest::DescribeViolations(refused), ::testing::HasSubstr("events[3].region"));
  EXPECT_THAT(ingest::DescribeViolations(refused), ::testing::HasSubstr("PADANIA"));
}

// Codes listed but pointed at by no row (the contract lets a code be listed more than once) are
// not the rows' codes: unknown ones among them change nothing, and the rows get the positions
// of the codes they point at.
TEST(EventConvertTest, CodesListedButUnusedDoNotMatter) {
  const domain::Codelists codelists = domain::Codelists::Builtin();
  v1::EventBatch batch = WithPaymentIds("P-1\nP-2\n", 2);
  v1::PaymentColumns& columns = *batch.mutable_payment_columns();
  for (int i = 0; i < 1000; ++i) columns.add_region_codes("NOT_A_REGION_" + std::to_string(i));
  columns.add_region_codes("LAZIO");  // listed twice: 0 and 1001
  columns.set_regions(1, 1001);
  std::vector<ingest::RawEvent> events;
  std::vector<domain::CodeIndices> codes;
  const CodeResolution resolve{codelists, codes};
  ASSERT_THAT(EventsFromProto(batch, events, &resolve).malformed, IsEmpty());
  ASSERT_EQ(codes.size(), 2u);
  EXPECT_EQ(codes[0].region, codelists.RegionByInpsLabel("LAZIO")->index);
  EXPECT_EQ(codes[1].region, codes[0].region);
  auto pseudonymizer = ingest::Pseudonymizer::Create(std::string(32, 'k'));
  ASSERT_TRUE(pseudonymizer.ok());
  EXPECT_THAT(ingest::CheckBatch("p", 1, events, codelists, **pseudonymizer, 100,
                                 domain::kLatestDate, {}, &codes)
                  .violations,
              IsEmpty());
}

TEST(EventConvertTest, ABatchOfMoreThanTenThousandEventsIsNotRead) {
  v1::EventBatch batch;
  batch.mutable_payment_columns()->set_payment_ids(std::string(4 << 20, '\n'));
  std::vector<ingest::RawEvent> events(3);
  const ReadBatch read = EventsFromProto(batch, events);
  EXPECT_THAT(events, IsEmpty());
  EXPECT_EQ(read.unread_events, 4u << 20);
  ASSERT_EQ(read.malformed.size(), 1u);
  EXPECT_EQ(read.malformed[0].field, "events");
}

// ingestion.proto: "the encoded batch must not exceed 4 MiB". A batch over it is answered by its
// own ack (the stream goes on), and nothing of it is read.
TEST(EventConvertTest, ABatchOfMoreThanFourMebibytesIsNotRead) {
  const auto batch_of = [](size_t code_bytes) {
    v1::EventBatch batch = WithPaymentIds("P-1\nP-2\n", 2);
    batch.mutable_payment_columns()->set_region_codes(0, std::string(code_bytes, 'L'));
    return batch;
  };
  v1::EventBatch largest = batch_of(0);
  // Both the code and the columns holding it take 3 more bytes of length.
  largest = batch_of(ingest::kMaxBatchBytes - largest.ByteSizeLong() - 6);
  ASSERT_EQ(largest.ByteSizeLong(), ingest::kMaxBatchBytes);
  std::vector<ingest::RawEvent> events;
  const ReadBatch read = EventsFromProto(largest, events);
  EXPECT_EQ(events.size(), 2u);
  EXPECT_EQ(read.unread_events, 0u);

  const v1::EventBatch over = batch_of(ingest::kMaxBatchBytes);
  const ReadBatch refused = EventsFromProto(over, events);
  EXPECT_THAT(events, IsEmpty());
  EXPECT_EQ(refused.unread_events, 2u);
  ASSERT_EQ(refused.malformed.size(), 1u);
  EXPECT_EQ(refused.malformed[0].field, "events");
  EXPECT_EQ(refused.malformed[0].reason,
            "the encoded batch is " + std::to_string(over.ByteSizeLong()) +
                " bytes; at most 4194304 (4 MiB): send fewer events per batch");
}

}  // namespace
}  // namespace omnia::api

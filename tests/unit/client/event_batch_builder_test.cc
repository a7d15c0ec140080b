// The columnar batches a producer builds read back, in the service's reader, as the events it
// added: every field, in order, each kind's codes listed once.
#include "libs/client/event_batch_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <variant>
#include <vector>

#include "libs/api/event_convert.h"

namespace omnia::client {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

domain::PaymentIssued Payment(const std::string& id, const std::string& region, int day) {
  return domain::PaymentIssued{
      id, "RSSMRA80A01H501U", domain::Date{2024, 2, day}, region, "CIGS", day % 3};
}

std::vector<ingest::RawEvent> ReadBack(const v1::EventBatch& batch) {
  std::vector<ingest::RawEvent> events;
  const api::ReadBatch read = api::EventsFromProto(batch, events);
  EXPECT_THAT(read.malformed, IsEmpty());
  EXPECT_EQ(read.unread_events, 0u);
  return events;
}

TEST(EventBatchBuilderTest, TheServiceReadsBackEveryEventAdded) {
  EventBatchBuilder builder;
  const domain::ApplicationAuthorized application{"A-1", domain::Date{2023, 12, 31}, "LOMBARDIA",
                                                  "CIGO"};
  builder.Add(Payment("P-1", "LAZIO", 29));
  builder.Add(application);
  builder.Add(Payment("P-2", "UMBRIA", 1));
  builder.Add(Payment("P-3", "LAZIO", 10));
  EXPECT_EQ(builder.size(), 4u);
  const v1::EventBatch batch = builder.Take("producer-a", 7);
  EXPECT_EQ(batch.producer_id(), "producer-a");
  EXPECT_EQ(batch.sequence(), 7u);
  EXPECT_EQ(batch.events_size(), 0);
  EXPECT_THAT(batch.payment_columns().region_codes(), ElementsAre("LAZIO", "UMBRIA"));
  EXPECT_THAT(batch.payment_columns().intervention_type_codes(), ElementsAre("CIGS"));

  const std::vector<ingest::RawEvent> events = ReadBack(batch);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(std::get<domain::ApplicationAuthorized>(events[0]), application);
  EXPECT_EQ(std::get<domain::PaymentIssued>(events[1]), Payment("P-1", "LAZIO", 29));
  EXPECT_EQ(std::get<domain::PaymentIssued>(events[2]), Payment("P-2", "UMBRIA", 1));
  EXPECT_EQ(std::get<domain::PaymentIssued>(events[3]), Payment("P-3", "LAZIO", 10));
}

TEST(EventBatchBuilderTest, TakeStartsANewBatchWithItsOwnCodes) {
  EventBatchBuilder builder;
  builder.Add(Payment("P-1", "LAZIO", 1));
  builder.Take("producer-a", 1);
  EXPECT_EQ(builder.size(), 0u);
  builder.Add(Payment("P-2", "UMBRIA", 2));
  const v1::EventBatch second = builder.Take("producer-a", 2);
  EXPECT_THAT(second.payment_columns().region_codes(), ElementsAre("UMBRIA"));
  EXPECT_THAT(ReadBack(second), ElementsAre(ingest::RawEvent(Payment("P-2", "UMBRIA", 2))));
}

}  // namespace
}  // namespace omnia::client

// The Apply request's encodings of events: one message per event (`events`), packed columns and
// fixed-width records.
#include "libs/api/cube_convert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/ascii.h"
#include "libs/api/fact_convert.h"

namespace omnia::api {
namespace {

using ::testing::HasSubstr;

facts::Pseudonym PseudonymOf(int worker) {
  facts::Pseudonym pseudonym{};
  for (size_t i = 0; i < pseudonym.size(); ++i) pseudonym[i] = static_cast<char>(worker * 7 + i);
  return pseudonym;
}

facts::FactBatch SampleBatch() {
  facts::FactBatch batch;
  batch.producer = "ingestion-1";
  batch.sequence = 42;
  batch.previous_sequence = 41;
  batch.applications = {{{2023, 3}, 8, 0}, {{2021, 12}, 0, 3}, {{2023, 3}, 8, 0}};
  batch.payments = {{{2022, 1}, 2, 5, PseudonymOf(1), 3},
                    {{2020, 4}, 19, 1, PseudonymOf(2), 0},
                    {{2022, 1}, 2, 5, PseudonymOf(1), 60}};
  return batch;
}

void ExpectSameFacts(const facts::FactBatch& a, const facts::FactBatch& b) {
  EXPECT_EQ(a.producer, b.producer);
  EXPECT_EQ(a.sequence, b.sequence);
  EXPECT_EQ(a.previous_sequence, b.previous_sequence);
  ASSERT_EQ(a.applications.size(), b.applications.size());
  for (size_t i = 0; i < a.applications.size(); ++i) {
    EXPECT_EQ(a.applications[i].month, b.applications[i].month);
    EXPECT_EQ(a.applications[i].region, b.applications[i].region);
    EXPECT_EQ(a.applications[i].type, b.applications[i].type);
  }
  ASSERT_EQ(a.payments.size(), b.payments.size());
  for (size_t i = 0; i < a.payments.size(); ++i) {
    EXPECT_EQ(a.payments[i].month, b.payments[i].month);
    EXPECT_EQ(a.payments[i].region, b.payments[i].region);
    EXPECT_EQ(a.payments[i].type, b.payments[i].type);
    EXPECT_EQ(a.payments[i].worker, b.payments[i].worker);
    EXPECT_EQ(a.payments[i].months_covered, b.payments[i].months_covered);
  }
}

class CubeConvertTest : public ::testing::Test {
 protected:
  std::string ErrorOf(const v1::ApplyRequest& request) {
    absl::StatusOr<facts::FactBatch> batch = FactBatchFromProto(request, codelists_);
    EXPECT_FALSE(batch.ok());
    EXPECT_EQ(batch.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(batch.status().message());
  }
  v1::ApplyRequest Encode(const facts::FactBatch& batch,
                          EventEncoding encoding = EventEncoding::kColumns) {
    absl::StatusOr<v1::ApplyRequest> request = FactBatchToProto(batch, codelists_, encoding);
    EXPECT_TRUE(request.ok()) << request.status();
    return request.value_or(v1::ApplyRequest());
  }
  domain::Codelists codelists_ = domain::Codelists::Builtin();
};

TEST_F(CubeConvertTest, ColumnsCarryEveryFactAndEachCodeOnce) {
  const facts::FactBatch batch = SampleBatch();
  const v1::ApplyRequest request = Encode(batch);
  EXPECT_EQ(request.events_size(), 0);
  EXPECT_EQ(request.columns().application_months(0), 202303u);
  EXPECT_EQ(request.columns().regions_size(), 4);  // regions 8, 0, 2 and 19, each once
  EXPECT_EQ(request.columns().payment_worker_pseudonyms().size(), 3 * facts::kPseudonymBytes);
  absl::StatusOr<facts::FactBatch> back = FactBatchFromProto(request, codelists_);
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameFacts(batch, *back);
}

TEST_F(CubeConvertTest, MessagesCarryEveryFactForAServerThatDoesNotReadColumns) {
  const facts::FactBatch batch = SampleBatch();
  const v1::ApplyRequest request = Encode(batch, EventEncoding::kMessages);
  EXPECT_FALSE(request.has_columns());
  EXPECT_EQ(request.events_size(),
            static_cast<int>(batch.applications.size() + batch.payments.size()));
  absl::StatusOr<facts::FactBatch> back = FactBatchFromProto(request, codelists_);
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameFacts(batch, *back);
}

TEST_F(CubeConvertTest, AFactOutsideTheCodelistsIsDataLossNotAnotherCell) {
  for (EventEncoding encoding :
       {EventEncoding::kColumns, EventEncoding::kMessages, EventEncoding::kRecords}) {
    facts::FactBatch batch = SampleBatch();
    batch.payments[1].region = static_cast<int>(codelists_.regions().size());
    absl::StatusOr<v1::ApplyRequest> request = FactBatchToProto(batch, codelists_, encoding);
    ASSERT_FALSE(request.ok());
    EXPECT_EQ(request.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(request.status().message(), HasSubstr("payments[1]"));

    batch = SampleBatch();
    batch.applications[0].type = 255;
    EXPECT_EQ(FactBatchToProto(batch, codelists_, encoding).status().code(),
              absl::StatusCode::kDataLoss);
  }
}

TEST_F(CubeConvertTest, EventsAndColumnsTogetherGiveAllTheirFacts) {
  v1::ApplyRequest request = Encode(SampleBatch());
  v1::CubePayment* extra = request.add_events()->mutable_payment();
  extra->mutable_period()->set_year(2024);
  extra->mutable_period()->set_month(6);
  extra->set_region("LAZIO");
  extra->set_intervention_type("FIS");
  extra->set_worker_pseudonym(std::string(facts::kPseudonymBytes, 'w'));
  extra->set_months_covered(2);
  absl::StatusOr<facts::FactBatch> batch = FactBatchFromProto(request, codelists_);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->applications.size(), 3u);
  ASSERT_EQ(batch->payments.size(), 4u);
  EXPECT_EQ(batch->payments[0].month, (domain::YearMonth{2024, 6}));  // `events` first
}

TEST_F(CubeConvertTest, BadColumnsNameTheColumnAndPosition) {
  const v1::ApplyRequest good = Encode(SampleBatch());

  v1::ApplyRequest request = good;
  request.mutable_columns()->mutable_payment_types()->RemoveLast();
  EXPECT_THAT(ErrorOf(request), HasSubstr("columns.payment_types: has 2 values"));

  request = good;
  request.mutable_columns()->set_payment_regions(1, 9);
  EXPECT_THAT(ErrorOf(request), HasSubstr("columns.payment_regions[1]: position 9 is outside"));

  request = good;
  request.mutable_columns()->set_application_months(2, 202313);
  EXPECT_THAT(ErrorOf(request), HasSubstr("columns.application_months[2]"));

  request = good;
  request.mutable_columns()->set_payment_months(0, 199912);
  EXPECT_THAT(ErrorOf(request), HasSubstr("columns.payment_months[0]"));

  request = good;
  request.mutable_columns()->set_payment_months_covered(2, 61);
  EXPECT_THAT(ErrorOf(request), HasSubstr("columns.payment_months_covered[2]: must be 0 to 60"));

  request = good;
  request.mutable_columns()->mutable_payment_worker_pseudonyms()->pop_back();
  EXPECT_THAT(ErrorOf(request), HasSubstr("columns.payment_worker_pseudonyms: must hold 32"));

  request = good;
  request.mutable_columns()->set_intervention_types(0, "CIGX");
  EXPECT_THAT(ErrorOf(request), HasSubstr("columns.intervention_types[0]"));
}

// Events sent one message each (to a server without columns, or by any client of the proto):
// a bad field is named with its event's position, and a region or type in any accepted spelling
// gives the same cell as the exact code.
TEST_F(CubeConvertTest, EventMessagesNameTheEventAndFieldAndAcceptEverySpelling) {
  const v1::ApplyRequest good = Encode(SampleBatch(), EventEncoding::kMessages);
  ASSERT_TRUE(good.events(0).has_application());
  ASSERT_TRUE(good.events(4).has_payment());

  v1::ApplyRequest request = good;
  request.mutable_events(0)->mutable_application()->mutable_period()->set_month(13);
  EXPECT_THAT(ErrorOf(request), HasSubstr("events[0].application.period: month must lie in"));

  request = good;
  request.mutable_events(4)->mutable_payment()->set_region("ATLANTIDE");
  EXPECT_THAT(ErrorOf(request), HasSubstr("events[4].payment.region: unknown region"));

  request = good;
  request.mutable_events(4)->mutable_payment()->set_intervention_type("CIGX");
  EXPECT_THAT(ErrorOf(request), HasSubstr("events[4].payment.intervention_type: unknown"));

  request = good;
  request.mutable_events(4)->mutable_payment()->set_worker_pseudonym("short");
  EXPECT_THAT(ErrorOf(request), HasSubstr("events[4].payment.worker_pseudonym: must be 32"));

  request = good;
  request.mutable_events(5)->clear_kind();
  EXPECT_THAT(ErrorOf(request), HasSubstr("events[5]: must hold an application or a payment"));

  request = good;
  const std::string exact_region = request.events(4).payment().region();
  const std::string exact_type = request.events(4).payment().intervention_type();
  request.mutable_events(4)->mutable_payment()->set_region(absl::AsciiStrToLower(exact_region));
  request.mutable_events(4)->mutable_payment()->set_intervention_type(
      absl::AsciiStrToLower(exact_type));
  absl::StatusOr<facts::FactBatch> back = FactBatchFromProto(request, codelists_);
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameFacts(SampleBatch(), *back);
}

TEST_F(CubeConvertTest, RecordsCarryEveryFactWithTheCodelistsInIndexOrder) {
  const facts::FactBatch batch = SampleBatch();
  const v1::ApplyRequest request = Encode(batch, EventEncoding::kRecords);
  EXPECT_EQ(request.events_size(), 0);
  EXPECT_EQ(request.columns().payment_months_size(), 0);
  EXPECT_EQ(request.columns().regions_size(), static_cast<int>(codelists_.regions().size()));
  EXPECT_EQ(request.columns().regions(8), codelists_.regions()[8].inps_label);
  EXPECT_EQ(request.columns().application_records().size(), 3 * 5u);
  EXPECT_EQ(request.columns().payment_records().size(), 3 * 39u);
  absl::StatusOr<facts::FactBatch> back = FactBatchFromProto(request, codelists_);
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameFacts(batch, *back);
}

// A client writing records from aggregation.proto's description alone: the bytes it lays out by
// hand are the facts it meant.
TEST_F(CubeConvertTest, RecordsLaidOutAsTheProtoDescribesAreRead) {
  v1::ApplyRequest request;
  request.set_producer_id("client");
  request.set_sequence(1);
  v1::CubeEventColumns& columns = *request.mutable_columns();
  columns.add_regions("LAZIO");
  columns.add_regions("LOMBARDIA");
  columns.add_intervention_types("FIS");
  // 2023-07 (0x07e7), region position 1, type position 0.
  columns.set_application_records(std::string("\x07\xe7\x07\x01\x00", 5));
  // 2024-02, region position 0, type position 0, 12 months covered (0x000c).
  std::string payment("\x07\xe8\x02\x00\x00\x00\x0c", 7);
  payment.append(std::string(facts::kPseudonymBytes, 'k'));
  columns.set_payment_records(payment);
  absl::StatusOr<facts::FactBatch> batch = FactBatchFromProto(request, codelists_);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->applications.size(), 1u);
  EXPECT_EQ(batch->applications[0].month, (domain::YearMonth{2023, 7}));
  EXPECT_EQ(codelists_.regions()[batch->applications[0].region].inps_label, "LOMBARDIA");
  EXPECT_EQ(codelists_.intervention_types()[batch->applications[0].type].code, "FIS");
  ASSERT_EQ(batch->payments.size(), 1u);
  EXPECT_EQ(batch->payments[0].month, (domain::YearMonth{2024, 2}));
  EXPECT_EQ(codelists_.regions()[batch->payments[0].region].inps_label, "LAZIO");
  EXPECT_EQ(batch->payments[0].months_covered, 12u);
  facts::Pseudonym worker;
  worker.fill('k');
  EXPECT_EQ(batch->payments[0].worker, worker);
}

// Records are whole events beside the packed columns, with lengths of their own, and refer to
// the same code lists.
TEST_F(CubeConvertTest, ColumnsAndRecordsTogetherGiveAllTheirFacts) {
  v1::ApplyRequest request = Encode(SampleBatch());
  ASSERT_GT(request.columns().regions_size(), 1);
  // 2021-05, the request's second region and first type, 2 months covered.
  std::string record("\x07\xe5\x05\x01\x00\x00\x02", 7);
  record.append(std::string(facts::kPseudonymBytes, 'r'));
  request.mutable_columns()->set_payment_records(record);
  absl::StatusOr<facts::FactBatch> batch = FactBatchFromProto(request, codelists_);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->applications.size(), 3u);
  ASSERT_EQ(batch->payments.size(), 4u);
  const facts::PaymentFact& last = batch->payments[3];
  EXPECT_EQ(last.month, (domain::YearMonth{2021, 5}));
  EXPECT_EQ(codelists_.regions()[last.region].inps_label, request.columns().regions(1));
  EXPECT_EQ(codelists_.intervention_types()[last.type].code,
            request.columns().intervention_types(0));
  EXPECT_EQ(last.months_covered, 2u);
  EXPECT_EQ(last.worker[0], 'r');
}

TEST_F(CubeConvertTest, BadRecordsNameTheColumnPositionAndField) {
  const v1::ApplyRequest good = Encode(SampleBatch(), EventEncoding::kRecords);
  const auto with_payment_byte = [&](size_t payment, size_t offset, char value) {
    v1::ApplyRequest request = good;
    (*request.mutable_columns()->mutable_payment_records())[payment * 39 + offset] = value;
    return request;
  };

  v1::ApplyRequest request = good;
  request.mutable_columns()->mutable_payment_records()->pop_back();
  EXPECT_THAT(ErrorOf(request), HasSubstr("columns.payment_records: must hold 39 bytes per"));

  request = good;
  request.mutable_columns()->mutable_application_records()->push_back('\0');
  EXPECT_THAT(ErrorOf(request), HasSubstr("columns.application_records: must hold 5 bytes per"));

  EXPECT_THAT(ErrorOf(with_payment_byte(1, 3, static_cast<char>(200))),
              HasSubstr("columns.payment_records[1].region: position 200 is outside"));
  EXPECT_THAT(ErrorOf(with_payment_byte(2, 4, static_cast<char>(250))),
              HasSubstr("columns.payment_records[2].type: position 250 is outside"));
  EXPECT_THAT(ErrorOf(with_payment_byte(0, 2, 13)),
              HasSubstr("columns.payment_records[0].month: month must be within"));
  EXPECT_THAT(ErrorOf(with_payment_byte(0, 0, 0)), HasSubstr("columns.payment_records[0].month"));
  EXPECT_THAT(ErrorOf(with_payment_byte(2, 6, 61)),
              HasSubstr("columns.payment_records[2].months_covered: must be 0 to 60, got 61"));
  EXPECT_THAT(ErrorOf(with_payment_byte(2, 5, 1)),
              HasSubstr("columns.payment_records[2].months_covered: must be 0 to 60, got 316"));

  request = good;
  (*request.mutable_columns()->mutable_application_records())[2 * 5 + 3] = 30;
  EXPECT_THAT(ErrorOf(request),
              HasSubstr("columns.application_records[2].region: position 30 is outside"));
}

TEST_F(CubeConvertTest, ARecordBatchTravelsAsItIsAndARecordOutsideTheCodelistsIsDataLoss) {
  const facts::RecordBatch records = facts::RecordsOf(SampleBatch());
  ExpectSameFacts(SampleBatch(), facts::FactsOf(records));
  absl::StatusOr<v1::ApplyRequest> request = RecordBatchToProto(records, codelists_);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->columns().payment_records(), records.payment_records);
  EXPECT_EQ(request->previous_sequence(), 41u);
  absl::StatusOr<facts::FactBatch> back = FactBatchFromProto(*request, codelists_);
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameFacts(SampleBatch(), *back);

  facts::RecordBatch damaged = records;
  damaged.payment_records[1 * 39 + 3] = static_cast<char>(codelists_.regions().size());
  absl::StatusOr<v1::ApplyRequest> refused = RecordBatchToProto(damaged, codelists_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(refused.status().message(), HasSubstr("payments[1]"));

  damaged = records;
  damaged.application_records.pop_back();
  EXPECT_EQ(RecordBatchToProto(damaged, codelists_).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace omnia::api

// The Apply request's two encodings of events: one message per event (`events`) and columns.
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
  for (EventEncoding encoding : {EventEncoding::kColumns, EventEncoding::kMessages}) {
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

}  // namespace
}  // namespace omnia::api

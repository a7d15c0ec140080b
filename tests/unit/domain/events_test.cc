#include "libs/domain/events.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/domain/codelists.h"

namespace omnia::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// A syntactically valid, made-up codice fiscale.
constexpr char kWorker[] = "RSSMRA80A01H501U";

std::vector<std::string> Fields(const std::vector<FieldError>& errors) {
  std::vector<std::string> fields;
  for (const FieldError& error : errors) fields.push_back(error.field);
  return fields;
}

class EventsTest : public ::testing::Test {
 protected:
  ApplicationAuthorized Application() const {
    return ApplicationAuthorized{"A-2023-000001", Date{2023, 4, 17}, "EMILIA_ROMAGNA", "CIGO"};
  }
  PaymentIssued Payment() const {
    return PaymentIssued{"P-1", kWorker, Date{2024, 2, 29}, "VALLE_D'AOSTA", "FONDI_Centrali", 3};
  }
  RawPayment Raw() const { return RawPayment{"P-1", kWorker, "2023-04-17", "LAZIO", "CIGS", "2"}; }

  Codelists lists_ = Codelists::Builtin();
};

TEST_F(EventsTest, ValidEventsPass) {
  EXPECT_THAT(Validate(Application(), lists_), IsEmpty());
  EXPECT_THAT(Validate(Payment(), lists_), IsEmpty());
}

TEST_F(EventsTest, ApplicationEveryFieldChecked) {
  ApplicationAuthorized event{"", Date{2023, 2, 30}, "Emilia-Romagna", "CIGX"};
  const std::vector<FieldError> errors = Validate(event, lists_);
  EXPECT_THAT(Fields(errors),
              ElementsAre("application_id", "authorized_on", "region", "intervention_type"));
  EXPECT_THAT(errors[0].reason, HasSubstr("empty"));
  EXPECT_THAT(errors[1].reason, HasSubstr("2023-02-30"));
  // A name is not a code, but it is recognised and the code suggested.
  EXPECT_THAT(errors[2].reason, HasSubstr("use the INPS label EMILIA_ROMAGNA"));
  EXPECT_THAT(errors[3].reason, HasSubstr("valid codes: CIGO"));
}

// ingestion.proto: a region is "a region code (INPS label or ISTAT code)", and common.proto:
// "Input codes are matched case-insensitively".
TEST_F(EventsTest, CodesAreTakenInAnyCaseAndRegionsByTheirIstatCode) {
  for (const auto& [region, type] : std::vector<std::pair<std::string, std::string>>{
           {"emilia_romagna", "cigo"}, {"08", "CIGO"}, {"Valle_D'Aosta", "fondi_territorio"}}) {
    ApplicationAuthorized application = Application();
    application.region = region;
    application.intervention_type = type;
    EXPECT_THAT(Validate(application, lists_), IsEmpty()) << region << " " << type;
    PaymentIssued payment = Payment();
    payment.region = region;
    payment.intervention_type = type;
    EXPECT_THAT(Validate(payment, lists_), IsEmpty()) << region << " " << type;
  }
}

// The positions Validate hands back are those of the codes as written, in any accepted form, so
// that converting a checked event needs no second lookup; a code not found is -1.
TEST_F(EventsTest, ValidateGivesTheCodelistPositionsItFound) {
  const int emilia = lists_.RegionByInpsLabel("EMILIA_ROMAGNA")->index;
  const int cigo = lists_.InterventionTypeByCode("CIGO")->index;
  for (const auto& [region, type] : std::vector<std::pair<std::string, std::string>>{
           {"EMILIA_ROMAGNA", "CIGO"}, {"emilia_romagna", "cigo"}, {"08", "Cigo"}}) {
    ApplicationAuthorized application = Application();
    application.region = region;
    application.intervention_type = type;
    CodeIndices codes;
    EXPECT_THAT(Validate(application, lists_, kLatestDate, &codes), IsEmpty());
    EXPECT_EQ(codes.region, emilia) << region;
    EXPECT_EQ(codes.type, cigo) << type;
    PaymentIssued payment = Payment();
    payment.region = region;
    payment.intervention_type = type;
    codes = {};
    EXPECT_THAT(Validate(payment, lists_, kLatestDate, &codes), IsEmpty());
    EXPECT_EQ(codes.region, emilia) << region;
    EXPECT_EQ(codes.type, cigo) << type;
  }
  PaymentIssued unknown_region = Payment();
  unknown_region.region = "PADANIA";
  unknown_region.intervention_type = "CIGO";
  CodeIndices codes;
  EXPECT_THAT(Fields(Validate(unknown_region, lists_, kLatestDate, &codes)), ElementsAre("region"));
  EXPECT_EQ(codes.region, -1);
  EXPECT_EQ(codes.type, cigo);
}

// A reader that resolved a code once for many events passes its position in: it is taken as
// found, whatever the event's text (left empty by such a reader); a -1 is still looked up.
TEST_F(EventsTest, PositionsAlreadyFoundAreTakenWithoutALookup) {
  PaymentIssued payment = Payment();
  payment.region.clear();
  payment.intervention_type.clear();
  CodeIndices codes{3, 2};
  EXPECT_THAT(Validate(payment, lists_, kLatestDate, &codes), IsEmpty());
  EXPECT_EQ(codes.region, 3);
  EXPECT_EQ(codes.type, 2);
  payment.intervention_type = "CIGO";
  codes = {3, -1};
  EXPECT_THAT(Validate(payment, lists_, kLatestDate, &codes), IsEmpty());
  EXPECT_EQ(codes.type, lists_.InterventionTypeByCode("CIGO")->index);
  codes = {-1, 2};
  EXPECT_THAT(Fields(Validate(payment, lists_, kLatestDate, &codes)), ElementsAre("region"));
  // A position beyond the codelist is no position: the text is looked up.
  payment.region = "LAZIO";
  codes = {static_cast<int>(lists_.regions().size()), 2};
  EXPECT_THAT(Validate(payment, lists_, kLatestDate, &codes), IsEmpty());
  EXPECT_EQ(codes.region, lists_.RegionByInpsLabel("LAZIO")->index);
}

TEST_F(EventsTest, UnknownCodesListValidOnes) {
  ApplicationAuthorized event = Application();
  event.region = "PADANIA";
  event.intervention_type = "NASPI";
  const std::vector<FieldError> errors = Validate(event, lists_);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0].reason, HasSubstr("'PADANIA'"));
  EXPECT_THAT(errors[0].reason, HasSubstr("TRENTINO_ALTO_ADIGE"));
  EXPECT_THAT(errors[1].reason, HasSubstr("'NASPI'"));
  EXPECT_THAT(errors[1].reason, HasSubstr("FONDI_Territorio"));
}

TEST_F(EventsTest, IdRules) {
  struct Case {
    std::string id;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"A", true},
      {std::string(64, 'a'), true},
      {"2023/INPS-00:17_x.y#3", true},
      {"", false},
      {std::string(65, 'a'), false},
      // ingestion.proto: printable ASCII (0x21 to 0x7E) except comma and double quote.
      {"A;1|B'2\\C!~", true},
      {"A 1", false},
      {"A,1", false},
      {"A\"1", false},
      {"A\t1", false},
      {"A\x7F", false},
      {"Citt\xC3\xA0", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.id);
    ApplicationAuthorized event = Application();
    event.application_id = c.id;
    EXPECT_EQ(Validate(event, lists_).empty(), c.ok);
  }
}

TEST_F(EventsTest, DatesMustBeRealAndInRange) {
  for (const Date& date : {Date{2019, 12, 31}, Date{2101, 1, 1}, Date{2023, 2, 29},
                           Date{2023, 4, 0}, Date{2023, 13, 1}, Date{}}) {
    ApplicationAuthorized event = Application();
    event.authorized_on = date;
    EXPECT_THAT(Fields(Validate(event, lists_)), ElementsAre("authorized_on"))
        << FormatIsoDate(date);
  }
}

TEST_F(EventsTest, DatesAfterTheLatestAcceptedDayAreRefused) {
  const Date today{2024, 2, 29};
  ApplicationAuthorized application = Application();
  application.authorized_on = today;
  EXPECT_THAT(Validate(application, lists_, today), IsEmpty());
  application.authorized_on = Date{2024, 3, 1};
  const std::vector<FieldError> errors = Validate(application, lists_, today);
  ASSERT_THAT(Fields(errors), ElementsAre("authorized_on"));
  EXPECT_THAT(errors[0].reason,
              HasSubstr("2024-03-01 is after today's date in Italy (2024-02-29)"));

  PaymentIssued payment = Payment();
  payment.paid_on = Date{2025, 1, 1};
  EXPECT_THAT(Fields(Validate(payment, lists_, today)), ElementsAre("paid_on"));
  RawPayment raw = Raw();
  raw.paid_on = "2024-03-01";
  PaymentIssued parsed;
  EXPECT_THAT(Fields(ParsePayment(raw, lists_, &parsed, today)), ElementsAre("paid_on"));
  raw.paid_on = "2024-02-29";
  EXPECT_THAT(ParsePayment(raw, lists_, &parsed, today), IsEmpty());
}

TEST_F(EventsTest, WorkerIdShapes) {
  // ingestion.proto: the codice fiscale pattern (6 letters, 2 digits, a letter, 2 digits, a
  // letter, 3 digits, a letter; L M N P Q R S T U V in place of digits), or 11 digits.
  for (const char* id : {kWorker, "rssmra80a01h501u", "RSSMRA8LA0MH5LMU", "12345678901"}) {
    PaymentIssued event = Payment();
    event.worker_id = id;
    EXPECT_THAT(Validate(event, lists_), IsEmpty()) << id;
  }
  for (const char* id :
       {"", "RSSMRA80A01H501", "RSSMRA80A01H501UX", "RSSMRA80A01H50-U", "1234567890", "1234567890A",
        "RSSMRA80A01H501\xC3", "ABCDEFGHIJKLMNOP", "1234567890ABCDEF", "RSSMR480A01H501U",
        "RSSMRA80A01H5O1U", "RSSMRA80A0101501U"}) {
    PaymentIssued event = Payment();
    event.worker_id = id;
    const std::vector<FieldError> errors = Validate(event, lists_);
    ASSERT_THAT(Fields(errors), ElementsAre("worker_id")) << id;
    if (*id != '\0') {
      EXPECT_THAT(errors[0].reason, Not(HasSubstr(id)));
    }
  }
}

TEST_F(EventsTest, MonthsCoveredRange) {
  for (const int64_t months : {0, 1, 12, 13, 60}) {  // ingestion.proto: 0 to 60
    PaymentIssued event = Payment();
    event.months_covered = months;
    EXPECT_THAT(Validate(event, lists_), IsEmpty()) << months;
  }
  for (const int64_t months : {int64_t{-1}, int64_t{61}, int64_t{1} << 40}) {
    PaymentIssued event = Payment();
    event.months_covered = months;
    const std::vector<FieldError> errors = Validate(event, lists_);
    ASSERT_THAT(Fields(errors), ElementsAre("months_covered")) << months;
    EXPECT_THAT(errors[0].reason, HasSubstr("0 to 60"));
  }
}

TEST_F(EventsTest, ParsePaymentFillsEventAndNormalisesWorkerId) {
  RawPayment raw = Raw();
  raw.worker_id = "rssmra80a01h501u";
  PaymentIssued out;
  ASSERT_THAT(ParsePayment(raw, lists_, &out), IsEmpty());
  EXPECT_EQ(out.payment_id, "P-1");
  EXPECT_EQ(out.worker_id, kWorker);
  EXPECT_EQ(out.paid_on, (Date{2023, 4, 17}));
  EXPECT_EQ(out.region, "LAZIO");
  EXPECT_EQ(out.intervention_type, "CIGS");
  EXPECT_EQ(out.months_covered, 2);
  EXPECT_THAT(Validate(out, lists_), IsEmpty());
  EXPECT_EQ(NormalizeWorkerId("rssmra80a01h501u"), kWorker);
}

TEST_F(EventsTest, ParsePaymentReportsEveryBadField) {
  const RawPayment raw{"", "not-a-cf", "2023-02-30", "ITI4", "CIGX", "1.5"};
  PaymentIssued out;
  out.payment_id = "untouched";
  const std::vector<FieldError> errors = ParsePayment(raw, lists_, &out);
  EXPECT_THAT(Fields(errors), ElementsAre("payment_id", "worker_id", "paid_on", "region",
                                          "intervention_type", "months_covered"));
  EXPECT_EQ(out.payment_id, "untouched");
  EXPECT_THAT(JoinFieldErrors(errors), HasSubstr("paid_on: invalid date '2023-02-30'"));
  EXPECT_THAT(JoinFieldErrors(errors), Not(HasSubstr("not-a-cf")));
}

TEST_F(EventsTest, ParseMonthsCovered) {
  for (const char* text : {"0", "12", "60", "007"}) {
    RawPayment raw = Raw();
    raw.months_covered = text;
    PaymentIssued out;
    EXPECT_THAT(ParsePayment(raw, lists_, &out), IsEmpty()) << text;
  }
  for (const char* text : {"", "-1", "61", "1.0", "1e1", " 1", "+1", "99999999999999999999999"}) {
    RawPayment raw = Raw();
    raw.months_covered = text;
    PaymentIssued out;
    EXPECT_THAT(Fields(ParsePayment(raw, lists_, &out)), ElementsAre("months_covered")) << text;
  }
}

TEST_F(EventsTest, WorkerIdNeverAppearsInAnyReason) {
  // Swapped columns: the tax code lands in fields whose values are normally echoed.
  const RawPayment raw{kWorker, "P-1", kWorker, kWorker, kWorker, "12345678901"};
  PaymentIssued out;
  const std::vector<FieldError> errors = ParsePayment(raw, lists_, &out);
  EXPECT_THAT(Fields(errors),
              ElementsAre("worker_id", "paid_on", "region", "intervention_type", "months_covered"));
  const std::string joined = JoinFieldErrors(errors);
  EXPECT_THAT(joined, Not(HasSubstr(kWorker)));
  EXPECT_THAT(joined, Not(HasSubstr("12345678901")));
  EXPECT_THAT(joined, HasSubstr("withheld"));
}

TEST_F(EventsTest, NoReasonShowsAWorkerIdShapeEvenInsideALongerOrEscapedValue) {
  // The reasons given for a payment whose `field` (a member of RawPayment) holds `value`.
  const auto reasons = [&](std::string_view RawPayment::*field, const std::string& value) {
    RawPayment raw = Raw();
    raw.*field = value;
    PaymentIssued out;
    return JoinFieldErrors(ParsePayment(raw, lists_, &out));
  };
  // A tax code inside a longer value is echoed no more than a whole one; nor is a run of digits
  // that only the quoting's escapes make 11 long ("\x80" followed by ten zeros: found by
  // fuzzing the batch check). Dates too, whose message the date parser words.
  const std::string escaped_run = std::string("000000\0\0\x80", 9) + "0000000000";
  const std::vector<std::pair<std::string_view RawPayment::*, std::string>> cases = {
      {&RawPayment::region, "LAZIO-" + std::string(kWorker)},
      {&RawPayment::region, "x12345678901x"},
      {&RawPayment::region, escaped_run},
      {&RawPayment::paid_on, "2023-" + std::string(kWorker)},
      {&RawPayment::paid_on, "x12345678901"},
  };
  for (const auto& [field, value] : cases) {
    const std::string joined = reasons(field, value);
    EXPECT_THAT(joined, Not(HasSubstr(kWorker))) << joined;
    EXPECT_THAT(joined, Not(HasSubstr("12345678901"))) << joined;
    EXPECT_THAT(joined, Not(HasSubstr("00000000000"))) << joined;
    EXPECT_THAT(joined, HasSubstr("withheld")) << joined;
  }
  // Ordinary wrong values are still shown, so the sender can see the mistake.
  EXPECT_THAT(reasons(&RawPayment::region, "Lazio 2"), HasSubstr("'Lazio 2'"));
}

TEST_F(EventsTest, ParseApplication) {
  ApplicationAuthorized out;
  const RawApplication raw{"A-7", "2023-12-31", "SARDEGNA", "FONDI_Territorio"};
  ASSERT_THAT(ParseApplication(raw, lists_, &out), IsEmpty());
  EXPECT_EQ(out.application_id, "A-7");
  EXPECT_EQ(out.authorized_on, (Date{2023, 12, 31}));
  EXPECT_EQ(out.region, "SARDEGNA");
  EXPECT_EQ(out.intervention_type, "FONDI_Territorio");

  const RawApplication bad{"A 7", "31/12/2023", "SARDEGNA", "FONDI_Territorio"};
  EXPECT_THAT(Fields(ParseApplication(bad, lists_, &out)),
              ElementsAre("application_id", "authorized_on"));
}

TEST_F(EventsTest, ParseAndValidateAgree) {
  // The typed and raw paths apply the same rules.
  const RawApplication raw{"A-1", "2100-02-29", "LAZIO", "CIGO"};
  ApplicationAuthorized out;
  EXPECT_THAT(Fields(ParseApplication(raw, lists_, &out)), ElementsAre("authorized_on"));
  ApplicationAuthorized typed{"A-1", Date{2100, 2, 29}, "LAZIO", "CIGO"};
  EXPECT_THAT(Fields(Validate(typed, lists_)), ElementsAre("authorized_on"));
}

TEST(LooksLikeWorkerIdTest, Shapes) {
  EXPECT_TRUE(LooksLikeWorkerId("RSSMRA80A01H501U"));
  EXPECT_TRUE(LooksLikeWorkerId("rssmra80a01h501u"));
  EXPECT_TRUE(LooksLikeWorkerId("01234567890"));
  EXPECT_FALSE(LooksLikeWorkerId("0123456789A"));
  EXPECT_FALSE(LooksLikeWorkerId(""));
  EXPECT_FALSE(LooksLikeWorkerId("RSSMRA80A01H501_"));
}

}  // namespace
}  // namespace omnia::domain

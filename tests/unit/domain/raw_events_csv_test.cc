#include "libs/domain/raw_events_csv.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/domain/codelists.h"
#include "libs/domain/events.h"

namespace omnia::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Made-up but well-formed tax codes.
constexpr char kWorker1[] = "RSSMRA80A01H501U";
constexpr char kWorker2[] = "VRDLGU75C12F205X";

const std::string kApplicationsHeader = "application_id,authorized_on,region,intervention_type";
const std::string kPaymentsHeader =
    "payment_id,worker_id,paid_on,region,intervention_type,months_covered";

std::string Message(const absl::Status& status) { return std::string(status.message()); }

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

struct ParseResult {
  absl::Status status;
  RawEventBatch batch;
  std::optional<RawEventKind> kind;
  int64_t rows = 0;
};

ParseResult Parse(const Codelists& lists, std::string_view input, size_t chunk_size = 0) {
  RawEventsCsvParser parser(lists);
  ParseResult result;
  if (chunk_size == 0) chunk_size = input.size() + 1;
  for (size_t pos = 0; pos < input.size() && result.status.ok(); pos += chunk_size) {
    result.status = parser.Feed(input.substr(pos, chunk_size), &result.batch);
  }
  if (result.status.ok()) result.status = parser.Finish(&result.batch);
  result.kind = parser.kind();
  result.rows = parser.rows();
  return result;
}

bool SameApplications(const std::vector<ApplicationAuthorized>& a,
                      const std::vector<ApplicationAuthorized>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].application_id != b[i].application_id || a[i].authorized_on != b[i].authorized_on ||
        a[i].region != b[i].region || a[i].intervention_type != b[i].intervention_type) {
      return false;
    }
  }
  return true;
}

bool SamePayments(const std::vector<PaymentIssued>& a, const std::vector<PaymentIssued>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].payment_id != b[i].payment_id || a[i].worker_id != b[i].worker_id ||
        a[i].paid_on != b[i].paid_on || a[i].region != b[i].region ||
        a[i].intervention_type != b[i].intervention_type ||
        a[i].months_covered != b[i].months_covered) {
      return false;
    }
  }
  return true;
}

class RawEventsCsvTest : public ::testing::Test {
 protected:
  Codelists lists_ = Codelists::Builtin();
};

TEST_F(RawEventsCsvTest, ParsesApplications) {
  const std::string input = "\xEF\xBB\xBF" + kApplicationsHeader +
                            "\r\n"
                            "A-1,2023-04-17,EMILIA_ROMAGNA,CIGO\r\n"
                            "A-2,2024-02-29,VALLE_D'AOSTA,FONDI_Territorio\r\n";
  const ParseResult result = Parse(lists_, input);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.kind, RawEventKind::kApplicationAuthorized);
  EXPECT_EQ(result.rows, 2);
  ASSERT_EQ(result.batch.applications.size(), 2u);
  EXPECT_TRUE(result.batch.payments.empty());
  EXPECT_EQ(result.batch.applications[0].application_id, "A-1");
  EXPECT_EQ(result.batch.applications[0].authorized_on, (Date{2023, 4, 17}));
  EXPECT_EQ(result.batch.applications[0].region, "EMILIA_ROMAGNA");
  EXPECT_EQ(result.batch.applications[1].intervention_type, "FONDI_Territorio");
  EXPECT_THAT(result.batch.lines, ElementsAre(2, 3));
}

TEST_F(RawEventsCsvTest, ParsesPayments) {
  const std::string input = kPaymentsHeader + "\n" + "P-1," + kWorker1 +
                            ",2023-01-31,LAZIO,CIGS,1\n"
                            "P-2," +
                            Lower(kWorker2) + ",2023-12-01,SICILIA,FIS,0\n" +
                            "P-3,01234567890,2023-06-15,PUGLIA,CIGD,12";  // no final newline
  const ParseResult result = Parse(lists_, input);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.kind, RawEventKind::kPaymentIssued);
  ASSERT_EQ(result.batch.payments.size(), 3u);
  const PaymentIssued& first = result.batch.payments[0];
  EXPECT_EQ(first.payment_id, "P-1");
  EXPECT_EQ(first.worker_id, kWorker1);
  EXPECT_EQ(first.paid_on, (Date{2023, 1, 31}));
  EXPECT_EQ(first.region, "LAZIO");
  EXPECT_EQ(first.intervention_type, "CIGS");
  EXPECT_EQ(first.months_covered, 1);
  EXPECT_EQ(result.batch.payments[1].worker_id, kWorker2);  // normalised to upper case
  EXPECT_EQ(result.batch.payments[2].worker_id, "01234567890");
  EXPECT_EQ(result.batch.payments[2].months_covered, 12);
  EXPECT_THAT(result.batch.lines, ElementsAre(2, 3, 4));
}

TEST_F(RawEventsCsvTest, HeaderOnlyIsAnEmptyBatch) {
  const ParseResult result = Parse(lists_, kPaymentsHeader + "\r\n");
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.kind, RawEventKind::kPaymentIssued);
  EXPECT_EQ(result.rows, 0);
}

TEST_F(RawEventsCsvTest, EverySplitPointGivesTheSameEvents) {
  const std::string payments = "\xEF\xBB\xBF" + kPaymentsHeader + "\r\nP-1," + kWorker1 +
                               ",2023-01-31,LAZIO,CIGS,1\r\nP-2," + kWorker2 +
                               ",2023-02-28,MOLISE,FIS,2\r\n";
  const ParseResult whole = Parse(lists_, payments);
  ASSERT_TRUE(whole.status.ok()) << whole.status;
  ASSERT_EQ(whole.batch.payments.size(), 2u);
  for (size_t cut = 0; cut <= payments.size(); ++cut) {
    RawEventsCsvParser parser(lists_);
    RawEventBatch batch;
    ASSERT_TRUE(parser.Feed(payments.substr(0, cut), &batch).ok()) << cut;
    ASSERT_TRUE(parser.Feed(payments.substr(cut), &batch).ok()) << cut;
    ASSERT_TRUE(parser.Finish(&batch).ok()) << cut;
    EXPECT_TRUE(SamePayments(batch.payments, whole.batch.payments)) << cut;
    EXPECT_EQ(batch.lines, whole.batch.lines) << cut;
  }
  const std::string applications = kApplicationsHeader +
                                   "\r\nA-1,2023-04-17,EMILIA_ROMAGNA,CIGO\r\n"
                                   "A-2,2023-04-18,TOSCANA,CIGO\r\n";
  const ParseResult reference = Parse(lists_, applications);
  const ParseResult bytes = Parse(lists_, applications, 1);
  ASSERT_TRUE(bytes.status.ok()) << bytes.status;
  EXPECT_TRUE(SameApplications(bytes.batch.applications, reference.batch.applications));
}

// A sink that sees events without copying them and can stop the parse.
class CountingSink : public RawEventSink {
 public:
  absl::Status OnApplication(const ApplicationAuthorized&, int64_t) override {
    ++applications;
    return absl::OkStatus();
  }
  absl::Status OnPayment(const PaymentIssued& event, int64_t line) override {
    ++payments;
    months += event.months_covered;
    if (line == stop_at_line) return absl::ResourceExhaustedError("sink is full");
    return absl::OkStatus();
  }
  int applications = 0;
  int payments = 0;
  int64_t months = 0;
  int64_t stop_at_line = -1;
};

TEST_F(RawEventsCsvTest, SinkSeesEventsAndCanStop) {
  std::string input = kPaymentsHeader + "\n";
  for (int i = 0; i < 1000; ++i) {
    input += "P-" + std::to_string(i) + "," + kWorker1 + ",2023-03-15,LAZIO,CIGO," +
             std::to_string(i % 13) + "\n";
  }
  RawEventsCsvParser parser(lists_);
  CountingSink sink;
  ASSERT_TRUE(parser.Feed(input, &sink).ok());
  ASSERT_TRUE(parser.Finish(&sink).ok());
  EXPECT_EQ(sink.payments, 1000);
  EXPECT_EQ(sink.applications, 0);
  int64_t expected_months = 0;
  for (int i = 0; i < 1000; ++i) expected_months += i % 13;
  EXPECT_EQ(sink.months, expected_months);

  RawEventsCsvParser stopped(lists_);
  CountingSink full;
  full.stop_at_line = 11;
  EXPECT_EQ(stopped.Feed(input, &full), absl::ResourceExhaustedError("sink is full"));
  EXPECT_EQ(full.payments, 10);
  EXPECT_EQ(stopped.rows(), 9);
}

struct BadInput {
  const char* name;
  std::string input;
  std::string prefix;
  std::string detail;
};

std::string Payments(const std::string& rows) { return kPaymentsHeader + "\r\n" + rows + "\r\n"; }
std::string Applications(const std::string& rows) {
  return kApplicationsHeader + "\r\n" + rows + "\r\n";
}

const std::string kGoodPayment = std::string("P-1,") + kWorker1 + ",2023-01-31,LAZIO,CIGS,1";

std::vector<BadInput> BadInputs() {
  const std::string w = kWorker1;
  return {
      {"empty file", "", "line 1:", "missing header"},
      {"unknown header", "id,date,region,type\n", "line 1:", "unrecognised header"},
      {"missing header", kGoodPayment + "\n", "line 1:", "unrecognised header"},
      {"payments header with wrong column",
       "payment_id,worker_id,date,region,intervention_type,months_covered\n",
       "line 1, column paid_on:", "header column 3"},
      {"applications header with extra column", kApplicationsHeader + ",months_covered\n",
       "line 1:", "5 columns"},
      {"too few fields", Applications("A-1,2023-04-17,LAZIO"),
       "line 2, column intervention_type:", "expected 4 fields"},
      {"too many fields", Payments(kGoodPayment + "\r\n" + kGoodPayment + ",extra"),
       "line 3, column 7:", "expected 6 fields"},
      {"empty line", Payments(kGoodPayment + "\r\n"),
       "line 3, column payment_id:", "the line is empty"},
      {"impossible date", Applications("A-1,2023-02-30,LAZIO,CIGO"),
       "line 2, column authorized_on:", "'2023-02-30'"},
      {"non-ISO date", Applications("A-1,30/01/2023,LAZIO,CIGO"),
       "line 2, column authorized_on:", "YYYY-MM-DD"},
      {"date before 2020", Payments("P-1," + w + ",2019-12-31,LAZIO,CIGS,1"),
       "line 2, column paid_on:", "out of range"},
      {"unknown region", Applications("A-1,2023-01-02,LOMBARDY,CIGO"),
       "line 2, column region:", "'LOMBARDY'"},
      {"region NUTS code", Applications("A-1,2023-01-02,ITI4,CIGO"),
       "line 2, column region:", "use the INPS label LAZIO"},
      {"unknown type", Payments("P-1," + w + ",2023-01-31,LAZIO,CIG,1"),
       "line 2, column intervention_type:", "'CIG'"},
      {"bad worker id", Payments("P-1,RSSMRA80A01H50,2023-01-31,LAZIO,CIGS,1"),
       "line 2, column worker_id:", "codice fiscale"},
      {"months too many", Payments("P-1," + w + ",2023-01-31,LAZIO,CIGS,61"),
       "line 2, column months_covered:", "0 to 60"},
      {"months negative", Payments("P-1," + w + ",2023-01-31,LAZIO,CIGS,-1"),
       "line 2, column months_covered:", "'-1'"},
      {"months fractional", Payments("P-1," + w + ",2023-01-31,LAZIO,CIGS,1.5"),
       "line 2, column months_covered:", "'1.5'"},
      {"empty payment id", Payments("," + w + ",2023-01-31,LAZIO,CIGS,1"),
       "line 2, column payment_id:", "empty"},
      {"id with a space", Applications("A 1,2023-01-02,LAZIO,CIGO"),
       "line 2, column application_id:", "not allowed"},
      {"several bad fields", Payments("P-1," + w + ",2023-13-01,FOO,CIGS,1"),
       "line 2, column paid_on:", "; line 2, column region: unknown region 'FOO'"},
      {"swapped columns", Payments("P-1,2023-01-31," + w + "," + w + ",CIGS,1"),
       "line 2, column worker_id:", "withheld"},
      {"line too long", Payments(kGoodPayment + "\r\n" + std::string(5000, 'x')),
       "line 3:", "longer than 4096 bytes"},
  };
}

class RawEventsCsvBadInputTest : public RawEventsCsvTest,
                                 public ::testing::WithParamInterface<BadInput> {};

TEST_P(RawEventsCsvBadInputTest, RejectedWithLineAndColumn) {
  const BadInput& bad = GetParam();
  for (const size_t chunk : {size_t{0}, size_t{1}, size_t{5}}) {
    SCOPED_TRACE(chunk);
    const ParseResult result = Parse(lists_, bad.input, chunk);
    ASSERT_FALSE(result.status.ok());
    EXPECT_EQ(result.status.code(), absl::StatusCode::kInvalidArgument);
    const std::string message = Message(result.status);
    EXPECT_THAT(message, StartsWith(bad.prefix));
    EXPECT_THAT(message, HasSubstr(bad.detail));
    // Personal data never leaks into errors, whatever went wrong.
    EXPECT_THAT(Lower(message), Not(HasSubstr(Lower(kWorker1))));
    EXPECT_THAT(message, Not(HasSubstr("RSSMRA80A01H50")));
  }
}

INSTANTIATE_TEST_SUITE_P(Malformed, RawEventsCsvBadInputTest, ::testing::ValuesIn(BadInputs()),
                         [](const ::testing::TestParamInfo<BadInput>& param_info) {
                           std::string name = param_info.param.name;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST_F(RawEventsCsvTest, ErrorIsStickyAndFeedAfterFinishFails) {
  RawEventsCsvParser parser(lists_);
  RawEventBatch batch;
  const absl::Status first = parser.Feed("nonsense\n", &batch);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(parser.Feed(kPaymentsHeader + "\n", &batch), first);
  EXPECT_EQ(parser.Finish(&batch), first);

  RawEventsCsvParser done(lists_);
  ASSERT_TRUE(done.Feed(kPaymentsHeader + "\n", &batch).ok());
  ASSERT_TRUE(done.Finish(&batch).ok());
  EXPECT_EQ(done.Feed(kGoodPayment + "\n", &batch).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(RawEventsCsvTest, ReportsTheFirstTwentyRowErrorsAndCountsTheRest) {
  // ingestion.proto: rows are malformed, reported as "line L, column C: reason", the first 20 of
  // them followed by the number of further errors. The whole file is checked.
  std::string input = kPaymentsHeader + "\n";
  for (int i = 0; i < 50; ++i) {
    input += "P-" + std::to_string(2 * i) + "," + kWorker1 + ",2023-03-15,LAZIO,CIGO,1\n";
    input += "P-" + std::to_string(2 * i + 1) + "," + kWorker2 + ",2023-03-15,MARTE" +
             std::to_string(i) + ",CIGO,1\n";
  }
  input += "P-x," + std::string(kWorker1) + ",2023-03-15,LAZIO,CIGO\n";  // a field missing
  for (const size_t chunk : {size_t{0}, size_t{9}}) {
    SCOPED_TRACE(chunk);
    RawEventsCsvParser parser(lists_);
    CountingSink sink;
    absl::Status status;
    for (size_t pos = 0; pos < input.size() && status.ok();
         pos += chunk == 0 ? input.size() : chunk) {
      status = parser.Feed(std::string_view(input).substr(pos, chunk == 0 ? input.size() : chunk),
                           &sink);
    }
    ASSERT_TRUE(status.ok()) << status;  // bad rows do not stop the reading
    status = parser.Finish(&sink);
    ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    const std::string message = Message(status);
    EXPECT_THAT(message, StartsWith("line 3, column region: unknown region 'MARTE0'; valid"));
    for (int i = 0; i < 20; ++i) {
      EXPECT_THAT(message,
                  HasSubstr("line " + std::to_string(3 + 2 * i) +
                            ", column region: unknown region 'MARTE" + std::to_string(i) + "'"));
    }
    EXPECT_THAT(message, Not(HasSubstr("MARTE20")));
    // 30 more bad regions and the short row.
    EXPECT_THAT(message, EndsWith("; and 31 further errors"));
    EXPECT_LT(message.size(), 4096u);
    EXPECT_THAT(Lower(message), Not(HasSubstr(Lower(kWorker2))));
    // Nothing after the first bad row reached the sink.
    EXPECT_EQ(sink.payments, 1);
    EXPECT_EQ(parser.Finish(&sink), status);  // sticky
  }
}

TEST_F(RawEventsCsvTest, ReadFile) {
  const std::string path = ::testing::TempDir() + "raw_events_csv_test.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << kPaymentsHeader << "\r\n";
    // More than one 64 KiB chunk, so rows straddle chunk boundaries.
    for (int i = 0; i < 3000; ++i) {
      out << "P-" << i << "," << kWorker1 << ",2023-03-15,LAZIO,CIGO,1\r\n";
    }
  }
  CountingSink sink;
  RawEventKind kind = RawEventKind::kApplicationAuthorized;
  const absl::Status status = ReadRawEventsCsvFile(path, lists_, &sink, &kind);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(kind, RawEventKind::kPaymentIssued);
  EXPECT_EQ(sink.payments, 3000);

  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << "P-x," << kWorker1 << ",2023-03-15,NOWHERE,CIGO,1\r\n";
  }
  const absl::Status bad = ReadRawEventsCsvFile(path, lists_, &sink, nullptr);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(bad), StartsWith(path + ": line 3002, column region:"));

  CountingSink full;
  full.stop_at_line = 5;
  EXPECT_EQ(ReadRawEventsCsvFile(path, lists_, &full, nullptr),
            absl::ResourceExhaustedError("sink is full"));
  std::filesystem::remove(path);
  EXPECT_EQ(ReadRawEventsCsvFile(path, lists_, &sink, nullptr).code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace omnia::domain

// The ingestion service in process, over real gRPC on loopback, as a producer meets it: a valid
// batch or file is acknowledged and logged; a bad one is refused whole with an error naming the
// event (or line) and field, and leaves the log as it was; an upload the client cancels imports
// nothing. Forwarding is not started: these tests stop at the durable log.
#include "services/ingestion/ingestion_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/client/upload.h"
#include "libs/ingest_grpc/grpc_aggregation_sink.h"
#include "libs/rpc/channel.h"
#include "libs/server/service_host.h"
#include "tests/support/child_process.h"
#include "tests/support/ingest_log.h"

namespace omnia::ingestion {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPayments[] =
    "payment_id,worker_id,paid_on,region,intervention_type,months_covered\n"
    "P-1,RSSMRA80A01H501U,2024-02-29,LAZIO,CIGS,2\n"
    "P-2,RSSMRA80A01H501U,2024-03-31,LAZIO,CIGS,1\n";

class IngestionServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = testing::OpenTestLog(dir_.path() + "/log", clock_);
    pseudonymizer_ = testing::TestPseudonymizer();
    ASSERT_TRUE(log_ != nullptr && pseudonymizer_ != nullptr);
    // Never called: the forwarder is not started.
    sink_ = std::make_unique<ingest_grpc::GrpcAggregationSink>(
        rpc::CreateInsecureChannel(absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort())),
        codelists_, absl::Seconds(5), "");
    forwarder_ = std::make_unique<ingest::Forwarder>(*log_, *sink_, ingest::ForwarderOptions());
    service_ = std::make_unique<IngestionService>(
        IngestionDeps{&codelists_, pseudonymizer_.get(), log_.get(), forwarder_.get(), &executor_,
                      &clock_},
        IngestionOptions());
    server::ServerOptions options;
    options.name = "ingestion-test";
    options.authorizer =
        std::make_shared<const server::CallAuthorizer>(server::CallAuthorizer::InsecureNoAuth());
    host_ = std::make_unique<server::ServiceHost>(options, std::make_shared<prometheus::Registry>(),
                                                  clock_);
    ASSERT_TRUE(host_->Start({{service_.get(), v1::IngestionService::service_full_name()}}).ok());
    host_->SetServing(true);
    stub_ = v1::IngestionService::NewStub(
        rpc::CreateInsecureChannel(absl::StrCat("127.0.0.1:", host_->grpc_port())));
  }

  void TearDown() override {
    host_.reset();
    forwarder_.reset();
  }

  static void Deadline(grpc::ClientContext& context) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  }

  static v1::Event Payment(const std::string& id, const std::string& region) {
    v1::Event event;
    v1::PaymentIssued* payment = event.mutable_payment_issued();
    payment->set_payment_id(id);
    payment->set_worker_id("RSSMRA80A01H501U");
    payment->mutable_paid_on()->set_year(2024);
    payment->mutable_paid_on()->set_month(2);
    payment->mutable_paid_on()->set_day(29);
    payment->set_region(region);
    payment->set_intervention_type("CIGS");
    payment->set_months_covered(2);
    return event;
  }

  // Sends `batch` on a stream of its own; its ack.
  v1::BatchAck Send(const v1::EventBatch& batch) {
    grpc::ClientContext context;
    Deadline(context);
    auto stream = stub_->StreamEvents(&context);
    v1::BatchAck ack;
    EXPECT_TRUE(stream->Write(batch));
    EXPECT_TRUE(stream->Read(&ack));
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
    return ack;
  }

  v1::GetIngestionStatusResponse Status() {
    grpc::ClientContext context;
    Deadline(context);
    v1::GetIngestionStatusResponse status;
    EXPECT_TRUE(stub_->GetIngestionStatus(&context, {}, &status).ok());
    return status;
  }

  // Uploads `content` as a raw-event file; the call's status.
  grpc::Status Upload(const std::string& content, v1::ImportRawEventsResponse* response,
                      const std::string& file_name = "payments.csv") {
    grpc::ClientContext context;
    Deadline(context);
    auto writer = stub_->ImportRawEvents(&context, response);
    v1::ImportRawEventsRequest header;
    header.mutable_header()->set_file_name(file_name);
    if (writer->Write(header)) client::WriteUploadBody(*writer, content);
    return writer->Finish();
  }

  FakeClock clock_{absl::FromCivil(absl::CivilDay(2025, 6, 1), absl::UTCTimeZone())};
  const domain::Codelists codelists_ = domain::Codelists::Builtin();
  testing::TempDir dir_;
  std::unique_ptr<ingest::EventLog> log_;
  std::unique_ptr<ingest::Pseudonymizer> pseudonymizer_;
  std::unique_ptr<ingest_grpc::GrpcAggregationSink> sink_;
  std::unique_ptr<ingest::Forwarder> forwarder_;
  server::Executor executor_{2};
  std::unique_ptr<IngestionService> service_;
  std::unique_ptr<server::ServiceHost> host_;
  std::unique_ptr<v1::IngestionService::Stub> stub_;
};

TEST_F(IngestionServiceTest, AValidBatchIsAcknowledgedAndLogged) {
  v1::EventBatch batch;
  batch.set_producer_id("producer-a");
  batch.set_sequence(1);
  *batch.add_events() = Payment("P-1", "LAZIO");
  *batch.add_events() = Payment("P-2", "UMBRIA");
  const v1::BatchAck ack = Send(batch);
  EXPECT_EQ(ack.outcome(), v1::BATCH_OUTCOME_ACCEPTED) << ack.message();
  EXPECT_EQ(ack.code(), 0);
  EXPECT_EQ(ack.producer_id(), "producer-a");
  EXPECT_EQ(ack.sequence(), 1u);
  EXPECT_EQ(ack.events_accepted(), 2u);
  EXPECT_GT(ack.log_sequence(), 0u);
  const v1::GetIngestionStatusResponse status = Status();
  EXPECT_EQ(status.events_accepted(), 2u);
  EXPECT_EQ(status.last_log_sequence(), ack.log_sequence());
}

TEST_F(IngestionServiceTest, ABadBatchIsRefusedNamingEventAndFieldAndLogsNothing) {
  v1::EventBatch batch;
  batch.set_producer_id("producer-a");
  batch.set_sequence(1);
  *batch.add_events() = Payment("P-1", "LAZIO");
  *batch.add_events() = Payment("P-2", "ATLANTIDE");
  batch.add_events();  // neither an application nor a payment
  const v1::BatchAck ack = Send(batch);
  EXPECT_EQ(ack.outcome(), v1::BATCH_OUTCOME_REJECTED);
  EXPECT_EQ(ack.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ack.message(), HasSubstr("events[2]"));
  ASSERT_EQ(ack.violations_size(), 1);
  EXPECT_EQ(ack.violations(0).event_index(), 2u);
  EXPECT_EQ(ack.violations(0).field(), "kind");

  batch.mutable_events()->RemoveLast();
  const v1::BatchAck invalid = Send(batch);
  EXPECT_EQ(invalid.outcome(), v1::BATCH_OUTCOME_REJECTED);
  EXPECT_THAT(invalid.message(), HasSubstr("events[1].payment_issued.region"));
  ASSERT_EQ(invalid.violations_size(), 1);
  EXPECT_EQ(invalid.violations(0).event_id(), "P-2");
  EXPECT_EQ(invalid.violations(0).field(), "payment_issued.region");

  const v1::GetIngestionStatusResponse status = Status();
  EXPECT_EQ(status.events_accepted(), 0u);
  EXPECT_EQ(status.last_log_sequence(), 0u);
  EXPECT_EQ(status.batches_rejected(), 2u);
}

TEST_F(IngestionServiceTest, ABatchWithoutEventsIsRefused) {
  v1::EventBatch batch;
  batch.set_producer_id("producer-a");
  batch.set_sequence(1);
  const v1::BatchAck ack = Send(batch);
  EXPECT_EQ(ack.outcome(), v1::BATCH_OUTCOME_REJECTED);
  EXPECT_EQ(ack.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  ASSERT_EQ(ack.violations_size(), 1);
  EXPECT_EQ(ack.violations(0).field(), "events");
  EXPECT_EQ(Status().last_log_sequence(), 0u);

  // The sequence was not used up: the same sequence with events is accepted.
  *batch.add_events() = Payment("P-1", "LAZIO");
  EXPECT_EQ(Send(batch).outcome(), v1::BATCH_OUTCOME_ACCEPTED);
}

TEST_F(IngestionServiceTest, ConflictsNameTheIdFieldAsTheProducerSentIt) {
  v1::EventBatch batch;
  batch.set_producer_id("producer-a");
  batch.set_sequence(1);
  *batch.add_events() = Payment("P-1", "LAZIO");
  ASSERT_EQ(Send(batch).outcome(), v1::BATCH_OUTCOME_ACCEPTED);
  batch.set_sequence(2);
  *batch.mutable_events(0) = Payment("P-1", "UMBRIA");
  const v1::BatchAck ack = Send(batch);
  EXPECT_EQ(ack.code(), static_cast<int>(grpc::StatusCode::ALREADY_EXISTS));
  ASSERT_EQ(ack.violations_size(), 1);
  EXPECT_EQ(ack.violations(0).field(), "payment_issued.payment_id");
  EXPECT_EQ(ack.violations(0).event_id(), "P-1");
}

// Columns holding the rows of `Payment(id, region)` for each (id, region).
v1::PaymentColumns PaymentColumns(const std::vector<std::pair<std::string, std::string>>& rows) {
  v1::PaymentColumns columns;
  for (const auto& [id, region] : rows) {
    columns.mutable_payment_ids()->append(id + "\n");
    columns.mutable_worker_ids()->append("RSSMRA80A01H501U\n");
    columns.add_paid_on(20240229);
    int position = 0;
    while (position < columns.region_codes_size() && columns.region_codes(position) != region) {
      ++position;
    }
    if (position == columns.region_codes_size()) columns.add_region_codes(region);
    columns.add_regions(position);
    columns.add_intervention_types(0);
    columns.add_months_covered(2);
  }
  columns.add_intervention_type_codes("CIGS");
  return columns;
}

TEST_F(IngestionServiceTest, ColumnsCarryTheSameEventsAsMessages) {
  v1::EventBatch rows;
  rows.set_producer_id("producer-rows");
  rows.set_sequence(1);
  *rows.add_events() = Payment("P-1", "LAZIO");
  *rows.add_events() = Payment("P-2", "UMBRIA");
  *rows.add_events() = Payment("P-3", "LAZIO");
  ASSERT_EQ(Send(rows).events_accepted(), 3u);

  // The same three payments in columns, the last id without its line feed, plus an application:
  // the payments are duplicates of the logged ones (same content), the application is new.
  v1::EventBatch columns;
  columns.set_producer_id("producer-columns");
  columns.set_sequence(1);
  *columns.mutable_payment_columns() =
      PaymentColumns({{"P-1", "LAZIO"}, {"P-2", "UMBRIA"}, {"P-3", "LAZIO"}});
  columns.mutable_payment_columns()->mutable_payment_ids()->pop_back();
  v1::ApplicationColumns* applications = columns.mutable_application_columns();
  applications->set_application_ids("A-1\n");
  applications->add_authorized_on(20240131);
  applications->add_region_codes("LOMBARDIA");
  applications->add_regions(0);
  applications->add_intervention_type_codes("CIGO");
  applications->add_intervention_types(0);
  const v1::BatchAck ack = Send(columns);
  EXPECT_EQ(ack.outcome(), v1::BATCH_OUTCOME_ACCEPTED) << ack.message();
  EXPECT_EQ(ack.events_accepted(), 1u);
  EXPECT_EQ(ack.events_duplicate(), 3u);

  // One field different from the logged payment: a conflict, named by its column and row.
  columns.set_sequence(2);
  columns.clear_application_columns();
  *columns.mutable_payment_columns() = PaymentColumns({{"P-4", "LAZIO"}, {"P-2", "LAZIO"}});
  const v1::BatchAck conflict = Send(columns);
  EXPECT_EQ(conflict.code(), static_cast<int>(grpc::StatusCode::ALREADY_EXISTS));
  ASSERT_EQ(conflict.violations_size(), 1);
  EXPECT_EQ(conflict.violations(0).event_index(), 1u);
  EXPECT_EQ(conflict.violations(0).field(), "payment_columns.payment_ids");
  EXPECT_EQ(conflict.violations(0).event_id(), "P-2");
}

TEST_F(IngestionServiceTest, ARowOfTheColumnsIsNamedByItsPositionInTheBatchAndItsColumn) {
  v1::EventBatch batch;
  batch.set_producer_id("producer-a");
  batch.set_sequence(1);
  *batch.add_events() = Payment("P-1", "LAZIO");
  *batch.mutable_payment_columns() = PaymentColumns({{"P-2", "LAZIO"}, {"P-3", "ATLANTIDE"}});
  batch.mutable_payment_columns()->set_paid_on(0, 20240230);
  const v1::BatchAck ack = Send(batch);
  EXPECT_EQ(ack.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  ASSERT_EQ(ack.violations_size(), 2);
  EXPECT_EQ(ack.violations(0).event_index(), 1u);
  EXPECT_EQ(ack.violations(0).event_id(), "P-2");
  EXPECT_EQ(ack.violations(0).field(), "payment_columns.paid_on");
  EXPECT_THAT(ack.violations(0).reason(), HasSubstr("2024-02-30"));
  EXPECT_EQ(ack.violations(1).event_index(), 2u);
  EXPECT_EQ(ack.violations(1).event_id(), "P-3");
  EXPECT_EQ(ack.violations(1).field(), "payment_columns.regions");
  EXPECT_THAT(ack.violations(1).reason(), HasSubstr("ATLANTIDE"));
  EXPECT_THAT(ack.message(), HasSubstr("events[2].payment_columns.regions"));
  EXPECT_EQ(Status().last_log_sequence(), 0u);
}

TEST_F(IngestionServiceTest, ColumnsOfTheWrongShapeAreRefusedNamingTheColumn) {
  v1::EventBatch batch;
  batch.set_producer_id("producer-a");
  batch.set_sequence(1);
  *batch.add_events() = Payment("P-1", "LAZIO");
  *batch.mutable_payment_columns() = PaymentColumns({{"P-2", "LAZIO"}, {"P-3", "LAZIO"}});
  batch.mutable_payment_columns()->mutable_months_covered()->RemoveLast();
  v1::BatchAck ack = Send(batch);
  EXPECT_EQ(ack.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  ASSERT_EQ(ack.violations_size(), 1);
  EXPECT_EQ(ack.violations(0).event_index(), 1u);
  EXPECT_EQ(ack.violations(0).field(), "payment_columns.months_covered");
  EXPECT_THAT(ack.violations(0).reason(), HasSubstr("1 value for 2 rows"));

  // A worker id too many: named by count only, never quoted.
  *batch.mutable_payment_columns() = PaymentColumns({{"P-2", "LAZIO"}});
  batch.mutable_payment_columns()->mutable_worker_ids()->append("VRDLGI75B42F205X\n");
  ack = Send(batch);
  ASSERT_EQ(ack.violations_size(), 1);
  EXPECT_EQ(ack.violations(0).field(), "payment_columns.worker_ids");
  EXPECT_THAT(ack.message(), Not(HasSubstr("VRDLGI75B42F205X")));

  // A position beyond the codes listed.
  *batch.mutable_payment_columns() = PaymentColumns({{"P-2", "LAZIO"}});
  batch.mutable_payment_columns()->set_intervention_types(0, 3);
  ack = Send(batch);
  ASSERT_EQ(ack.violations_size(), 1);
  EXPECT_EQ(ack.violations(0).event_index(), 1u);
  EXPECT_EQ(ack.violations(0).event_id(), "P-2");
  EXPECT_EQ(ack.violations(0).field(), "payment_columns.intervention_types");

  // More than 10000 events in all.
  batch.clear_payment_columns();
  batch.mutable_payment_columns()->set_payment_ids(std::string(10000, '\n'));
  ack = Send(batch);
  ASSERT_EQ(ack.violations_size(), 1);
  EXPECT_EQ(ack.violations(0).field(), "events");
  EXPECT_THAT(ack.violations(0).reason(), HasSubstr("10001"));
  EXPECT_EQ(Status().last_log_sequence(), 0u);
  EXPECT_EQ(Status().events_rejected(), 3u + 2u + 2u + 10001u);
}

// A region's ISTAT code and any case of a code name the same region and type as the canonical
// INPS label and code (ingestion.proto, common.proto): the same events, so duplicates.
TEST_F(IngestionServiceTest, IstatCodesAndCodesInAnyCaseAreTheSameEvents) {
  v1::EventBatch canonical;
  canonical.set_producer_id("producer-a");
  canonical.set_sequence(1);
  *canonical.add_events() = Payment("P-1", "LAZIO");
  *canonical.add_events() = Payment("P-2", "LAZIO");
  ASSERT_EQ(Send(canonical).events_accepted(), 2u);

  v1::EventBatch spelt = canonical;
  spelt.set_producer_id("producer-b");
  spelt.mutable_events(0)->mutable_payment_issued()->set_region("12");
  spelt.mutable_events(1)->mutable_payment_issued()->set_region("lazio");
  spelt.mutable_events(1)->mutable_payment_issued()->set_intervention_type("cigs");
  const v1::BatchAck ack = Send(spelt);
  EXPECT_EQ(ack.outcome(), v1::BATCH_OUTCOME_ACCEPTED) << ack.message();
  EXPECT_EQ(ack.events_duplicate(), 2u);

  // In columns: the codes listed in other spellings, one listed twice, and an unknown one no row
  // points at. Each row is the logged event (a duplicate, not a conflict over its region).
  v1::EventBatch columns;
  columns.set_producer_id("producer-c");
  columns.set_sequence(1);
  v1::PaymentColumns& payments = *columns.mutable_payment_columns();
  payments = PaymentColumns({{"P-1", "12"}, {"P-2", "lazio"}});
  payments.add_region_codes("ATLANTIDE");
  payments.add_region_codes("Lazio");
  payments.set_regions(1, 3);
  payments.clear_intervention_type_codes();
  payments.add_intervention_type_codes("cigs");
  const v1::BatchAck in_columns = Send(columns);
  EXPECT_EQ(in_columns.outcome(), v1::BATCH_OUTCOME_ACCEPTED) << in_columns.message();
  EXPECT_EQ(in_columns.events_duplicate(), 2u);

  v1::ImportRawEventsResponse imported;
  const grpc::Status status = Upload(
      "payment_id,worker_id,paid_on,region,intervention_type,months_covered\n"
      "P-1,RSSMRA80A01H501U,2024-02-29,12,cigs,2\n",
      &imported);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(imported.events_duplicate(), 1u);
}

TEST_F(IngestionServiceTest, AFileIsImportedWholeOrNotAtAll) {
  v1::ImportRawEventsResponse imported;
  const grpc::Status ok = Upload(kPayments, &imported);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(imported.layout(), v1::RAW_EVENT_LAYOUT_PAYMENTS);
  EXPECT_EQ(imported.events_accepted(), 2u);

  const std::string bad =
      absl::StrCat(kPayments, "P-3,RSSMRA80A01H501U,2024-03-31,ATLANTIDE,CIGS,1\n");
  v1::ImportRawEventsResponse refused;
  const grpc::Status status = Upload(bad, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("line 4"));
  EXPECT_THAT(status.error_message(), HasSubstr("region"));
  const v1::GetIngestionStatusResponse after = Status();
  EXPECT_EQ(after.raw_event_files_imported(), 1u);
  EXPECT_EQ(after.events_accepted(), 2u);
  EXPECT_EQ(after.last_log_sequence(), imported.last_log_sequence());
}

// ingestion.proto: row errors are reported "line L, column C: reason", the first 20 of them
// followed by the number of further errors; and events_rejected counts the events of rejected
// raw-event files, whatever the reason.
TEST_F(IngestionServiceTest, ARejectedFileListsTwentyRowErrorsAndCountsItsEventsAsRejected) {
  std::string file = kPayments;
  for (int i = 0; i < 25; ++i) {
    absl::StrAppend(&file, "Q-", i, ",RSSMRA80A01H501U,2024-03-31,ATLANTIDE,CIGS,1\n");
    absl::StrAppend(&file, "R-", i, ",RSSMRA80A01H501U,2024-03-31,LAZIO,CIGS,1\n");
  }
  v1::ImportRawEventsResponse refused;
  const grpc::Status status = Upload(file, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("line 4, column region: unknown region 'ATLANTIDE'"));
  EXPECT_THAT(status.error_message(), HasSubstr("line 42, column region:"));
  EXPECT_THAT(status.error_message(), Not(HasSubstr("line 44,")));
  EXPECT_THAT(status.error_message(), ::testing::EndsWith("; and 5 further errors"));
  EXPECT_EQ(Status().events_rejected(), 52u);

  // A file refused for its digest counts too.
  grpc::ClientContext context;
  Deadline(context);
  v1::ImportRawEventsResponse response;
  auto writer = stub_->ImportRawEvents(&context, &response);
  v1::ImportRawEventsRequest header;
  header.mutable_header()->set_expected_sha256(std::string(64, '0'));
  ASSERT_TRUE(writer->Write(header));
  client::WriteUploadBody(*writer, kPayments);
  EXPECT_THAT(writer->Finish().error_message(), HasSubstr("expected_sha256"));
  const v1::GetIngestionStatusResponse after = Status();
  EXPECT_EQ(after.events_rejected(), 54u);
  EXPECT_EQ(after.events_accepted(), 0u);
}

TEST_F(IngestionServiceTest, AFileNameOfMoreThan255CharactersIsRefused) {
  v1::ImportRawEventsResponse response;
  const grpc::Status status = Upload(kPayments, &response, std::string(256, 'f') + ".csv");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("header.file_name: at most 255 characters"));
  EXPECT_EQ(Status().events_accepted(), 0u);
  ASSERT_TRUE(Upload(kPayments, &response, std::string(251, 'f') + ".csv").ok());
  EXPECT_EQ(response.events_accepted(), 2u);
}

// ingestion.proto: the encoded batch must not exceed 4 MiB; problems with one batch do not end
// the stream.
TEST_F(IngestionServiceTest, ABatchOverFourMebibytesIsRefusedByItsAckAndTheStreamGoesOn) {
  grpc::ClientContext context;
  Deadline(context);
  auto stream = stub_->StreamEvents(&context);
  v1::EventBatch oversized;
  oversized.set_producer_id("p");
  oversized.set_sequence(1);
  *oversized.add_events() = Payment("P-1", std::string(3 << 20, 'L'));
  *oversized.add_events() = Payment("P-2", std::string(3 << 20, 'L'));
  v1::EventBatch corrected = oversized;
  corrected.mutable_events(0)->mutable_payment_issued()->set_region("LAZIO");
  corrected.mutable_events(1)->mutable_payment_issued()->set_region("LAZIO");
  ASSERT_TRUE(stream->Write(oversized));
  ASSERT_TRUE(stream->Write(corrected));
  v1::BatchAck refused;
  v1::BatchAck accepted;
  ASSERT_TRUE(stream->Read(&refused));
  ASSERT_TRUE(stream->Read(&accepted));
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(refused.outcome(), v1::BATCH_OUTCOME_REJECTED);
  EXPECT_EQ(refused.code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ(refused.violations_size(), 1);
  EXPECT_EQ(refused.violations(0).field(), "events");
  EXPECT_THAT(refused.violations(0).reason(), HasSubstr("at most 4194304"));
  // The refusal left no trace: the corrected batch takes the same sequence.
  EXPECT_EQ(accepted.outcome(), v1::BATCH_OUTCOME_ACCEPTED);
  EXPECT_EQ(accepted.events_accepted(), 2u);
}

// A producer keeps one stream open for its whole run: every batch on it gets its own ack, in
// order, and is logged once. Each batch is parsed into memory the stream reuses for the next, so
// this is also where a reuse before the previous batch is done with would show (the unit and
// integration tests run under ThreadSanitizer too).
TEST_F(IngestionServiceTest, ManyBatchesOnOneStreamAreEachAcknowledgedInOrder) {
  constexpr int kBatches = 300;
  grpc::ClientContext context;
  Deadline(context);
  auto stream = stub_->StreamEvents(&context);
  uint64_t last_log_sequence = 0;
  for (int sequence = 1; sequence <= kBatches; ++sequence) {
    v1::EventBatch batch;
    batch.set_producer_id("producer-a");
    batch.set_sequence(sequence);
    *batch.add_events() = Payment(absl::StrCat("P-", sequence), "LAZIO");
    ASSERT_TRUE(stream->Write(batch));
    v1::BatchAck ack;
    ASSERT_TRUE(stream->Read(&ack));
    ASSERT_EQ(ack.outcome(), v1::BATCH_OUTCOME_ACCEPTED) << ack.message();
    ASSERT_EQ(ack.sequence(), static_cast<uint64_t>(sequence));
    ASSERT_GT(ack.log_sequence(), last_log_sequence);
    last_log_sequence = ack.log_sequence();
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
  const v1::GetIngestionStatusResponse status = Status();
  EXPECT_EQ(status.events_accepted(), static_cast<uint64_t>(kBatches));
  EXPECT_EQ(status.last_log_sequence(), last_log_sequence);
}

// ingestion.proto: producers are listed in producer_id order, paged; common.proto: tokens are
// opaque, and a malformed one or one used with different request fields is INVALID_ARGUMENT
// naming page_token.
TEST_F(IngestionServiceTest, ProducersAreListedInIdOrderAPageAtATime) {
  for (const std::string producer : {"p-c", "p-a", "p-d", "p-b"}) {
    v1::EventBatch batch;
    batch.set_producer_id(producer);
    batch.set_sequence(1);
    *batch.add_events() = Payment("P-" + producer, "LAZIO");
    ASSERT_EQ(Send(batch).outcome(), v1::BATCH_OUTCOME_ACCEPTED);
  }
  const auto page = [this](const std::vector<std::string>& ids, const std::string& token,
                           v1::GetIngestionStatusResponse* response) {
    grpc::ClientContext context;
    Deadline(context);
    v1::GetIngestionStatusRequest request;
    for (const std::string& id : ids) request.add_producer_ids(id);
    request.set_page_size(2);
    request.set_page_token(token);
    return stub_->GetIngestionStatus(&context, request, response);
  };
  const auto listed = [](const v1::GetIngestionStatusResponse& response) {
    std::vector<std::string> ids;
    for (const v1::ProducerStatus& p : response.producers()) ids.push_back(p.producer_id());
    return ids;
  };

  v1::GetIngestionStatusResponse first;
  ASSERT_TRUE(page({}, "", &first).ok());
  EXPECT_THAT(listed(first), ::testing::ElementsAre("p-a", "p-b"));
  EXPECT_THAT(first.next_page_token(), Not(HasSubstr("p-b")));  // opaque
  v1::GetIngestionStatusResponse second;
  ASSERT_TRUE(page({}, first.next_page_token(), &second).ok());
  EXPECT_THAT(listed(second), ::testing::ElementsAre("p-c", "p-d"));
  EXPECT_EQ(second.next_page_token(), "");

  // Asked by id: in id order, each once, unknown ids skipped, paged the same way.
  const std::vector<std::string> ids = {"p-d", "p-b", "nobody", "p-b", "p-a"};
  v1::GetIngestionStatusResponse by_id;
  ASSERT_TRUE(page(ids, "", &by_id).ok());
  EXPECT_THAT(listed(by_id), ::testing::ElementsAre("p-a", "p-b"));
  v1::GetIngestionStatusResponse rest;
  ASSERT_TRUE(page(ids, by_id.next_page_token(), &rest).ok());
  EXPECT_THAT(listed(rest), ::testing::ElementsAre("p-d"));
  EXPECT_EQ(rest.next_page_token(), "");

  for (const std::string& token :
       {first.next_page_token(), std::string("p-b"), std::string("not a token")}) {
    v1::GetIngestionStatusResponse refused;
    const grpc::Status status = page(ids, token, &refused);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << token;
    EXPECT_THAT(status.error_message(), HasSubstr("page_token"));
  }
}

TEST_F(IngestionServiceTest, ACancelledUploadImportsNothing) {
  grpc::ClientContext context;
  Deadline(context);
  v1::ImportRawEventsResponse response;
  auto writer = stub_->ImportRawEvents(&context, &response);
  v1::ImportRawEventsRequest header;
  header.mutable_header()->set_file_name("payments.csv");
  ASSERT_TRUE(writer->Write(header));
  v1::ImportRawEventsRequest data;
  data.set_data(kPayments);
  ASSERT_TRUE(writer->Write(data));
  context.TryCancel();
  const grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED) << status.error_message();

  const v1::GetIngestionStatusResponse after = Status();
  EXPECT_EQ(after.raw_event_files_imported(), 0u);
  EXPECT_EQ(after.events_accepted(), 0u);
  EXPECT_EQ(after.last_log_sequence(), 0u);
  // The service is not wedged by the cancelled call: the same file imports in full.
  v1::ImportRawEventsResponse imported;
  ASSERT_TRUE(Upload(kPayments, &imported).ok());
  EXPECT_EQ(imported.events_accepted(), 2u);
}

}  // namespace
}  // namespace omnia::ingestion

// Ingestion's client of aggregation against servers of two generations, in process on loopback:
// what an operator relies on during a rolling upgrade is that no acknowledged event is lost when
// ingestion is newer than aggregation. Events travel in columns only to a server that said it
// reads them; an older server gets one message per event, and a rebuild that the server applied
// only in part is reported, never taken for a success.
#include "libs/ingest_grpc/grpc_aggregation_sink.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/facts/event_records.h"
#include "libs/rpc/channel.h"
#include "tests/support/child_process.h"
#include "tests/support/ingest_log.h"

namespace omnia::ingest_grpc {
namespace {

// An aggregation server that records what it receives. One built before CubeEventColumns neither
// says it reads columns nor does: its parser skips them as an unknown field, so only the events
// in `events` count; likewise one built before the columns' records skips those. A faulty one
// says it reads columns but drops them.
enum class Generation { kBeforeColumns, kReadsColumns, kReadsRecords, kSaysColumnsButDropsThem };

class RecordingAggregation final : public v1::AggregationService::Service {
 public:
  explicit RecordingAggregation(Generation generation)
      : says_columns_(generation != Generation::kBeforeColumns),
        reads_columns_(generation == Generation::kReadsColumns ||
                       generation == Generation::kReadsRecords),
        reads_records_(generation == Generation::kReadsRecords) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~RecordingAggregation() override { server_->Shutdown(); }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

  grpc::Status GetCubeStats(grpc::ServerContext*, const v1::GetCubeStatsRequest*,
                            v1::GetCubeStatsResponse* response) override {
    if (says_columns_) response->set_accepts_event_columns(true);
    if (reads_records_) response->set_accepts_event_records(true);
    return grpc::Status::OK;
  }

  grpc::Status Apply(grpc::ServerContext*, const v1::ApplyRequest* request,
                     v1::ApplyResponse* response) override {
    absl::MutexLock lock(&mu_);
    applied_.push_back(*request);
    response->set_last_applied_sequence(request->sequence());
    return grpc::Status::OK;
  }

  grpc::Status Rebuild(grpc::ServerContext*, grpc::ServerReader<v1::RebuildRequest>* reader,
                       v1::RebuildResponse* response) override {
    v1::RebuildRequest request;
    uint64_t events = 0;
    while (reader->Read(&request)) {
      if (!request.has_apply()) continue;
      events += request.apply().events_size();
      if (reads_columns_) {
        events += request.apply().columns().application_months_size() +
                  request.apply().columns().payment_months_size();
      }
      if (reads_records_) {
        events += request.apply().columns().application_records().size() /
                      facts::kApplicationRecordBytes +
                  request.apply().columns().payment_records().size() / facts::kPaymentRecordBytes;
      }
    }
    response->set_events_applied(events);
    return grpc::Status::OK;
  }

  std::vector<v1::ApplyRequest> applied() {
    absl::MutexLock lock(&mu_);
    return applied_;
  }

 private:
  const bool says_columns_;
  const bool reads_columns_;
  const bool reads_records_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  absl::Mutex mu_;
  std::vector<v1::ApplyRequest> applied_ ABSL_GUARDED_BY(mu_);
};

facts::FactBatch TwoEvents() {
  facts::FactBatch batch;
  batch.producer = "ingestion";
  batch.sequence = 1;
  batch.previous_sequence = 0;
  batch.applications.push_back({{2024, 3}, 8, 0});
  facts::PaymentFact payment;
  payment.month = {2024, 4};
  payment.region = 2;
  payment.type = 1;
  payment.worker.fill('w');
  payment.months_covered = 2;
  batch.payments.push_back(payment);
  return batch;
}

class GrpcAggregationSinkTest : public ::testing::Test {
 protected:
  std::unique_ptr<GrpcAggregationSink> SinkFor(const RecordingAggregation& server) {
    return std::make_unique<GrpcAggregationSink>(rpc::CreateInsecureChannel(server.address()),
                                                 codelists_, absl::Seconds(10), "");
  }

  // A log holding one entry with TwoEvents()' events.
  std::unique_ptr<ingest::EventLog> LogWithTwoEvents() {
    std::unique_ptr<ingest::EventLog> log = testing::OpenTestLog(dir_.path() + "/log", clock_);
    if (log == nullptr) return nullptr;
    facts::Pseudonym worker;
    worker.fill('w');
    ingest::IncomingBatch batch{"producer", 1, {}};
    batch.events.push_back(ingest::LoggedApplication{"A-1", {2024, 3, 1}, 8, 0});
    batch.events.push_back(ingest::LoggedPayment{"P-1", worker, {2024, 4, 30}, 2, 1, 2});
    EXPECT_TRUE(log->Append(batch).ok());
    return log;
  }

  testing::TempDir dir_;
  FakeClock clock_{absl::FromCivil(absl::CivilDay(2025, 6, 1), absl::UTCTimeZone())};
  const domain::Codelists codelists_ = domain::Codelists::Builtin();
};

TEST_F(GrpcAggregationSinkTest, AnOlderServerGetsOneMessagePerEventSoNoneIsLost) {
  RecordingAggregation older(Generation::kBeforeColumns);
  std::unique_ptr<GrpcAggregationSink> sink = SinkFor(older);
  ASSERT_TRUE(sink->LastApplied("ingestion").ok());
  ASSERT_TRUE(sink->Apply(TwoEvents()).ok());
  const std::vector<v1::ApplyRequest> applied = older.applied();
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].events_size(), 2);
  EXPECT_FALSE(applied[0].has_columns());
  EXPECT_EQ(applied[0].events(1).payment().region(), codelists_.regions()[2].inps_label);
  EXPECT_EQ(applied[0].events(1).payment().months_covered(), 2u);
}

TEST_F(GrpcAggregationSinkTest, AServerThatReadsColumnsGetsColumnsOnceItHasSaidSo) {
  RecordingAggregation newer(Generation::kReadsColumns);
  std::unique_ptr<GrpcAggregationSink> sink = SinkFor(newer);
  ASSERT_TRUE(sink->Apply(TwoEvents()).ok());  // before asking: messages, which every server reads
  ASSERT_TRUE(sink->LastApplied("ingestion").ok());
  ASSERT_TRUE(sink->Apply(TwoEvents()).ok());
  const std::vector<v1::ApplyRequest> applied = newer.applied();
  ASSERT_EQ(applied.size(), 2u);
  EXPECT_EQ(applied[0].events_size(), 2);
  EXPECT_EQ(applied[1].events_size(), 0);
  EXPECT_EQ(applied[1].columns().application_months_size(), 1);
  EXPECT_EQ(applied[1].columns().payment_months_size(), 1);
}

// The forwarder's requests: the log's records go as they are only to a server that has said it
// reads them, and as columns to one that reads only columns; either way the server gets the
// facts that were logged.
TEST_F(GrpcAggregationSinkTest, RecordsGoAsTheyAreOnlyToAServerThatSaidItReadsThem) {
  const facts::RecordBatch records = facts::RecordsOf(TwoEvents());
  for (Generation generation : {Generation::kReadsColumns, Generation::kReadsRecords}) {
    RecordingAggregation server(generation);
    std::unique_ptr<GrpcAggregationSink> sink = SinkFor(server);
    ASSERT_TRUE(sink->LastApplied("ingestion").ok());
    absl::StatusOr<std::unique_ptr<ingest::PreparedBatch>> prepared = sink->PrepareRecords(records);
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    ASSERT_TRUE(sink->ApplyPrepared(**prepared).ok());
    const std::vector<v1::ApplyRequest> applied = server.applied();
    ASSERT_EQ(applied.size(), 1u);
    const bool as_records = generation == Generation::kReadsRecords;
    EXPECT_EQ(applied[0].columns().payment_records(), as_records ? records.payment_records : "");
    EXPECT_EQ(applied[0].columns().payment_months_size(), as_records ? 0 : 1);
    absl::StatusOr<facts::FactBatch> received = api::FactBatchFromProto(applied[0], codelists_);
    ASSERT_TRUE(received.ok()) << received.status();
    ASSERT_EQ(received->payments.size(), 1u);
    EXPECT_EQ(received->payments[0].region, TwoEvents().payments[0].region);
    EXPECT_EQ(received->payments[0].worker, TwoEvents().payments[0].worker);
    EXPECT_EQ(received->payments[0].months_covered, 2u);
    ASSERT_EQ(received->applications.size(), 1u);
    EXPECT_EQ(received->applications[0].region, 8);
    EXPECT_EQ(received->previous_sequence, 0u);
  }
}

TEST_F(GrpcAggregationSinkTest, ARebuildReachesEitherGenerationWhole) {
  const std::unique_ptr<ingest::EventLog> log = LogWithTwoEvents();
  ASSERT_NE(log, nullptr);
  for (Generation generation :
       {Generation::kBeforeColumns, Generation::kReadsColumns, Generation::kReadsRecords}) {
    RecordingAggregation server(generation);
    const absl::StatusOr<ingest::RebuildSummary> summary =
        SinkFor(server)->Rebuild(*log, "ingestion", absl::Seconds(30));
    ASSERT_TRUE(summary.ok()) << summary.status();
    EXPECT_EQ(summary->events_replayed, 2u);
  }
}

TEST_F(GrpcAggregationSinkTest, ARebuildTheServerAppliedOnlyInPartIsAnError) {
  const std::unique_ptr<ingest::EventLog> log = LogWithTwoEvents();
  ASSERT_NE(log, nullptr);
  RecordingAggregation server(Generation::kSaysColumnsButDropsThem);
  const absl::StatusOr<ingest::RebuildSummary> summary =
      SinkFor(server)->Rebuild(*log, "ingestion", absl::Seconds(30));
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(summary.status().message().find("applied 0 events of the 2"), std::string::npos)
      << summary.status();
}

}  // namespace
}  // namespace omnia::ingest_grpc

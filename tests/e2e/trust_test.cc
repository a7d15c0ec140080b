// The ingestion contract's promises, tried against the real binaries as an outside producer
// would: a rejected batch may be corrected and resent under its sequence even after later ones
// were accepted; an upload that does not finish cleanly (cancelled, timed out, cut short, without
// or with a wrong end message) keeps nothing; and dates after today are refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/base/sha256.h"
#include "libs/client/probes.h"
#include "libs/client/upload.h"
#include "omnia/v1/ingestion.grpc.pb.h"
#include "tests/support/cluster.h"

namespace omnia {
namespace {

constexpr int kEventsPerBatch = 50;

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::Seconds(60)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

int NextYear() { return absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year() + 1; }

v1::EventBatch Applications(const std::string& producer, uint64_t sequence, int first_id,
                            const std::string& region = "LOMBARDIA") {
  v1::EventBatch batch;
  batch.set_producer_id(producer);
  batch.set_sequence(sequence);
  for (int i = 0; i < kEventsPerBatch; ++i) {
    v1::ApplicationAuthorized* a = batch.add_events()->mutable_application_authorized();
    a->set_application_id(absl::StrCat("A-", first_id + i));
    a->mutable_authorized_on()->set_year(2023);
    a->mutable_authorized_on()->set_month(4);
    a->mutable_authorized_on()->set_day(17);
    a->set_region(i == 7 ? region : "LOMBARDIA");
    a->set_intervention_type("CIGO");
  }
  return batch;
}

// A raw application file of `rows` rows, one event per line.
std::string ApplicationsCsv(int rows, int year = 2023) {
  std::string csv = "application_id,authorized_on,region,intervention_type\n";
  for (int i = 0; i < rows; ++i) {
    absl::StrAppendFormat(&csv, "F-%d,%d-03-15,VENETO,CIGS\n", i, year);
  }
  return csv;
}

class TrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.StartAll());
    ingestion_ =
        v1::IngestionService::NewStub(rpc::CreateInsecureChannel(cluster_.address("ingestion")));
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << cluster_.Logs();
  }

  std::unique_ptr<grpc::ClientContext> WriteContext(absl::Duration timeout = absl::Seconds(60)) {
    auto context = Context(timeout);
    context->AddMetadata("authorization", "Bearer " + cluster_.operator_token());
    return context;
  }

  v1::GetIngestionStatusResponse Status() {
    v1::GetIngestionStatusResponse status;
    EXPECT_TRUE(ingestion_->GetIngestionStatus(Context().get(), {}, &status).ok());
    return status;
  }

  // Sends each batch on one stream and returns the acks, in order.
  std::vector<v1::BatchAck> Stream(const std::vector<v1::EventBatch>& batches) {
    auto context = WriteContext();
    auto stream = ingestion_->StreamEvents(context.get());
    std::vector<v1::BatchAck> acks;
    for (const v1::EventBatch& batch : batches) {
      EXPECT_TRUE(stream->Write(batch));
      v1::BatchAck ack;
      EXPECT_TRUE(stream->Read(&ack));
      acks.push_back(ack);
    }
    stream->WritesDone();
    const grpc::Status status = stream->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return acks;
  }

  // An ImportRawEvents call that sends the header and `data`, then whatever `finish` does; the
  // call's final status.
  template <typename Request, typename Response, typename Call>
  grpc::Status Upload(Call call, const std::string& data,
                      const std::function<void(grpc::ClientContext&,
                                               grpc::ClientWriterInterface<Request>&)>& finish,
                      absl::Duration timeout = absl::Seconds(60)) {
    auto context = WriteContext(timeout);
    Response response;
    auto writer = call(context.get(), &response);
    Request header;
    header.mutable_header()->set_file_name("file.csv");
    EXPECT_TRUE(writer->Write(header));
    for (size_t at = 0; at < data.size(); at += 4096) {
      Request chunk;
      chunk.set_data(data.substr(at, 4096));
      if (!writer->Write(chunk)) break;
    }
    finish(*context, *writer);
    return writer->Finish();
  }

  grpc::Status UploadRaw(
      const std::string& data,
      const std::function<void(grpc::ClientContext&,
                               grpc::ClientWriterInterface<v1::ImportRawEventsRequest>&)>& finish,
      absl::Duration timeout = absl::Seconds(60)) {
    return Upload<v1::ImportRawEventsRequest, v1::ImportRawEventsResponse>(
        [&](grpc::ClientContext* c, v1::ImportRawEventsResponse* r) {
          return ingestion_->ImportRawEvents(c, r);
        },
        data, finish, timeout);
  }

  grpc::Status UploadReport(
      const std::string& data,
      const std::function<void(grpc::ClientContext&,
                               grpc::ClientWriterInterface<v1::ImportPublishedReportRequest>&)>&
          finish) {
    return Upload<v1::ImportPublishedReportRequest, v1::ImportPublishedReportResponse>(
        [&](grpc::ClientContext* c, v1::ImportPublishedReportResponse* r) {
          return ingestion_->ImportPublishedReport(c, r);
        },
        data, finish);
  }

  // Every change an upload could have made is still absent.
  void ExpectNothingLogged() {
    // A refused call's work on the server may still be unwinding just after the client's cancel.
    absl::SleepFor(absl::Milliseconds(300));
    const v1::GetIngestionStatusResponse status = Status();
    EXPECT_EQ(status.last_log_sequence(), 0u);
    EXPECT_EQ(status.events_accepted(), 0u);
    EXPECT_EQ(status.raw_event_files_imported(), 0u);
    EXPECT_EQ(status.published_reports_imported(), 0u);
  }

  testing::Cluster cluster_{OMNIA_BINARY_DIR, std::filesystem::current_path().string()};
  std::unique_ptr<v1::IngestionService::Stub> ingestion_;
};

template <typename Request>
void End(grpc::ClientWriterInterface<Request>& writer, uint64_t bytes, const std::string& sha) {
  Request end;
  end.mutable_end()->set_total_bytes(bytes);
  end.mutable_end()->set_sha256(sha);
  EXPECT_TRUE(writer.Write(end));
}

TEST_F(TrustTest, ARejectedBatchCorrectedAndResentAfterALaterOneIsLogged) {
  const std::vector<v1::BatchAck> acks =
      Stream({Applications("P", 1, 0, "LOMBARDY"), Applications("P", 2, 100),
              Applications("P", 1, 0), Applications("P", 1, 0), Applications("P", 2, 100)});
  ASSERT_EQ(acks.size(), 5u);
  EXPECT_EQ(acks[0].outcome(), v1::BATCH_OUTCOME_REJECTED);
  EXPECT_EQ(acks[0].code(), 3);
  EXPECT_EQ(acks[1].outcome(), v1::BATCH_OUTCOME_ACCEPTED);
  // The corrected batch is new: its 50 events are logged.
  EXPECT_EQ(acks[2].outcome(), v1::BATCH_OUTCOME_ACCEPTED);
  EXPECT_EQ(acks[2].events_accepted(), 50u);
  // Only now are both sequences used up.
  EXPECT_EQ(acks[3].outcome(), v1::BATCH_OUTCOME_DUPLICATE);
  EXPECT_EQ(acks[4].outcome(), v1::BATCH_OUTCOME_DUPLICATE);

  // The same after a restart of ingestion.
  cluster_.Kill("ingestion");
  ASSERT_TRUE(cluster_.Start("ingestion"));
  const std::vector<v1::BatchAck> after = Stream({Applications("P", 1, 0)});
  EXPECT_EQ(after[0].outcome(), v1::BATCH_OUTCOME_DUPLICATE);
  EXPECT_EQ(Status().events_accepted(), 100u);
}

TEST_F(TrustTest, AnUploadThatDoesNotFinishCleanlyKeepsNothing) {
  const std::string file = ApplicationsCsv(4000);
  const std::string half = file.substr(0, file.find('\n', file.size() / 2) + 1);
  using RawWriter = grpc::ClientWriterInterface<v1::ImportRawEventsRequest>;

  // Half the file, cut at a line boundary, then cancelled.
  EXPECT_EQ(UploadRaw(half, [](grpc::ClientContext& c, RawWriter&) { c.TryCancel(); }).error_code(),
            grpc::StatusCode::CANCELLED);
  // Cancelled before any data, and right after the header.
  EXPECT_EQ(UploadRaw("", [](grpc::ClientContext& c, RawWriter&) { c.TryCancel(); }).error_code(),
            grpc::StatusCode::CANCELLED);
  // The whole file and its end message, then cancelled instead of half-closed.
  EXPECT_EQ(UploadRaw(file,
                      [&](grpc::ClientContext& c, RawWriter& w) {
                        End(w, file.size(), Sha256Hex(file));
                        absl::SleepFor(absl::Milliseconds(200));
                        c.TryCancel();
                      })
                .error_code(),
            grpc::StatusCode::CANCELLED);
  // The deadline expires half-way.
  EXPECT_EQ(UploadRaw(
                half, [](grpc::ClientContext&, RawWriter&) { absl::SleepFor(absl::Seconds(2)); },
                absl::Milliseconds(800))
                .error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  // Half-closed without the end message: a stream cut short looks exactly like this.
  const grpc::Status no_end =
      UploadRaw(half, [](grpc::ClientContext&, RawWriter& w) { w.WritesDone(); });
  EXPECT_EQ(no_end.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(no_end.error_message().find("end message"), std::string::npos)
      << no_end.error_message();
  // An end message that does not match what arrived.
  const grpc::Status short_count = UploadRaw(half, [&](grpc::ClientContext&, RawWriter& w) {
    End(w, file.size(), Sha256Hex(file));
    w.WritesDone();
  });
  EXPECT_EQ(short_count.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(short_count.error_message().find("end.total_bytes"), std::string::npos)
      << short_count.error_message();
  const grpc::Status wrong_sha = UploadRaw(half, [&](grpc::ClientContext&, RawWriter& w) {
    End(w, half.size(), Sha256Hex(file));
    w.WritesDone();
  });
  EXPECT_EQ(wrong_sha.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(wrong_sha.error_message().find("end.sha256"), std::string::npos)
      << wrong_sha.error_message();
  // Data after the end message.
  EXPECT_EQ(UploadRaw(half,
                      [&](grpc::ClientContext&, RawWriter& w) {
                        End(w, half.size(), Sha256Hex(half));
                        v1::ImportRawEventsRequest more;
                        more.set_data("F-99999,2023-03-15,VENETO,CIGS\n");
                        w.Write(more);
                        w.WritesDone();
                      })
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // The same for a published report: a truncated report must never replace a year.
  using ReportWriter = grpc::ClientWriterInterface<v1::ImportPublishedReportRequest>;
  std::string report = "Anno,Mese,Tipo_intervento,Regione,numero_domande\n";
  for (const char* region : {"ABRUZZO", "BASILICATA", "CALABRIA", "CAMPANIA", "LAZIO", "LIGURIA"}) {
    absl::StrAppend(&report, "2023,Agosto,CIGO,", region, ",321.0\n");
  }
  const std::string cut = report.substr(0, report.find('\n', report.size() / 2) + 1);
  EXPECT_EQ(
      UploadReport(cut, [](grpc::ClientContext& c, ReportWriter&) { c.TryCancel(); }).error_code(),
      grpc::StatusCode::CANCELLED);
  EXPECT_EQ(
      UploadReport(cut, [](grpc::ClientContext&, ReportWriter& w) { w.WritesDone(); }).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  ExpectNothingLogged();

  // A clean finish commits the whole file.
  v1::ImportRawEventsResponse response;
  auto context = WriteContext();
  auto writer = ingestion_->ImportRawEvents(context.get(), &response);
  v1::ImportRawEventsRequest header;
  header.mutable_header()->set_file_name("file.csv");
  ASSERT_TRUE(writer->Write(header));
  ASSERT_TRUE(client::WriteUploadBody(*writer, file, 4096));
  const grpc::Status clean = writer->Finish();
  ASSERT_TRUE(clean.ok()) << clean.error_message();
  EXPECT_EQ(response.events_accepted(), 4000u);
  EXPECT_EQ(Status().events_accepted(), 4000u);
}

TEST_F(TrustTest, DatesAfterTodayAreRefused) {
  v1::EventBatch future = Applications("P", 1, 0);
  future.mutable_events(3)->mutable_application_authorized()->mutable_authorized_on()->set_year(
      NextYear());
  const std::vector<v1::BatchAck> acks = Stream({future});
  EXPECT_EQ(acks[0].outcome(), v1::BATCH_OUTCOME_REJECTED);
  EXPECT_EQ(acks[0].code(), 3);
  ASSERT_EQ(acks[0].violations_size(), 1);
  EXPECT_EQ(acks[0].violations(0).event_index(), 3u);
  EXPECT_NE(acks[0].violations(0).reason().find("after today"), std::string::npos)
      << acks[0].violations(0).reason();

  const std::string file = ApplicationsCsv(3, NextYear());
  const grpc::Status raw = UploadRaw(file, [&](grpc::ClientContext&, auto& w) {
    End(w, file.size(), Sha256Hex(file));
    w.WritesDone();
  });
  EXPECT_EQ(raw.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(raw.error_message().find("line 2"), std::string::npos) << raw.error_message();

  const std::string report = absl::StrCat("Anno,Mese,Tipo_intervento,Regione,numero_domande\n",
                                          NextYear(), ",Gennaio,CIGO,ABRUZZO,3\n");
  const grpc::Status published = UploadReport(report, [&](grpc::ClientContext&, auto& w) {
    End(w, report.size(), Sha256Hex(report));
    w.WritesDone();
  });
  EXPECT_EQ(published.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(published.error_message().find("after the current year"), std::string::npos)
      << published.error_message();
  ExpectNothingLogged();
}

}  // namespace
}  // namespace omnia

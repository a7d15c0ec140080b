// The ingestion → aggregation path with the real service binaries on loopback, as producers and
// operators meet it: clear worker ids never reach disk or logs, and kill -9 of either service at
// random points, any number of times, loses no acknowledged event and counts none twice.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/client/event_streamer.h"
#include "libs/client/probes.h"
#include "libs/client/upload.h"
#include "libs/domain/codelists.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "omnia/v1/ingestion.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/cube_oracle.h"

namespace omnia {
namespace {

constexpr char kKey[] = "e2e-test-key-0123456789abcdef0123456789";

using testing::CellKey;
using testing::Event;
using testing::MakeEvents;
using testing::Recompute;
using testing::ToBatch;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("OMNIA_HMAC_KEY", kKey, 1);
    aggregation_address_ = absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
    ingestion_address_ = absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
    StartAggregation();
    StartIngestion();
  }

  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "aggregation log:\n"
                << ReadLogs("aggregation") << "\ningestion log:\n"
                << ReadLogs("ingestion");
    }
  }

  std::string Binary(const std::string& name) {
    return absl::StrCat(OMNIA_BINARY_DIR, "/services/", name, "/omnia-", name);
  }

  std::string LogPath(const std::string& name) {
    return absl::StrCat(dir_.path(), "/", name, "-", ++log_counter_, ".log");
  }

  std::string ReadLogs(const std::string& name) {
    std::string all;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      const std::string file = entry.path().filename().string();
      if (file.rfind(name + "-", 0) != 0 || entry.path().extension() != ".log") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      all += text.str();
    }
    return all;
  }

  void StartAggregation() {
    aggregation_ = std::make_unique<testing::ChildProcess>(
        Binary("aggregation"),
        std::vector<std::string>{"--grpc_address=" + aggregation_address_,
                                 "--data_dir=" + dir_.path() + "/aggregation",
                                 "--insecure_no_auth"},
        LogPath("aggregation"));
    ASSERT_TRUE(client::WaitUntilServing(rpc::CreateInsecureChannel(aggregation_address_), "",
                                         absl::Seconds(30))
                    .ok());
  }

  // Small forwarded requests, so that two are in flight whenever a backlog builds up (while
  // aggregation restarts, say): the kill tests below then cover that too.
  void StartIngestion() {
    ingestion_ = std::make_unique<testing::ChildProcess>(
        Binary("ingestion"),
        std::vector<std::string>{"--grpc_address=" + ingestion_address_,
                                 "--data_dir=" + dir_.path() + "/ingestion",
                                 "--aggregation_address=" + aggregation_address_,
                                 "--max_events_per_forward=1000", "--insecure_no_auth"},
        LogPath("ingestion"));
    ASSERT_TRUE(client::WaitUntilServing(rpc::CreateInsecureChannel(ingestion_address_), "",
                                         absl::Seconds(30))
                    .ok());
  }

  absl::Status Stream(const std::vector<Event>& events, size_t batch_size,
                      absl::Duration pause_between_batches = absl::ZeroDuration(),
                      uint64_t* reconnects = nullptr) {
    client::EventStreamer streamer(rpc::CreateInsecureChannel(ingestion_address_), {});
    struct Report {
      client::EventStreamer& streamer;
      uint64_t* out;
      ~Report() {
        if (out != nullptr) *out = streamer.stats().reconnects;
      }
    } report{streamer, reconnects};
    size_t next = 0;
    uint64_t sequence = 0;
    return streamer.Run([&]() -> std::optional<v1::EventBatch> {
      if (next >= events.size()) return std::nullopt;
      if (pause_between_batches > absl::ZeroDuration()) absl::SleepFor(pause_between_batches);
      const size_t end = std::min(events.size(), next + batch_size);
      v1::EventBatch batch = ToBatch(events, next, end, ++sequence);
      next = end;
      return batch;
    });
  }

  // Streams `events` from a producer thread while `kill_and_restart` runs three times at random
  // moments; returns how often the producer had to reconnect.
  uint64_t StreamWhileKilling(const std::vector<Event>& events, uint32_t seed,
                              const std::function<void()>& kill_and_restart) {
    absl::Status streamed;
    std::atomic<bool> producing{true};
    uint64_t reconnects = 0;
    std::thread producer([&] {
      streamed = Stream(events, 100, absl::Milliseconds(10), &reconnects);
      producing = false;
    });
    std::mt19937 rng(seed);
    for (int kill = 0; kill < 3; ++kill) {
      absl::SleepFor(absl::Milliseconds(100 + rng() % 200));
      // The kill must land while events are still flowing, or the test proves nothing.
      EXPECT_TRUE(producing.load()) << "kill " << kill << " came after the stream ended";
      kill_and_restart();
    }
    producer.join();
    EXPECT_TRUE(streamed.ok()) << streamed;
    return reconnects;
  }

  // Waits until aggregation has applied everything ingestion logged.
  void WaitUntilApplied() {
    auto stub = v1::IngestionService::NewStub(rpc::CreateInsecureChannel(ingestion_address_));
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    v1::GetIngestionStatusResponse status;
    while (absl::Now() < deadline) {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
      if (stub->GetIngestionStatus(&context, {}, &status).ok() && status.backlog_entries() == 0 &&
          status.applied_log_sequence() == status.last_log_sequence()) {
        return;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    FAIL() << "not applied in time: " << status.DebugString();
  }

  std::map<CellKey, uint64_t> QueryEverything() {
    auto stub = v1::AggregationService::NewStub(rpc::CreateInsecureChannel(aggregation_address_));
    absl::StatusOr<std::map<CellKey, uint64_t>> cells = testing::QueryEverything(*stub, 2022, 2023);
    EXPECT_TRUE(cells.ok()) << cells.status();
    return cells.ok() ? *std::move(cells) : std::map<CellKey, uint64_t>{};
  }

  void ExpectCubeEquals(const std::vector<Event>& events) {
    const testing::CubeComparison comparison =
        testing::CompareCubes(Recompute(events), QueryEverything());
    for (const std::string& difference : comparison.first_differences) ADD_FAILURE() << difference;
    EXPECT_EQ(comparison.cells_differing, 0u);
  }

  // Uploads a file through ImportPublishedReport in 64 KiB chunks.
  grpc::Status ImportReport(const std::string& content, v1::ImportPublishedReportResponse* response,
                            const std::string& file_name = "report.csv") {
    auto stub = v1::IngestionService::NewStub(rpc::CreateInsecureChannel(ingestion_address_));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    auto writer = stub->ImportPublishedReport(&context, response);
    v1::ImportPublishedReportRequest header;
    header.mutable_header()->set_file_name(file_name);
    if (writer->Write(header)) client::WriteUploadBody(*writer, content, 65536);
    return writer->Finish();
  }

  grpc::Status ImportRaw(const std::string& content, v1::ImportRawEventsResponse* response) {
    auto stub = v1::IngestionService::NewStub(rpc::CreateInsecureChannel(ingestion_address_));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    auto writer = stub->ImportRawEvents(&context, response);
    v1::ImportRawEventsRequest header;
    header.mutable_header()->set_file_name("events.csv");
    if (writer->Write(header)) client::WriteUploadBody(*writer, content);
    return writer->Finish();
  }

  v1::GetIngestionStatusResponse IngestionStatus() {
    auto stub = v1::IngestionService::NewStub(rpc::CreateInsecureChannel(ingestion_address_));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    v1::GetIngestionStatusResponse status;
    EXPECT_TRUE(stub->GetIngestionStatus(&context, {}, &status).ok());
    return status;
  }

  // Yearly national value per intervention type (or the status when the query fails).
  absl::StatusOr<std::map<std::string, uint64_t>> YearlyByType(const std::string& measure,
                                                               int year) {
    auto stub = v1::AggregationService::NewStub(rpc::CreateInsecureChannel(aggregation_address_));
    v1::QueryRequest request;
    v1::CellQuery* q = request.mutable_query();
    q->add_measures(measure);
    q->set_period_level(v1::PERIOD_LEVEL_YEAR);
    q->set_region_level(v1::REGION_LEVEL_ITALY);
    q->set_type_level(v1::TYPE_LEVEL_TYPE);
    q->mutable_period_range()->mutable_first()->set_year(year);
    q->mutable_period_range()->mutable_first()->set_month(1);
    q->mutable_period_range()->mutable_last()->set_year(year);
    q->mutable_period_range()->mutable_last()->set_month(12);
    grpc::ClientContext context;
    v1::QueryResponse response;
    grpc::Status status = stub->Query(&context, request, &response);
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    }
    std::map<std::string, uint64_t> totals;
    for (const v1::Cell& c : response.cells()) totals[c.intervention_type().code()] = c.value();
    return totals;
  }

  testing::TempDir dir_;
  std::string aggregation_address_;
  std::string ingestion_address_;
  std::unique_ptr<testing::ChildProcess> aggregation_;
  std::unique_ptr<testing::ChildProcess> ingestion_;
  int log_counter_ = 0;
};

TEST_F(PipelineTest, ClearWorkerIdsNeverReachDiskOrLogs) {
  const std::vector<Event> events = MakeEvents(400, 60, 1);
  ASSERT_TRUE(Stream(events, 50).ok());
  WaitUntilApplied();
  ExpectCubeEquals(events);
  // A release is a second copy of the cube on disk: it must be clean too.
  auto stub = v1::AggregationService::NewStub(rpc::CreateInsecureChannel(aggregation_address_));
  grpc::ClientContext context;
  v1::FreezeRequest freeze;
  freeze.set_release_id("leak-check");
  v1::FreezeResponse frozen;
  ASSERT_TRUE(stub->Freeze(&context, freeze, &frozen).ok());
  ingestion_->Signal(SIGTERM);
  aggregation_->Signal(SIGTERM);
  ASSERT_EQ(ingestion_->WaitForExit(absl::Seconds(20)), 0);
  ASSERT_EQ(aggregation_->WaitForExit(absl::Seconds(20)), 0);

  std::set<std::string> needles;
  for (const Event& e : events) {
    if (!e.payment) continue;
    needles.insert(e.worker);
    needles.insert(absl::AsciiStrToLower(e.worker));
  }
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string content = bytes.str();
    for (const std::string& needle : needles) {
      ASSERT_EQ(content.find(needle), std::string::npos)
          << "a clear worker id is in " << entry.path();
    }
  }
  EXPECT_GT(files, 10u);  // the log, the cube, the release and both service logs were searched
}

TEST_F(PipelineTest, KillingAggregationAtRandomLosesNothingAndCountsNothingTwice) {
  const std::vector<Event> events = MakeEvents(24000, 3000, 2);
  StreamWhileKilling(events, 7, [this] {
    aggregation_->Signal(SIGKILL);
    aggregation_->WaitForExit(absl::Seconds(10));
    StartAggregation();
  });
  WaitUntilApplied();
  ExpectCubeEquals(events);
}

TEST_F(PipelineTest, KillingIngestionAtRandomLosesNothingAndCountsNothingTwice) {
  const std::vector<Event> events = MakeEvents(24000, 3000, 3);
  const uint64_t reconnects = StreamWhileKilling(events, 11, [this] {
    ingestion_->Signal(SIGKILL);
    ingestion_->WaitForExit(absl::Seconds(10));
    StartIngestion();
  });
  // The producer saw its server die and resent what was unacknowledged.
  EXPECT_GE(reconnects, 3u);
  WaitUntilApplied();
  ExpectCubeEquals(events);
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Sums the value column per Tipo_intervento with a plain split of the file's lines.
std::map<std::string, uint64_t> FileTotalsByType(const std::string& content) {
  std::map<std::string, uint64_t> totals;
  std::stringstream lines(content);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::stringstream cells(line);
    std::string field;
    while (std::getline(cells, field, ',')) fields.push_back(field);
    totals[fields[2]] += static_cast<uint64_t>(std::stod(fields[4]));
  }
  return totals;
}

TEST_F(PipelineTest, RealInpsFilesImportWithTheirTotalsAndRefuseWorkerRollups) {
  const std::string folder = OMNIA_SHARED_DATA_DIR;
  if (!std::filesystem::exists(folder)) GTEST_SKIP() << "no " << folder;
  const std::map<std::string, std::string> files = {
      {"APPLICATIONS", folder + "/integrazioni-salariali-domande-2023.csv"},
      {"WORKERS", folder + "/integrazioni-salariali-lavoratori-2023.csv"},
      {"BENEFIT_MONTHS", folder + "/integrazioni-salariali-mensilita-2023.csv"}};
  for (const auto& [measure, path] : files) {
    v1::ImportPublishedReportResponse response;
    grpc::Status status = ImportReport(ReadWholeFile(path), &response);
    ASSERT_TRUE(status.ok()) << path << ": " << status.error_message();
    EXPECT_EQ(response.measure(), measure);
    EXPECT_EQ(response.rows_imported(), measure == "APPLICATIONS" ? 759u : 790u);
    EXPECT_FALSE(response.unchanged());
  }
  // The same file again is recognised and changes nothing.
  v1::ImportPublishedReportResponse again;
  ASSERT_TRUE(ImportReport(ReadWholeFile(files.at("APPLICATIONS")), &again).ok());
  EXPECT_TRUE(again.unchanged());
  WaitUntilApplied();

  for (const std::string measure : {"APPLICATIONS", "BENEFIT_MONTHS"}) {
    absl::StatusOr<std::map<std::string, uint64_t>> totals = YearlyByType(measure, 2023);
    ASSERT_TRUE(totals.ok()) << totals.status();
    EXPECT_EQ(*totals, FileTotalsByType(ReadWholeFile(files.at(measure)))) << measure;
  }
  absl::StatusOr<std::map<std::string, uint64_t>> workers = YearlyByType("WORKERS", 2023);
  EXPECT_EQ(workers.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(workers.status().message().find("not additive"), std::string::npos);
}

TEST_F(PipelineTest, MalformedFilesAndBatchesAreRejectedWholeAndChangeNothing) {
  v1::ImportPublishedReportResponse report;
  grpc::Status status = ImportReport(
      "Anno,Mese,Tipo_intervento,Regione,numero_domande\r\n"
      "2023,Gennaio,CIGO,LAZIO,10.0\r\n"
      "2023,Febbraio,CIGO,ATLANTIDE,5.0\r\n",
      &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("line 3"), std::string::npos) << status.error_message();
  EXPECT_NE(status.error_message().find("Regione"), std::string::npos) << status.error_message();

  v1::ImportRawEventsResponse raw;
  status = ImportRaw(
      "payment_id,worker_id,paid_on,region,intervention_type,months_covered\n"
      "P1,RSSMRA85T10A562S,2023-02-30,LAZIO,CIGO,1\n",
      &raw);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("line 2"), std::string::npos) << status.error_message();
  EXPECT_EQ(status.error_message().find("RSSMRA85T10A562S"), std::string::npos);

  // A batch with one bad event among good ones: rejected whole, each bad field named.
  std::vector<Event> events = MakeEvents(20, 10, 4);
  events[3].region = "ATLANTIDE";
  events[7].month = 13;
  auto stub = v1::IngestionService::NewStub(rpc::CreateInsecureChannel(ingestion_address_));
  grpc::ClientContext context;
  auto stream = stub->StreamEvents(&context);
  ASSERT_TRUE(stream->Write(ToBatch(events, 0, events.size(), 1)));
  v1::BatchAck ack;
  ASSERT_TRUE(stream->Read(&ack));
  EXPECT_EQ(ack.outcome(), v1::BATCH_OUTCOME_REJECTED);
  EXPECT_EQ(ack.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  ASSERT_EQ(ack.violations_size(), 2);
  EXPECT_EQ(ack.violations(0).event_index(), 3u);
  EXPECT_EQ(ack.violations(0).field(), "payment_issued.region");
  EXPECT_EQ(ack.violations(1).event_index(), 7u);
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());

  // The same id with other content is refused, naming the id.
  std::vector<Event> first = MakeEvents(5, 5, 5);
  ASSERT_TRUE(Stream(first, 5).ok());
  std::vector<Event> changed = first;
  size_t payment = 0;
  while (!first[payment].payment) ++payment;
  changed[payment].months = first[payment].months + 1;
  absl::Status conflict = [&] {
    client::EventStreamer streamer(rpc::CreateInsecureChannel(ingestion_address_), {});
    bool sent = false;
    return streamer.Run([&]() -> std::optional<v1::EventBatch> {
      if (sent) return std::nullopt;
      sent = true;
      v1::EventBatch batch = ToBatch(changed, 0, changed.size(), 2);
      batch.set_producer_id("another-producer");
      return batch;
    });
  }();
  EXPECT_EQ(conflict.code(), absl::StatusCode::kAlreadyExists) << conflict;
  EXPECT_NE(conflict.message().find(changed[payment].id), std::string::npos) << conflict;

  WaitUntilApplied();
  const v1::GetIngestionStatusResponse counters = IngestionStatus();
  EXPECT_EQ(counters.events_accepted(), 5u);
  EXPECT_GE(counters.batches_rejected(), 2u);
  ExpectCubeEquals(first);
}

TEST_F(PipelineTest, RawEventFilesImportOnceAndRebuildGivesTheSameCube) {
  std::vector<Event> events = MakeEvents(3000, 400, 6);
  std::string payments = "payment_id,worker_id,paid_on,region,intervention_type,months_covered\n";
  std::string applications = "application_id,authorized_on,region,intervention_type\n";
  for (const Event& e : events) {
    const std::string date = absl::StrFormat("%04d-%02d-%02d", e.year, e.month, e.day);
    if (e.payment) {
      absl::StrAppend(&payments, e.id, ",", e.worker, ",", date, ",", e.region, ",", e.type, ",",
                      e.months, "\n");
    } else {
      absl::StrAppend(&applications, e.id, ",", date, ",", e.region, ",", e.type, "\n");
    }
  }
  v1::ImportRawEventsResponse response;
  ASSERT_TRUE(ImportRaw(payments, &response).ok());
  EXPECT_EQ(response.layout(), v1::RAW_EVENT_LAYOUT_PAYMENTS);
  ASSERT_TRUE(ImportRaw(applications, &response).ok());
  EXPECT_EQ(response.events_accepted(), response.rows());
  // Importing a file twice counts its events as duplicates.
  ASSERT_TRUE(ImportRaw(applications, &response).ok());
  EXPECT_EQ(response.events_accepted(), 0u);
  EXPECT_EQ(response.events_duplicate(), response.rows());
  WaitUntilApplied();
  ExpectCubeEquals(events);

  auto stub = v1::IngestionService::NewStub(rpc::CreateInsecureChannel(ingestion_address_));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  v1::RebuildAggregationResponse rebuilt;
  grpc::Status status = stub->RebuildAggregation(&context, {}, &rebuilt);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(rebuilt.events_replayed(), events.size());
  ExpectCubeEquals(events);
}

TEST_F(PipelineTest, BacklogIsBoundedWhileAggregationIsDownAndDrainsWhenItReturns) {
  // A small backlog limit makes the bound visible.
  ingestion_->Signal(SIGTERM);
  ASSERT_EQ(ingestion_->WaitForExit(absl::Seconds(20)), 0);
  aggregation_->Signal(SIGKILL);
  aggregation_->WaitForExit(absl::Seconds(10));
  ingestion_ = std::make_unique<testing::ChildProcess>(
      Binary("ingestion"),
      std::vector<std::string>{"--grpc_address=" + ingestion_address_,
                               "--data_dir=" + dir_.path() + "/ingestion",
                               "--aggregation_address=" + aggregation_address_,
                               "--max_backlog_events=1000", "--insecure_no_auth"},
      LogPath("ingestion"));
  ASSERT_TRUE(client::WaitUntilServing(rpc::CreateInsecureChannel(ingestion_address_), "",
                                       absl::Seconds(30))
                  .ok());
  const std::vector<Event> events = MakeEvents(1500, 200, 8);
  auto stub = v1::IngestionService::NewStub(rpc::CreateInsecureChannel(ingestion_address_));
  grpc::ClientContext context;
  auto stream = stub->StreamEvents(&context);
  std::vector<v1::BatchAck> acks;
  for (int b = 0; b < 3; ++b) {
    ASSERT_TRUE(stream->Write(ToBatch(events, b * 500, (b + 1) * 500, b + 1)));
    v1::BatchAck ack;
    ASSERT_TRUE(stream->Read(&ack));
    acks.push_back(ack);
  }
  stream->WritesDone();
  stream->Finish();
  // Two batches fit the backlog; the third is refused until aggregation catches up.
  EXPECT_EQ(acks[0].outcome(), v1::BATCH_OUTCOME_ACCEPTED);
  EXPECT_EQ(acks[1].outcome(), v1::BATCH_OUTCOME_ACCEPTED);
  EXPECT_EQ(acks[2].outcome(), v1::BATCH_OUTCOME_REJECTED);
  EXPECT_EQ(acks[2].code(), static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  const v1::GetIngestionStatusResponse status = IngestionStatus();
  EXPECT_EQ(status.backlog_events(), 1000u);
  EXPECT_FALSE(status.aggregation_reachable());

  StartAggregation();
  WaitUntilApplied();
  // The producer resends the refused batch; everything is counted once.
  ASSERT_TRUE(Stream(events, 500).ok());
  WaitUntilApplied();
  ExpectCubeEquals(events);
}

}  // namespace
}  // namespace omnia

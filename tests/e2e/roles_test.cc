// Roles end to end with the four real binaries and the deployment's own tokens and digest files
// (deploy/auth/make-tokens.sh from deploy/auth/roles): every role calls every write and admin
// method. A call its role allows gets past authorization (it may still fail for its own reasons,
// e.g. an empty request); any other call changes nothing that ingestion, aggregation or the
// catalogue report, and ends PERMISSION_DENIED, or UNAUTHENTICATED on a server that holds no
// digest of that role because the role may call nothing there. The expected table is the one of
// the roles' definition, written out here independently of deploy/auth/roles.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/client/event_streamer.h"
#include "libs/client/probes.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "omnia/v1/catalogue.grpc.pb.h"
#include "omnia/v1/ingestion.grpc.pb.h"
#include "tests/support/cluster.h"
#include "tests/support/payment_batches.h"

namespace omnia {
namespace {

constexpr char kStreamEvents[] = "IngestionService/StreamEvents";
constexpr char kImportRawEvents[] = "IngestionService/ImportRawEvents";
constexpr char kImportPublishedReport[] = "IngestionService/ImportPublishedReport";
constexpr char kRebuildAggregation[] = "IngestionService/RebuildAggregation";
constexpr char kApply[] = "AggregationService/Apply";
constexpr char kReplacePublishedCells[] = "AggregationService/ReplacePublishedCells";
constexpr char kFreeze[] = "AggregationService/Freeze";
constexpr char kRebuild[] = "AggregationService/Rebuild";
constexpr char kPublish[] = "CatalogueService/Publish";
constexpr char kReadAttachment[] = "CatalogueService/ReadAttachment";

// The producer id the ingestion service forwards its log under (its --producer_id default).
constexpr char kForwarderId[] = "ingestion";

const std::map<std::string, std::set<std::string>>& AllowedMethods() {
  static const auto* allowed = new std::map<std::string, std::set<std::string>>{
      {"producer", {kStreamEvents, kImportRawEvents, kImportPublishedReport}},
      {"operator",
       {kStreamEvents, kImportRawEvents, kImportPublishedReport, kRebuildAggregation, kPublish,
        kFreeze}},
      {"ingestion", {kApply, kReplacePublishedCells, kRebuild}},
      {"catalogue", {kFreeze}},
      {"gateway", {kReadAttachment}},
  };
  return *allowed;
}

// "IngestionService" for "IngestionService/StreamEvents": the server that checks the call.
std::string ServiceOf(const std::string& method) { return method.substr(0, method.find('/')); }

// Whether a role allowed `allowed` is known to the server of `service` (holds a digest there).
bool KnownTo(const std::string& service, const std::set<std::string>& allowed) {
  for (const std::string& method : allowed) {
    if (ServiceOf(method) == service) return true;
  }
  return false;
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& token = "",
                                             absl::Duration timeout = absl::Seconds(60)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

// Writes `messages` on a client stream (stopping when the server has already answered), closes
// it and returns the final status.
template <typename Writer, typename Message>
grpc::Status WriteAll(Writer& writer, const std::vector<Message>& messages) {
  for (const Message& message : messages) {
    if (!writer.Write(message)) break;
  }
  writer.WritesDone();
  return writer.Finish();
}

// A file upload: a header and one chunk of `data` when `harmful`, otherwise nothing at all.
template <typename Request, typename Writer>
grpc::Status Upload(Writer& writer, bool harmful, const std::string& file_name,
                    const std::string& data) {
  std::vector<Request> messages;
  if (harmful) {
    messages.resize(2);
    messages[0].mutable_header()->set_file_name(file_name);
    messages[1].set_data(data);
  }
  return WriteAll(writer, messages);
}

class RolesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.StartAll());
    ingestion_ =
        v1::IngestionService::NewStub(rpc::CreateInsecureChannel(cluster_.address("ingestion")));
    aggregation_ = v1::AggregationService::NewStub(
        rpc::CreateInsecureChannel(cluster_.address("aggregation")));
    catalogue_ =
        v1::CatalogueService::NewStub(rpc::CreateInsecureChannel(cluster_.address("catalogue")));
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << cluster_.Logs();
  }

  // Events from a producer, forwarded by ingestion to aggregation with ingestion's own token:
  // the cubes and the forwarder's applied sequence are not empty, so a write that got through
  // would show.
  void LoadEvents() {
    client::StreamerOptions options;
    options.bearer_token = cluster_.token("producer");
    client::EventStreamer streamer(rpc::CreateInsecureChannel(cluster_.address("ingestion")),
                                   options);
    uint64_t sequence = 0;
    const absl::Status streamed = streamer.Run([&]() -> std::optional<v1::EventBatch> {
      if (sequence == 3) return std::nullopt;
      ++sequence;
      return testing::PaymentBatch("roles-test", sequence, 50 * static_cast<int>(sequence), 50);
    });
    ASSERT_TRUE(streamed.ok()) << streamed;
    WaitUntilApplied();
  }

  void WaitUntilApplied() {
    for (int i = 0; i < 600; ++i) {
      v1::GetIngestionStatusResponse status;
      if (ingestion_->GetIngestionStatus(Context().get(), {}, &status).ok() &&
          status.last_log_sequence() > 0 && status.backlog_entries() == 0 &&
          status.applied_log_sequence() == status.last_log_sequence()) {
        return;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    FAIL() << "aggregation did not apply ingestion's log";
  }

  v1::GetCubeStatsResponse CubeStats() {
    v1::GetCubeStatsResponse stats;
    const grpc::Status status = aggregation_->GetCubeStats(Context().get(), {}, &stats);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return stats;
  }

  v1::GetIngestionStatusResponse IngestionStatus() {
    v1::GetIngestionStatusResponse status;
    const grpc::Status called = ingestion_->GetIngestionStatus(Context().get(), {}, &status);
    EXPECT_TRUE(called.ok()) << called.error_message();
    return status;
  }

  // The last sequence aggregation applied from `producer_id`, 0 for none.
  uint64_t AppliedSequence(const std::string& producer_id) {
    const v1::GetCubeStatsResponse stats = CubeStats();
    for (const v1::ProducerSequence& producer : stats.producers()) {
      if (producer.producer_id() == producer_id) return producer.last_applied_sequence();
    }
    return 0;
  }

  // Everything a write could change, as text: the cubes and applied sequences, ingestion's log
  // and counters, and the releases of aggregation and the catalogue. Fields that move without a
  // write (disk usage, the time of the last confirmation) are left out.
  std::string State() {
    v1::GetCubeStatsResponse stats = CubeStats();
    stats.clear_storage_bytes();
    v1::GetIngestionStatusResponse ingestion = IngestionStatus();
    ingestion.clear_last_applied_time();
    ingestion.clear_aggregation_reachable();
    v1::ListCubeReleasesResponse cube_releases;
    EXPECT_TRUE(aggregation_->ListReleases(Context().get(), {}, &cube_releases).ok());
    v1::ListReleasesResponse releases;
    EXPECT_TRUE(catalogue_->ListReleases(Context().get(), {}, &releases).ok());
    return absl::StrCat("aggregation:\n", stats.DebugString(), cube_releases.DebugString(),
                        "ingestion:\n", ingestion.DebugString(), "catalogue:\n",
                        releases.DebugString());
  }

  // Calls `method` with `token`. `harmful` picks a request that would change state if it got
  // through (a forged Apply, an empty Rebuild, new events, a new release); otherwise the request
  // is one that changes nothing even when allowed (mostly empty, so INVALID_ARGUMENT).
  grpc::Status Call(const std::string& method, const std::string& token, bool harmful) {
    auto context = Context(token);
    if (method == kStreamEvents) {
      auto stream = ingestion_->StreamEvents(context.get());
      if (harmful) stream->Write(testing::PaymentBatch("intruder", 1, 0, 20));
      stream->WritesDone();
      v1::BatchAck ack;
      while (stream->Read(&ack)) {
      }
      return stream->Finish();
    }
    if (method == kImportRawEvents) {
      v1::ImportRawEventsResponse response;
      auto writer = ingestion_->ImportRawEvents(context.get(), &response);
      return Upload<v1::ImportRawEventsRequest>(*writer, harmful, "payments.csv",
                                                "payment_id,worker_id\nP1,RSSMRA80A01H501Z\n");
    }
    if (method == kImportPublishedReport) {
      v1::ImportPublishedReportResponse response;
      auto writer = ingestion_->ImportPublishedReport(context.get(), &response);
      return Upload<v1::ImportPublishedReportRequest>(*writer, harmful, "report.csv",
                                                      "Anno;Mese;Regione\n2024;1;LAZIO\n");
    }
    if (method == kRebuildAggregation) {
      v1::RebuildAggregationResponse response;
      return ingestion_->RebuildAggregation(context.get(), {}, &response);
    }
    if (method == kApply) {
      v1::ApplyRequest request;
      if (harmful) {
        request.set_producer_id(kForwarderId);
        request.set_sequence(std::numeric_limits<uint64_t>::max());
      }
      v1::ApplyResponse response;
      return aggregation_->Apply(context.get(), request, &response);
    }
    if (method == kReplacePublishedCells) {
      v1::ReplacePublishedCellsRequest request;
      if (harmful) {
        request.set_producer_id(kForwarderId);
        request.set_sequence(std::numeric_limits<uint64_t>::max());
        request.set_measure("APPLICATIONS");
        request.add_years(2024);
      }
      v1::ReplacePublishedCellsResponse response;
      return aggregation_->ReplacePublishedCells(context.get(), request, &response);
    }
    if (method == kFreeze) {
      v1::FreezeRequest request;
      if (harmful) request.set_release_id("forged-release");
      v1::FreezeResponse response;
      return aggregation_->Freeze(context.get(), request, &response);
    }
    if (method == kRebuild) {
      v1::RebuildResponse response;
      auto writer = aggregation_->Rebuild(context.get(), &response);
      // Harmful: the empty stream, which would replace the cubes with nothing. Otherwise one
      // invalid entry, which a rebuild refuses.
      std::vector<v1::RebuildRequest> messages(harmful ? 0 : 1);
      if (!harmful) messages[0].mutable_apply();
      return WriteAll(*writer, messages);
    }
    if (method == kPublish) {
      v1::PublishRequest request;
      request.set_release_id(harmful ? "forged-release" : "r1");
      v1::PublishResponse response;
      return catalogue_->Publish(context.get(), request, &response);
    }
    if (method == kReadAttachment) {
      // A read: even allowed it changes nothing. Harmful or not, it asks for a published file.
      v1::ReadAttachmentRequest request;
      if (harmful) {
        request.set_release_id("r1");
        request.set_dataset_id("integrazioni-salariali-domande-storico");
        request.set_file_name("integrazioni-salariali-domande-storico.csv");
      }
      auto reader = catalogue_->ReadAttachment(context.get(), request);
      v1::ReadAttachmentResponse response;
      while (reader->Read(&response)) {
      }
      return reader->Finish();
    }
    ADD_FAILURE() << "no call for " << method;
    return grpc::Status(grpc::StatusCode::INTERNAL, "no call");
  }

  testing::Cluster cluster_{OMNIA_BINARY_DIR, std::filesystem::current_path().string()};
  std::unique_ptr<v1::IngestionService::Stub> ingestion_;
  std::unique_ptr<v1::AggregationService::Stub> aggregation_;
  std::unique_ptr<v1::CatalogueService::Stub> catalogue_;
};

TEST_F(RolesTest, TheOperatorCannotForgeTheForwardersAppliedSequence) {
  LoadEvents();
  const uint64_t applied = AppliedSequence(kForwarderId);
  ASSERT_GT(applied, 0u);
  const std::string before = State();

  v1::ApplyRequest request;
  request.set_producer_id(kForwarderId);
  request.set_sequence(std::numeric_limits<uint64_t>::max());
  v1::ApplyResponse response;
  const grpc::Status status =
      aggregation_->Apply(Context(cluster_.operator_token()).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();

  EXPECT_EQ(AppliedSequence(kForwarderId), applied);
  EXPECT_EQ(State(), before);
  // The forwarder still forwards: new events reach the cubes under the next sequence.
  client::StreamerOptions options;
  options.bearer_token = cluster_.operator_token();
  client::EventStreamer streamer(rpc::CreateInsecureChannel(cluster_.address("ingestion")),
                                 options);
  bool sent = false;
  ASSERT_TRUE(streamer
                  .Run([&]() -> std::optional<v1::EventBatch> {
                    if (sent) return std::nullopt;
                    sent = true;
                    return testing::PaymentBatch("roles-test-2", 1, 1000, 10);
                  })
                  .ok());
  WaitUntilApplied();
  EXPECT_GT(AppliedSequence(kForwarderId), applied);
}

// The micro-data cells of every level of the live cubes.
uint64_t MicroDataCells(const v1::GetCubeStatsResponse& stats) {
  uint64_t cells = 0;
  for (const v1::LevelStats& level : stats.levels()) cells += level.micro_data_cells();
  return cells;
}

TEST_F(RolesTest, TheOperatorCannotReplaceTheCubesWithAnEmptyRebuild) {
  LoadEvents();
  const uint64_t cells = MicroDataCells(CubeStats());
  ASSERT_GT(cells, 0u);
  const std::string before = State();

  v1::RebuildResponse response;
  auto context = Context(cluster_.operator_token());
  auto writer = aggregation_->Rebuild(context.get(), &response);
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();

  EXPECT_EQ(MicroDataCells(CubeStats()), cells);
  EXPECT_EQ(State(), before);
}

TEST_F(RolesTest, EveryRoleCallsExactlyTheMethodsOfItsRole) {
  LoadEvents();
  // A release through the whole chain: the operator publishes, the catalogue freezes with its
  // own token and the exporter renders without any.
  v1::PublishRequest publish;
  publish.set_release_id("r1");
  v1::PublishResponse published;
  const grpc::Status publish_status =
      catalogue_->Publish(Context(cluster_.operator_token()).get(), publish, &published);
  ASSERT_TRUE(publish_status.ok()) << publish_status.error_message();

  const std::vector<std::string> methods = {kStreamEvents,
                                            kImportRawEvents,
                                            kImportPublishedReport,
                                            kRebuildAggregation,
                                            kApply,
                                            kReplacePublishedCells,
                                            kFreeze,
                                            kRebuild,
                                            kPublish,
                                            kReadAttachment};
  // Every refusal first, each with a request that would have changed something, against a
  // state that nothing else changes meanwhile. A server holds the digests of the callers allowed
  // some method of its own only: to it a token of any other role is no credential at all.
  int denied = 0;
  int unknown = 0;
  for (const auto& [role, allowed] : AllowedMethods()) {
    for (const std::string& method : methods) {
      if (allowed.count(method) > 0) continue;
      const bool known = KnownTo(ServiceOf(method), allowed);
      const std::string before = State();
      const grpc::Status status = Call(method, cluster_.token(role), /*harmful=*/true);
      EXPECT_EQ(status.error_code(),
                known ? grpc::StatusCode::PERMISSION_DENIED : grpc::StatusCode::UNAUTHENTICATED)
          << role << " calling " << method << ": " << status.error_message();
      EXPECT_EQ(State(), before) << role << " calling " << method << " changed something";
      ++(known ? denied : unknown);
    }
  }
  // producer: RebuildAggregation; operator: Apply, ReplacePublishedCells, Rebuild,
  // ReadAttachment; ingestion: Freeze; catalogue: Apply, ReplacePublishedCells, Rebuild;
  // gateway: Publish.
  EXPECT_EQ(denied, 10);
  EXPECT_EQ(unknown, 5 * 10 - 14 - 10);
  // Then every allowed pair, with requests that change nothing: authorization lets each through,
  // whatever the method then says about the request.
  for (const auto& [role, allowed] : AllowedMethods()) {
    for (const std::string& method : allowed) {
      const grpc::Status status = Call(method, cluster_.token(role), /*harmful=*/false);
      EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << role << " calling " << method << ": " << status.error_message();
      EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << role << " calling " << method << ": " << status.error_message();
    }
  }
  // An unknown token stays UNAUTHENTICATED everywhere, not PERMISSION_DENIED.
  for (const std::string& method : methods) {
    EXPECT_EQ(Call(method, "unknown-token-0123456789abcdef", true).error_code(),
              grpc::StatusCode::UNAUTHENTICATED)
        << method;
  }
}

}  // namespace
}  // namespace omnia

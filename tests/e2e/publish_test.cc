// Publishing end to end with the four real binaries: the real INPS 2023 files go in through
// ingestion, a Publish freezes the cubes and renders every attachment through the exporter, the
// catalogue lists the datasets with their metadata, and the Annuale 2023 CSV downloads hold
// exactly the rows of the original files. Downloads are reproducible and earlier releases stay
// downloadable.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/base/sha256.h"
#include "libs/client/probes.h"
#include "libs/client/upload.h"
#include "omnia/v1/catalogue.grpc.pb.h"
#include "omnia/v1/export.grpc.pb.h"
#include "omnia/v1/ingestion.grpc.pb.h"
#include "tests/support/cluster.h"

namespace omnia {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::Seconds(60)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

class PublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = OMNIA_SHARED_DATA_DIR;
    if (!std::filesystem::exists(folder_)) GTEST_SKIP() << "no " << folder_;
    ASSERT_TRUE(cluster_.StartAll());
    ingestion_ =
        v1::IngestionService::NewStub(rpc::CreateInsecureChannel(cluster_.address("ingestion")));
    catalogue_ =
        v1::CatalogueService::NewStub(rpc::CreateInsecureChannel(cluster_.address("catalogue")));
    exporter_ =
        v1::ExportService::NewStub(rpc::CreateInsecureChannel(cluster_.address("exporter")));
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << cluster_.Logs();
  }

  void Import(const std::string& content) {
    v1::ImportPublishedReportResponse response;
    auto context = Context();
    context->AddMetadata("authorization", "Bearer " + cluster_.operator_token());
    auto writer = ingestion_->ImportPublishedReport(context.get(), &response);
    v1::ImportPublishedReportRequest header;
    header.mutable_header()->set_file_name("report.csv");
    if (writer->Write(header)) client::WriteUploadBody(*writer, content);
    grpc::Status status = writer->Finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  void WaitUntilApplied() {
    for (int i = 0; i < 600; ++i) {
      v1::GetIngestionStatusResponse status;
      if (ingestion_->GetIngestionStatus(Context().get(), {}, &status).ok() &&
          status.backlog_entries() == 0 &&
          status.applied_log_sequence() == status.last_log_sequence()) {
        return;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    FAIL() << "ingestion did not catch up";
  }

  v1::PublishResponse Publish(const std::string& release_id) {
    v1::PublishRequest request;
    request.set_release_id(release_id);
    request.set_description("test publication " + release_id);
    v1::PublishResponse response;
    auto context = Context();
    context->AddMetadata("authorization", "Bearer " + cluster_.operator_token());
    grpc::Status status = catalogue_->Publish(context.get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Downloads an attachment through the exporter; checks the summary against the bytes.
  std::string Download(const std::string& dataset_id, v1::Format format,
                       const std::string& release_id) {
    v1::ExportRequest request;
    request.set_dataset_id(dataset_id);
    request.set_format(format);
    request.set_release_id(release_id);
    auto context = Context();
    auto reader = exporter_->Export(context.get(), request);
    std::string bytes;
    v1::ExportResponse message;
    v1::ExportSummary summary;
    bool header = false;
    while (reader->Read(&message)) {
      header |= message.has_header();
      if (message.has_summary()) summary = message.summary();
      bytes += message.data();
    }
    grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << dataset_id << ": " << status.error_message();
    EXPECT_TRUE(header);
    EXPECT_EQ(summary.size_bytes(), bytes.size());
    EXPECT_EQ(summary.sha256(), Sha256Hex(bytes));
    return bytes;
  }

  std::string folder_;
  testing::Cluster cluster_{OMNIA_BINARY_DIR, std::filesystem::current_path().string()};
  std::unique_ptr<v1::IngestionService::Stub> ingestion_;
  std::unique_ptr<v1::CatalogueService::Stub> catalogue_;
  std::unique_ptr<v1::ExportService::Stub> exporter_;
};

std::multiset<std::string> Rows(const std::string& csv) {
  std::multiset<std::string> rows;
  std::vector<std::string> lines = absl::StrSplit(csv, "\r\n", absl::SkipEmpty());
  for (size_t i = 1; i < lines.size(); ++i) rows.insert(lines[i]);
  return rows;
}

TEST_F(PublishTest, RealFilesRoundTripThroughAPublication) {
  const std::map<std::string, std::string> originals = {
      {"integrazioni-salariali-domande-2023",
       ReadFile(folder_ + "/integrazioni-salariali-domande-2023.csv")},
      {"integrazioni-salariali-lavoratori-2023",
       ReadFile(folder_ + "/integrazioni-salariali-lavoratori-2023.csv")},
      {"integrazioni-salariali-mensilita-2023",
       ReadFile(folder_ + "/integrazioni-salariali-mensilita-2023.csv")}};
  for (const auto& [id, content] : originals) Import(content);
  WaitUntilApplied();

  const v1::PublishResponse first = Publish("r1");
  ASSERT_TRUE(first.created());
  EXPECT_GE(first.release().dataset_count(), 3);

  // The catalogue lists the Annuale 2023 datasets with INPS's metadata and five attachments.
  v1::ListDatasetsRequest list;
  list.set_query("lavoratori");
  v1::ListDatasetsResponse found;
  ASSERT_TRUE(catalogue_->ListDatasets(Context().get(), list, &found).ok());
  ASSERT_GE(found.datasets_size(), 1);
  bool saw_annual = false;
  for (const v1::Dataset& d : found.datasets()) {
    if (d.dataset_id() != "integrazioni-salariali-lavoratori-2023") continue;
    saw_annual = true;
    EXPECT_EQ(d.owner(), "INPS");
    EXPECT_EQ(d.topic(), "Integrazioni Salariali");
    EXPECT_EQ(d.source(), "Ammortizzatori Sociali");
    EXPECT_NE(d.title().find("Anno 2023"), std::string::npos) << d.title();
    EXPECT_EQ(d.attachments_size(), 5);
    EXPECT_FALSE(d.measure().additive());
  }
  EXPECT_TRUE(saw_annual);

  for (const auto& [id, original] : originals) {
    v1::GetDatasetRequest get;
    get.set_dataset_id(id);
    v1::GetDatasetResponse dataset;
    grpc::Status status = catalogue_->GetDataset(Context().get(), get, &dataset);
    ASSERT_TRUE(status.ok()) << id << ": " << status.error_message();
    const std::string csv = Download(id, v1::FORMAT_CSV, "r1");
    // Same header, CRLF line ends, "321.0" numbers and the same rows as INPS's file.
    EXPECT_EQ(csv.substr(0, csv.find("\r\n")), original.substr(0, original.find("\r\n")));
    EXPECT_EQ(csv.substr(csv.size() - 2), "\r\n");
    EXPECT_EQ(Rows(csv), Rows(original)) << id;
    EXPECT_EQ(csv, original) << id << ": the bytes differ from INPS's file";
    // The attachment recorded at publication is exactly what a download gives.
    for (const v1::Attachment& a : dataset.dataset().attachments()) {
      if (a.format() == v1::FORMAT_CSV) {
        EXPECT_EQ(a.sha256(), Sha256Hex(csv));
      }
    }
  }
  // Rendering is deterministic in every format.
  for (v1::Format format :
       {v1::FORMAT_JSON, v1::FORMAT_JSON_STAT, v1::FORMAT_XML, v1::FORMAT_XLSX}) {
    const std::string a = Download("integrazioni-salariali-domande-2023", format, "r1");
    const std::string b = Download("integrazioni-salariali-domande-2023", format, "r1");
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(Sha256Hex(a), Sha256Hex(b)) << v1::Format_Name(format);
  }

  // Publishing again without new data changes no dataset.
  const v1::PublishResponse second = Publish("r2");
  ASSERT_TRUE(second.created());
  EXPECT_EQ(second.release().changes_size(), 0);

  std::string corrected = originals.at("integrazioni-salariali-domande-2023");
  corrected.replace(corrected.find(",321.0\r\n"), 8, ",322.0\r\n");
  Import(corrected);
  WaitUntilApplied();
  // A corrected file for one measure is a revision: only that measure's datasets change (its
  // Annuale 2023 and its Storico, which covers 2023 too).
  const v1::PublishResponse third = Publish("r3");
  std::set<std::string> changed;
  for (const auto& change : third.release().changes()) {
    changed.insert(change.dataset_id());
    EXPECT_EQ(change.kind(), v1::CHANGE_KIND_UPDATED);
  }
  EXPECT_EQ(changed, (std::set<std::string>{"integrazioni-salariali-domande-2023",
                                            "integrazioni-salariali-domande-storico"}));
  // The earlier release is still downloadable as it was.
  EXPECT_EQ(Download("integrazioni-salariali-domande-2023", v1::FORMAT_CSV, "r1"),
            originals.at("integrazioni-salariali-domande-2023"));
  EXPECT_EQ(Download("integrazioni-salariali-domande-2023", v1::FORMAT_CSV, "r3"), corrected);

  v1::ListReleasesResponse releases;
  ASSERT_TRUE(catalogue_->ListReleases(Context().get(), {}, &releases).ok());
  ASSERT_EQ(releases.releases_size(), 3);
  EXPECT_EQ(releases.releases(0).release_id(), "r3");
  // Publishing an existing id is idempotent.
  EXPECT_FALSE(Publish("r1").created());

  // A publication that fails half-way (the exporter is gone) leaves the catalogue as it was.
  ASSERT_EQ(cluster_.Stop("exporter"), 0);
  v1::PublishRequest failing;
  failing.set_release_id("r4");
  v1::PublishResponse response;
  auto context = Context(absl::Seconds(30));
  context->AddMetadata("authorization", "Bearer " + cluster_.operator_token());
  grpc::Status failed = catalogue_->Publish(context.get(), failing, &response);
  EXPECT_FALSE(failed.ok());
  ASSERT_TRUE(cluster_.Start("exporter"));
  v1::ListReleasesResponse after;
  ASSERT_TRUE(catalogue_->ListReleases(Context().get(), {}, &after).ok());
  ASSERT_EQ(after.releases_size(), 3);
  EXPECT_EQ(after.releases(0).release_id(), "r3");
  v1::GetDatasetRequest current;
  current.set_dataset_id("integrazioni-salariali-domande-2023");
  v1::GetDatasetResponse still;
  ASSERT_TRUE(catalogue_->GetDataset(Context().get(), current, &still).ok());
  EXPECT_EQ(still.dataset().release_id(), "r3");
  // And the same id publishes fine once the exporter is back. The catalogue may still be
  // reconnecting to it for a moment (UNAVAILABLE); Publish is idempotent by id, so a client
  // simply retries, as here.
  grpc::Status retried;
  for (int attempt = 0; attempt < 30; ++attempt) {
    v1::PublishRequest again;
    again.set_release_id("r4");
    auto retry_context = Context(absl::Seconds(30));
    retry_context->AddMetadata("authorization", "Bearer " + cluster_.operator_token());
    retried = catalogue_->Publish(retry_context.get(), again, &response);
    if (retried.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    absl::SleepFor(absl::Milliseconds(500));
  }
  ASSERT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_TRUE(response.created());
}

TEST_F(PublishTest, WritesNeedAValidTokenAndARefusedWriteChangesNothing) {
  auto stats = [&] {
    v1::GetIngestionStatusResponse status;
    EXPECT_TRUE(ingestion_->GetIngestionStatus(Context().get(), {}, &status).ok());
    return status;
  };
  for (const std::string token : {"", "not-the-right-token-0123456789"}) {
    v1::ImportPublishedReportResponse response;
    auto context = Context();
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
    auto writer = ingestion_->ImportPublishedReport(context.get(), &response);
    v1::ImportPublishedReportRequest header;
    header.mutable_header()->set_file_name("report.csv");
    if (writer->Write(header)) {
      client::WriteUploadBody(*writer,
                              ReadFile(folder_ + "/integrazioni-salariali-domande-2023.csv"));
    }
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED) << token;

    v1::PublishRequest publish;
    publish.set_release_id("nope");
    v1::PublishResponse published;
    auto publish_context = Context();
    if (!token.empty()) publish_context->AddMetadata("authorization", "Bearer " + token);
    EXPECT_EQ(catalogue_->Publish(publish_context.get(), publish, &published).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  // Nothing was written: no report imported, no release.
  EXPECT_EQ(stats().published_reports_imported(), 0u);
  EXPECT_EQ(stats().last_log_sequence(), 0u);
  v1::ListReleasesResponse releases;
  ASSERT_TRUE(catalogue_->ListReleases(Context().get(), {}, &releases).ok());
  EXPECT_EQ(releases.releases_size(), 0);
  // Reads stay public.
  v1::ListCodelistsResponse codelists;
  ASSERT_TRUE(catalogue_->ListCodelists(Context().get(), {}, &codelists).ok());
  EXPECT_EQ(codelists.regions_size(), 20);
  // The operator's token works.
  Import(ReadFile(folder_ + "/integrazioni-salariali-domande-2023.csv"));
  EXPECT_EQ(stats().published_reports_imported(), 1u);
}

}  // namespace
}  // namespace omnia

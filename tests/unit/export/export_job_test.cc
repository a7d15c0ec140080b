// One Export without a network, over a stand-in for aggregation: what a caller relies on is that
// a dataset resolves to its measure over its years at the release asked for, that the header,
// the file and a summary whose size and sha256 are those of the bytes sent arrive in that order,
// and that a bad request (no subject, unknown format, measure or dataset) is refused before
// anything is sent or asked of aggregation.
#include "libs/export_job/export_job.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libs/api/cube_convert.h"
#include "libs/base/sha256.h"
#include "tests/unit/catalogue/test_config.h"
#include "tests/unit/export/export_test_util.h"

namespace omnia::exporter {
namespace {

using ::testing::HasSubstr;

class FakeCells final : public CellSource {
 public:
  absl::StatusOr<api::Coverage> CoverageAt(const std::string& release_id) override {
    coverage_releases.push_back(release_id);
    return coverage;
  }
  absl::StatusOr<std::vector<v1::Cell>> Cells(const v1::CellQuery& query,
                                              const std::string& release_id) override {
    queries.push_back(query);
    query_releases.push_back(release_id);
    if (!cells_status.ok()) return cells_status;
    return cells;
  }

  api::Coverage coverage{{2023, 2024}, 2023};
  std::vector<v1::Cell> cells;
  absl::Status cells_status;
  std::vector<std::string> coverage_releases;
  std::vector<v1::CellQuery> queries;
  std::vector<std::string> query_releases;
};

// Records what the job sends, in order.
class RecordingStream final : public ExportStream {
 public:
  absl::Status Header(const v1::ExportHeader& sent) override {
    events.push_back("header");
    header = sent;
    return absl::OkStatus();
  }
  absl::Status Write(std::string_view bytes) override {
    if (events.empty() || events.back() != "data") events.push_back("data");
    data.append(bytes);
    return absl::OkStatus();
  }
  absl::Status Summary(const v1::ExportSummary& sent) override {
    events.push_back("summary");
    summary = sent;
    return absl::OkStatus();
  }

  std::vector<std::string> events;
  v1::ExportHeader header;
  std::string data;
  v1::ExportSummary summary;
};

class ExportJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<catalogue::CatalogueConfig> config = catalogue::LoadDeployedConfig();
    ASSERT_TRUE(config.ok()) << config.status();
    config_.emplace(*std::move(config));
    job_.emplace(codelists_, *config_, cells_, "");
    for (int month = 1; month <= 12; ++month) {
      api::CellToProto(testing::BaseCell(codelists_, domain::Measure::kApplications, 2023, month,
                                         "LOMBARDIA", "CIGO", 10 + month),
                       codelists_, &cells_.cells.emplace_back());
    }
  }

  static v1::ExportRequest DatasetRequest(v1::Format format) {
    v1::ExportRequest request;
    request.set_dataset_id("integrazioni-salariali-domande-2023");
    request.set_release_id("r1");
    request.set_format(format);
    return request;
  }

  // Runs `request` and expects it refused with `code` naming `expected`, with nothing sent.
  void ExpectRefused(const v1::ExportRequest& request, absl::StatusCode code,
                     const std::string& expected) {
    RecordingStream out;
    const absl::Status status = job_->Run(request, out);
    EXPECT_EQ(status.code(), code) << status;
    EXPECT_THAT(std::string(status.message()), HasSubstr(expected));
    EXPECT_TRUE(out.events.empty());
  }

  const domain::Codelists codelists_ = domain::Codelists::Builtin();
  std::optional<catalogue::CatalogueConfig> config_;
  FakeCells cells_;
  std::optional<ExportJob> job_;
};

TEST_F(ExportJobTest, ADatasetIsItsMeasureOverItsYearsAtTheRelease) {
  RecordingStream out;
  ASSERT_TRUE(job_->Run(DatasetRequest(v1::FORMAT_CSV), out).ok());
  EXPECT_EQ(cells_.coverage_releases, std::vector<std::string>{"r1"});
  ASSERT_EQ(cells_.queries.size(), 1u);
  const v1::CellQuery& query = cells_.queries[0];
  EXPECT_THAT(query.measures(), ::testing::ElementsAre("APPLICATIONS"));
  EXPECT_EQ(query.period_range().first().year(), 2023);
  EXPECT_EQ(query.period_range().first().month(), 1);
  EXPECT_EQ(query.period_range().last().year(), 2023);
  EXPECT_EQ(query.period_range().last().month(), 12);
  EXPECT_EQ(cells_.query_releases, std::vector<std::string>{"r1"});

  EXPECT_EQ(out.events, (std::vector<std::string>{"header", "data", "summary"}));
  EXPECT_EQ(out.header.file_name(), "integrazioni-salariali-domande-2023.csv");
  EXPECT_EQ(out.header.format(), v1::FORMAT_CSV);
  EXPECT_EQ(out.header.dataset_id(), "integrazioni-salariali-domande-2023");
  EXPECT_EQ(out.header.release_id(), "r1");
  EXPECT_EQ(out.summary.size_bytes(), out.data.size());
  EXPECT_EQ(out.summary.sha256(), Sha256Hex(out.data));
  EXPECT_EQ(out.summary.rows(), 12u);
  EXPECT_EQ(out.summary.coverage().first().year(), 2023);
  EXPECT_EQ(out.summary.coverage().last().year(), 2023);
  EXPECT_THAT(out.data, HasSubstr("LOMBARDIA"));
}

TEST_F(ExportJobTest, EveryFormatIsNamedByItsExtensionAndIsDeterministic) {
  for (const auto& [format, extension] :
       {std::pair{v1::FORMAT_CSV, ".csv"}, std::pair{v1::FORMAT_JSON, ".json"},
        std::pair{v1::FORMAT_JSON_STAT, ".jsonstat.json"}, std::pair{v1::FORMAT_XML, ".xml"},
        std::pair{v1::FORMAT_XLSX, ".xlsx"}}) {
    RecordingStream first;
    RecordingStream second;
    ASSERT_TRUE(job_->Run(DatasetRequest(format), first).ok()) << extension;
    ASSERT_TRUE(job_->Run(DatasetRequest(format), second).ok()) << extension;
    EXPECT_EQ(first.header.file_name(),
              std::string("integrazioni-salariali-domande-2023") + extension);
    EXPECT_EQ(first.summary.sha256(), second.summary.sha256()) << extension;
    EXPECT_EQ(first.summary.sha256(), Sha256Hex(first.data)) << extension;
  }
}

TEST_F(ExportJobTest, AnAdHocQueryIsAskedAsSentAndNamedOmniaQuery) {
  v1::ExportRequest request;
  request.mutable_query()->add_measures("APPLICATIONS");
  request.set_format(v1::FORMAT_JSON);
  RecordingStream out;
  ASSERT_TRUE(job_->Run(request, out).ok());
  EXPECT_TRUE(cells_.coverage_releases.empty());
  ASSERT_EQ(cells_.queries.size(), 1u);
  EXPECT_FALSE(cells_.queries[0].has_period_range());
  EXPECT_EQ(out.header.file_name(), "omnia-query.json");
  // export.proto: coverage is the first and last month of the rows written.
  ASSERT_TRUE(out.summary.has_coverage());
  EXPECT_EQ(out.summary.coverage().first().month(), 1);
  EXPECT_EQ(out.summary.coverage().last().month(), 12);
}

// An ad-hoc query's file names the filters it was asked with, so it says which part of the cubes
// it holds.
TEST_F(ExportJobTest, AnAdHocQuerysFileNamesItsFilters) {
  v1::ExportRequest request;
  v1::CellQuery& query = *request.mutable_query();
  query.add_measures("APPLICATIONS");
  query.mutable_period_range()->mutable_first()->set_year(2023);
  query.mutable_period_range()->mutable_first()->set_month(2);
  query.mutable_period_range()->mutable_last()->set_year(2023);
  query.mutable_period_range()->mutable_last()->set_month(11);
  query.add_regions("LOMBARDIA");
  query.add_intervention_types("CIGO");
  query.add_intervention_types("FONDI");
  request.set_format(v1::FORMAT_JSON);
  RecordingStream out;
  ASSERT_TRUE(job_->Run(request, out).ok());
  EXPECT_TRUE(testing::ParseJsonOrFail(out.data).at("metadata").contains("query"));
  EXPECT_THAT(out.data,
              HasSubstr(R"("query":{"period_range":{"first":"2023-02","last":"2023-11"},)"
                        R"("regions":["LOMBARDIA"],"intervention_types":["CIGO","FONDI"],)"
                        R"("dense":false})"));

  RecordingStream dataset;
  ASSERT_TRUE(job_->Run(DatasetRequest(v1::FORMAT_JSON), dataset).ok());
  EXPECT_FALSE(testing::ParseJsonOrFail(dataset.data).at("metadata").contains("query"));
}

// export.proto: coverage spans the rows written (unset without rows), not the years asked for;
// and the columns follow the levels asked for even when no cell comes back.
TEST_F(ExportJobTest, CoverageAndColumnsFollowTheRowsAndTheLevelsAskedFor) {
  cells_.cells.resize(3);  // January to March only
  RecordingStream dataset;
  ASSERT_TRUE(job_->Run(DatasetRequest(v1::FORMAT_CSV), dataset).ok());
  EXPECT_EQ(dataset.summary.coverage().first().year(), 2023);
  EXPECT_EQ(dataset.summary.coverage().first().month(), 1);
  EXPECT_EQ(dataset.summary.coverage().last().year(), 2023);
  EXPECT_EQ(dataset.summary.coverage().last().month(), 3);

  cells_.cells.clear();
  v1::ExportRequest yearly;
  yearly.mutable_query()->add_measures("APPLICATIONS");
  yearly.mutable_query()->set_period_level(v1::PERIOD_LEVEL_YEAR);
  yearly.mutable_query()->set_region_level(v1::REGION_LEVEL_ITALY);
  RecordingStream empty;
  ASSERT_TRUE(job_->Run(yearly, empty).ok());
  EXPECT_EQ(empty.summary.rows(), 0u);
  EXPECT_FALSE(empty.summary.has_coverage());
  EXPECT_EQ(empty.data.substr(0, empty.data.find('\r')),
            "Anno,Tipo_intervento,Regione,numero_domande");
}

TEST_F(ExportJobTest, BadRequestsAreRefusedBeforeAnythingIsSent) {
  ExpectRefused(v1::ExportRequest(), absl::StatusCode::kInvalidArgument, "subject");
  ExpectRefused(DatasetRequest(static_cast<v1::Format>(99)), absl::StatusCode::kInvalidArgument,
                "format");
  v1::ExportRequest unknown_measure;
  unknown_measure.mutable_query()->add_measures("SALARIES");
  ExpectRefused(unknown_measure, absl::StatusCode::kInvalidArgument,
                "query.measures[0]: unknown measure 'SALARIES'");
  EXPECT_TRUE(cells_.queries.empty());
  v1::ExportRequest missing = DatasetRequest(v1::FORMAT_CSV);
  missing.set_dataset_id("integrazioni-salariali-domande-2019");
  ExpectRefused(missing, absl::StatusCode::kNotFound, "2019");
}

TEST_F(ExportJobTest, AnAggregationErrorIsReturnedBeforeTheHeader) {
  cells_.cells_status = absl::UnavailableError("aggregation is down");
  ExpectRefused(DatasetRequest(v1::FORMAT_CSV), absl::StatusCode::kUnavailable,
                "aggregation is down");
}

}  // namespace
}  // namespace omnia::exporter

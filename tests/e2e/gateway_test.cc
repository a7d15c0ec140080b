// The public HTTP face end to end: the five real binaries on loopback, a release published
// through the whole chain, and curl as the client. Every attachment downloads byte-identical
// through its release URL and its latest URL, conditional requests, ranges, HEAD, gzip and CORS
// behave as a static file server's do, SHA256SUMS verifies with `sha256sum -c`, and only names
// the catalogue knows are served: anything else, path tricks included, is 404. The CKAN Action
// API, the DCAT-AP_IT documents (checked with rdflib), the Data Package, the Atom feed and the
// query URL (the exporter's bytes, errors as problem+json) are served from the same release.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "libs/base/sha256.h"
#include "libs/client/event_streamer.h"
#include "libs/client/probes.h"
#include "libs/client/upload.h"
#include "libs/storage/file_system.h"
#include "nlohmann/json.hpp"
#include "omnia/v1/catalogue.grpc.pb.h"
#include "omnia/v1/export.grpc.pb.h"
#include "omnia/v1/ingestion.grpc.pb.h"
#include "tests/support/cluster.h"
#include "tests/support/payment_batches.h"

namespace omnia {
namespace {

std::string ReadFile(const std::string& path) {
  storage::PosixFileSystem files;
  return storage::ReadWholeFile(files, path).value_or("");
}

// Runs a shell command; its exit code and standard output.
std::pair<int, std::string> RunCommand(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  std::string out;
  char buffer[4096];
  size_t got;
  while ((got = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, got);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

struct CurlResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;

  // The value of a header (lowercase name), "" when absent.
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
  return context;
}

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.StartAll());
    ASSERT_TRUE(cluster_.Start("gateway"));
    catalogue_ =
        v1::CatalogueService::NewStub(rpc::CreateInsecureChannel(cluster_.address("catalogue")));
    LoadEventsAndPublish();
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << cluster_.Logs();
  }

  void LoadEventsAndPublish() {
    client::StreamerOptions options;
    options.bearer_token = cluster_.token("producer");
    client::EventStreamer streamer(rpc::CreateInsecureChannel(cluster_.address("ingestion")),
                                   options);
    uint64_t sequence = 0;
    ASSERT_TRUE(streamer
                    .Run([&]() -> std::optional<v1::EventBatch> {
                      if (sequence == 20) return std::nullopt;
                      ++sequence;
                      return testing::PaymentBatch("gateway-test", sequence,
                                                   500 * static_cast<int>(sequence), 500);
                    })
                    .ok());
    auto ingestion =
        v1::IngestionService::NewStub(rpc::CreateInsecureChannel(cluster_.address("ingestion")));
    // Everything applied before publishing: a release of half the data would pass unnoticed.
    bool applied = false;
    for (const absl::Time give_up = absl::Now() + absl::Seconds(120);
         !applied && absl::Now() < give_up;) {
      v1::GetIngestionStatusResponse status;
      applied = ingestion->GetIngestionStatus(Context().get(), {}, &status).ok() &&
                status.last_log_sequence() > 0 && status.backlog_entries() == 0 &&
                status.applied_log_sequence() == status.last_log_sequence();
      if (!applied) absl::SleepFor(absl::Milliseconds(50));
    }
    ASSERT_TRUE(applied) << "aggregation did not apply the ingested batches";
    v1::PublishRequest publish;
    publish.set_release_id("r1");
    v1::PublishResponse published;
    auto context = Context();
    context->AddMetadata("authorization", "Bearer " + cluster_.operator_token());
    const grpc::Status status = catalogue_->Publish(context.get(), publish, &published);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  std::vector<v1::Dataset> Datasets() {
    v1::ListDatasetsRequest request;
    request.set_release_id("r1");
    request.set_page_size(100);
    v1::ListDatasetsResponse response;
    EXPECT_TRUE(catalogue_->ListDatasets(Context().get(), request, &response).ok());
    return {response.datasets().begin(), response.datasets().end()};
  }

  std::string Url(const std::string& path) const {
    return absl::StrCat("http://", cluster_.address("gateway"), path);
  }

  // curl with `args` (shell words) on `url`; the body is kept in a file under the test folder.
  CurlResult Curl(const std::string& url, const std::string& args = "") {
    const std::string body = cluster_.root() + "/curl-body";
    const std::string headers = cluster_.root() + "/curl-headers";
    std::filesystem::remove(body);
    const auto [code, out] =
        RunCommand(absl::StrCat("curl -sS --path-as-is --max-time 60 -o '", body, "' -D '", headers,
                                "' -w '%{http_code}' ", args, " '", url, "'"));
    CurlResult result;
    EXPECT_EQ(code, 0) << "curl " << args << " " << url;
    EXPECT_TRUE(absl::SimpleAtoi(out, &result.status)) << out;
    for (absl::string_view line : absl::StrSplit(ReadFile(headers), '\n')) {
      const size_t colon = line.find(':');
      if (colon == absl::string_view::npos) continue;
      result.headers[absl::AsciiStrToLower(line.substr(0, colon))] =
          std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
    }
    result.body = ReadFile(body);
    return result;
  }

  // The body of a CKAN or problem+json answer.
  static nlohmann::json Json(const CurlResult& result) {
    return nlohmann::json::parse(result.body, nullptr, /*allow_exceptions=*/false);
  }

  // The bytes ExportService.Export streams for `request`.
  std::string ExportBytes(const v1::ExportRequest& request) {
    auto exporter =
        v1::ExportService::NewStub(rpc::CreateInsecureChannel(cluster_.address("exporter")));
    auto context = Context();
    auto reader = exporter->Export(context.get(), request);
    std::string bytes;
    v1::ExportResponse message;
    while (reader->Read(&message)) {
      if (message.has_data()) bytes += message.data();
    }
    const grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return bytes;
  }

  testing::Cluster cluster_{OMNIA_BINARY_DIR, std::filesystem::current_path().string()};
  std::unique_ptr<v1::CatalogueService::Stub> catalogue_;
};

TEST_F(GatewayTest, EveryAttachmentDownloadsByteIdenticalAndSha256SumsVerifiesThem) {
  const std::string dir = cluster_.root() + "/downloads";
  std::filesystem::create_directories(dir);
  size_t files = 0;
  for (const v1::Dataset& dataset : Datasets()) {
    for (const v1::Attachment& attachment : dataset.attachments()) {
      // The catalogue's download hint is the gateway's release URL.
      const std::string release_path =
          absl::StrCat("/releases/r1/", dataset.dataset_id(), "/", attachment.file_name());
      EXPECT_EQ(attachment.download().url(), Url(release_path));
      const CurlResult by_release = Curl(attachment.download().url());
      EXPECT_EQ(by_release.status, 200) << release_path;
      EXPECT_EQ(by_release.body.size(), attachment.size_bytes()) << release_path;
      EXPECT_EQ(Sha256Hex(by_release.body), attachment.sha256()) << release_path;
      EXPECT_EQ(by_release.header("content-length"), std::to_string(attachment.size_bytes()));
      EXPECT_EQ(by_release.header("content-type"), attachment.media_type());
      EXPECT_EQ(by_release.header("etag"), "\"" + attachment.sha256() + "\"");
      EXPECT_EQ(by_release.header("cache-control"), "public, max-age=31536000, immutable");
      EXPECT_EQ(by_release.header("content-disposition"),
                "attachment; filename=\"" + attachment.file_name() + "\"");
      EXPECT_EQ(by_release.header("accept-ranges"), "bytes");
      EXPECT_EQ(by_release.header("access-control-allow-origin"), "*");
      EXPECT_FALSE(by_release.header("last-modified").empty());

      const CurlResult latest =
          Curl(Url(absl::StrCat("/dataset/", dataset.dataset_id(), "/", attachment.file_name())));
      EXPECT_EQ(latest.status, 200);
      EXPECT_EQ(Sha256Hex(latest.body), attachment.sha256());
      EXPECT_EQ(latest.header("cache-control"), "public, max-age=300");

      std::ofstream(dir + "/" + attachment.file_name(), std::ios::binary) << by_release.body;
      ++files;
    }
  }
  ASSERT_GT(files, 0u);
  const CurlResult sums = Curl(Url("/releases/r1/SHA256SUMS"));
  ASSERT_EQ(sums.status, 200);
  EXPECT_EQ(static_cast<size_t>(std::count(sums.body.begin(), sums.body.end(), '\n')), files);
  std::ofstream(dir + "/SHA256SUMS") << sums.body;
  const auto [code, out] =
      RunCommand(absl::StrCat("cd '", dir, "' && sha256sum -c SHA256SUMS 2>&1"));
  EXPECT_EQ(code, 0) << out;
}

TEST_F(GatewayTest, ConditionalRequestsRangesHeadAndGzipBehaveLikeAStaticFileServer) {
  // The dataset with the largest CSV (some have only a header).
  std::vector<v1::Dataset> datasets = Datasets();
  ASSERT_FALSE(datasets.empty());
  std::sort(datasets.begin(), datasets.end(), [](const v1::Dataset& a, const v1::Dataset& b) {
    return a.attachments(0).size_bytes() > b.attachments(0).size_bytes();
  });
  const v1::Dataset& dataset = datasets.front();
  const v1::Attachment& csv = dataset.attachments(0);
  ASSERT_EQ(csv.format(), v1::FORMAT_CSV);
  const std::string url = csv.download().url();
  const CurlResult whole = Curl(url);
  ASSERT_EQ(whole.status, 200);
  const std::string& bytes = whole.body;
  ASSERT_GT(bytes.size(), 200u);

  const std::string etag = "\"" + csv.sha256() + "\"";
  const CurlResult not_modified = Curl(url, "-H 'If-None-Match: " + etag + "'");
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.body, "");
  EXPECT_EQ(not_modified.header("etag"), etag);
  EXPECT_EQ(Curl(url, "-H 'If-Modified-Since: " + whole.header("last-modified") + "'").status, 304);
  EXPECT_EQ(Curl(url, "-H 'If-None-Match: \"something-else\"'").status, 200);

  const CurlResult part = Curl(url, "-H 'Range: bytes=10-109'");
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, bytes.substr(10, 100));
  EXPECT_EQ(part.header("content-range"), absl::StrCat("bytes 10-109/", bytes.size()));
  EXPECT_EQ(part.header("content-length"), "100");
  EXPECT_EQ(Curl(url, "-H 'Range: bytes=-50'").body, bytes.substr(bytes.size() - 50));
  const CurlResult beyond = Curl(url, "-H 'Range: bytes=99999999-'");
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(beyond.header("content-range"), absl::StrCat("bytes */", bytes.size()));
  // Several ranges: the whole file.
  EXPECT_EQ(Curl(url, "-H 'Range: bytes=0-1,5-6'").body, bytes);

  const CurlResult head = Curl(url, "-I");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(bytes.size()));
  EXPECT_EQ(head.header("etag"), etag);

  const CurlResult gzipped = Curl(url, "-H 'Accept-Encoding: gzip'");
  EXPECT_EQ(gzipped.status, 200);
  EXPECT_EQ(gzipped.header("content-encoding"), "gzip");
  EXPECT_LT(gzipped.body.size(), bytes.size());
  const auto [code, out] = RunCommand(absl::StrCat("gzip -dc < '", cluster_.root(), "/curl-body'"));
  EXPECT_EQ(code, 0);
  EXPECT_EQ(out, bytes);
  EXPECT_EQ(Curl(url, "--compressed").body, bytes);
  // A range is never compressed, and the spreadsheet never is.
  EXPECT_EQ(Curl(url, "-H 'Accept-Encoding: gzip' -H 'Range: bytes=0-9'").body,
            bytes.substr(0, 10));
  for (const v1::Attachment& attachment : dataset.attachments()) {
    if (attachment.format() != v1::FORMAT_XLSX) continue;
    const CurlResult xlsx = Curl(attachment.download().url(), "-H 'Accept-Encoding: gzip'");
    EXPECT_EQ(xlsx.headers.count("content-encoding"), 0u);
    EXPECT_EQ(Sha256Hex(xlsx.body), attachment.sha256());
  }
}

TEST_F(GatewayTest, AnyOriginMayReadAndPreflightsAreAnswered) {
  const std::vector<v1::Dataset> datasets = Datasets();
  ASSERT_FALSE(datasets.empty());
  const std::string url = datasets.front().attachments(0).download().url();
  EXPECT_EQ(Curl(url, "-H 'Origin: https://example.org'").header("access-control-allow-origin"),
            "*");
  const CurlResult preflight = Curl(url,
                                    "-X OPTIONS -H 'Origin: https://example.org' "
                                    "-H 'Access-Control-Request-Method: GET' "
                                    "-H 'Access-Control-Request-Headers: range'");
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("access-control-allow-origin"), "*");
  EXPECT_EQ(preflight.header("access-control-allow-methods"), "GET, HEAD, OPTIONS");
  EXPECT_NE(preflight.header("access-control-allow-headers").find("Range"), std::string::npos);
}

TEST_F(GatewayTest, OnlyNamesTheCatalogueKnowsAreServed) {
  const std::vector<v1::Dataset> datasets = Datasets();
  ASSERT_FALSE(datasets.empty());
  const v1::Dataset& dataset = datasets.front();
  const v1::Attachment& attachment = dataset.attachments(0);
  const std::string d = dataset.dataset_id();
  for (const std::string& path : std::vector<std::string>{
           "/releases/r1/" + d + "/nope.csv",
           "/releases/r9/" + d + "/" + attachment.file_name(),
           "/dataset/nope/" + attachment.file_name(),
           "/releases/r9/SHA256SUMS",
           // The file's name on the catalogue's disk is not a name the gateway serves.
           "/releases/r1/" + d + "/" + attachment.sha256() + ".csv",
           "/releases/r1/../../../../etc/passwd",
           "/dataset/" + d + "/../../../etc/passwd",
           "/releases/r1/" + d + "/..%2F..%2F..%2Fetc%2Fpasswd",
           "/releases/r1/" + d + "/%2e%2e",
           "/releases/r1/%2e%2e/" + attachment.file_name(),
           "/dataset/" + d + "/" + attachment.file_name() + "%00.txt",
           "/artifacts/" + attachment.sha256() + ".csv",
           "/index.html",
           "/etc/passwd",
       }) {
    const CurlResult result = Curl(Url(path));
    EXPECT_EQ(result.status, 404) << path;
    EXPECT_EQ(result.body.find("passwd"), std::string::npos) << path;
  }
  // No write route: other methods on a file are refused.
  EXPECT_EQ(Curl(attachment.download().url(), "-X POST -d x=1").status, 405);
  EXPECT_EQ(Curl(attachment.download().url(), "-X DELETE").status, 405);
}

TEST_F(GatewayTest, CkanActionApiAnswersLikeCkan) {
  const std::vector<v1::Dataset> datasets = Datasets();
  ASSERT_FALSE(datasets.empty());
  const v1::Dataset& dataset = datasets.front();

  const CurlResult list = Curl(Url("/api/3/action/package_list"));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.header("content-type"), "application/json;charset=utf-8");
  const nlohmann::json listed = Json(list);
  EXPECT_TRUE(listed["success"].get<bool>());
  EXPECT_EQ(listed["result"].size(), datasets.size());
  EXPECT_NE(listed["help"].get<std::string>().find("help_show?name=package_list"),
            std::string::npos);

  // GET with query parameters and POST with a JSON body, under both prefixes.
  for (const CurlResult& shown :
       {Curl(Url("/api/3/action/package_show?id=" + dataset.dataset_id())),
        Curl(Url("/api/action/package_show"),
             "-X POST -H 'Content-Type: application/json' -d '{\"id\": \"" + dataset.dataset_id() +
                 "\"}'")}) {
    ASSERT_EQ(shown.status, 200) << shown.body;
    const nlohmann::json package = Json(shown)["result"];
    EXPECT_EQ(package["name"], dataset.dataset_id());
    EXPECT_EQ(package["title"], dataset.title());
    EXPECT_EQ(package["num_resources"], dataset.attachments_size());
    ASSERT_EQ(package["resources"].size(), static_cast<size_t>(dataset.attachments_size()));
    const nlohmann::json& resource = package["resources"][0];
    EXPECT_EQ(resource["hash"], dataset.attachments(0).sha256());
    EXPECT_EQ(resource["size"], dataset.attachments(0).size_bytes());
    EXPECT_EQ(resource["url"], dataset.attachments(0).download().url());
    EXPECT_FALSE(resource["last_modified"].get<std::string>().empty());
  }

  // Paging: rows beyond CKAN's cap of 1000 is capped, not refused; rows and start page.
  const nlohmann::json all = Json(Curl(Url("/api/3/action/package_search?rows=5000")));
  EXPECT_TRUE(all["success"].get<bool>());
  EXPECT_EQ(all["result"]["count"], datasets.size());
  EXPECT_EQ(all["result"]["results"].size(), std::min<size_t>(datasets.size(), 1000));
  EXPECT_EQ(
      Json(Curl(Url("/api/3/action/package_search?rows=1&start=1")))["result"]["results"].size(),
      1u);
  EXPECT_EQ(Json(Curl(Url("/api/3/action/package_list?limit=2")))["result"].size(),
            std::min<size_t>(datasets.size(), 2));

  // A facet count: every dataset has a CSV resource.
  const nlohmann::json faceted =
      Json(Curl(Url("/api/3/action/package_search"),
                "-G --data-urlencode 'facet.field=[\"res_format\"]' --data-urlencode 'rows=0'"));
  ASSERT_TRUE(faceted["success"].get<bool>()) << faceted.dump();
  EXPECT_EQ(faceted["result"]["facets"]["res_format"]["CSV"], datasets.size());
  EXPECT_EQ(faceted["result"]["search_facets"]["res_format"]["items"].size(), 5u);

  // Every error shape.
  const CurlResult missing = Curl(Url("/api/3/action/package_show?id=no-such-dataset"));
  EXPECT_EQ(missing.status, 404);
  const nlohmann::json not_found = Json(missing);
  EXPECT_FALSE(not_found["success"].get<bool>());
  EXPECT_EQ(not_found["error"]["__type"], "Not Found Error");
  EXPECT_EQ(not_found["error"]["message"].get<std::string>().rfind("Not found", 0), 0u);
  EXPECT_EQ(missing.body.find("no-such-dataset"), std::string::npos);
  const CurlResult invalid = Curl(Url("/api/3/action/package_search?rows=many"));
  EXPECT_EQ(invalid.status, 409);
  EXPECT_EQ(Json(invalid)["error"]["__type"], "Validation Error");
  EXPECT_TRUE(Json(invalid)["error"]["rows"].is_array()) << invalid.body;
  const CurlResult unknown = Curl(Url("/api/3/action/no_such_action"));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_TRUE(Json(unknown).is_string()) << unknown.body;
}

TEST_F(GatewayTest, DcatDocumentsParseWithRdflibAndAreIsomorphicAcrossSyntaxes) {
  if (std::system(absl::StrCat(OMNIA_RDFLIB_PYTHON, " -c 'import rdflib' 2>/dev/null").c_str()) !=
      0) {
    GTEST_SKIP() << "python3-rdflib is not installed";
  }
  const std::vector<v1::Dataset> datasets = Datasets();
  ASSERT_FALSE(datasets.empty());
  int distributions = 0;
  for (const v1::Dataset& dataset : datasets) distributions += dataset.attachments_size();
  // Checks the three syntaxes of a document (a path without extension) with check_dcat.py.
  const auto check = [&](const std::string& path, int dataset_count, int distribution_count,
                         bool paged) {
    std::vector<std::string> files;
    for (const char* extension : {"ttl", "rdf", "jsonld"}) {
      const CurlResult document = Curl(Url(absl::StrCat(path, ".", extension)));
      EXPECT_EQ(document.status, 200) << path << "." << extension;
      files.push_back(absl::StrCat(cluster_.root(), "/document.", extension));
      std::ofstream(files.back(), std::ios::binary) << document.body;
    }
    const auto [code, out] = RunCommand(absl::StrCat(
        OMNIA_RDFLIB_PYTHON, " ", OMNIA_DCAT_CHECKER, " ", files[0], " ", files[1], " ", files[2],
        " ", dataset_count, " ", distribution_count, " ", paged ? 1 : 0, " 2>&1"));
    EXPECT_EQ(code, 0) << path << ": " << out;
  };
  check("/catalog", static_cast<int>(datasets.size()), distributions, true);
  check("/dataset/" + datasets.front().dataset_id(), 1, datasets.front().attachments_size(), false);
  EXPECT_EQ(Curl(Url("/catalog.ttl")).header("content-type"), "text/turtle; charset=utf-8");
  EXPECT_EQ(Curl(Url("/catalog.ttl?page=2")).status, 404);
}

TEST_F(GatewayTest, DataPackageAndReleasesFeed) {
  const std::vector<v1::Dataset> datasets = Datasets();
  ASSERT_FALSE(datasets.empty());
  const v1::Dataset& dataset = datasets.front();
  const CurlResult package = Curl(Url("/dataset/" + dataset.dataset_id() + "/datapackage.json"));
  ASSERT_EQ(package.status, 200);
  const nlohmann::json json = Json(package);
  ASSERT_TRUE(json.is_object()) << package.body;
  const nlohmann::json& resource = json["resources"][0];
  EXPECT_FALSE(resource["schema"]["fields"].empty());
  EXPECT_EQ(resource["schema"]["primaryKey"].size(), 4u);
  EXPECT_EQ(resource["hash"], "sha256:" + dataset.attachments(0).sha256());
  // The data files' own route is untouched by it.
  EXPECT_EQ(Curl(Url("/dataset/" + dataset.dataset_id() + "/" + dataset.attachments(0).file_name()))
                .status,
            200);

  const CurlResult feed = Curl(Url("/releases.atom"));
  ASSERT_EQ(feed.status, 200);
  EXPECT_EQ(feed.header("content-type").rfind("application/atom+xml", 0), 0u);
  const auto [code, out] =
      RunCommand(absl::StrCat("xmllint --noout '", cluster_.root(), "/curl-body' 2>&1"));
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(feed.body.find("release/r1"), std::string::npos);
}

TEST_F(GatewayTest, QueryUrlStreamsTheExportersBytes) {
  v1::ExportRequest request;
  request.set_release_id("r1");
  v1::CellQuery& query = *request.mutable_query();
  query.add_measures("WORKERS");
  query.add_measures("BENEFIT_MONTHS");
  query.add_regions("LAZIO");
  query.add_regions("LOMBARDIA");
  query.add_intervention_types("CIGO");
  query.mutable_period_range()->mutable_first()->set_year(2024);
  query.mutable_period_range()->mutable_first()->set_month(1);
  query.mutable_period_range()->mutable_last()->set_year(2024);
  query.mutable_period_range()->mutable_last()->set_month(12);
  query.set_period_level(v1::PERIOD_LEVEL_QUARTER);
  query.set_region_level(v1::REGION_LEVEL_REGION);
  query.set_type_level(v1::TYPE_LEVEL_TYPE);
  query.set_dense(true);
  const std::string params =
      "measures=WORKERS,BENEFIT_MONTHS&regions=LAZIO&regions=LOMBARDIA&types=CIGO&from=2024-01&"
      "to=2024-12&period_level=quarter&region_level=region&type_level=type&dense=true&release=r1";
  for (const auto& [name, format] : std::vector<std::pair<std::string, v1::Format>>{
           {"csv", v1::FORMAT_CSV}, {"json", v1::FORMAT_JSON}}) {
    request.set_format(format);
    const std::string expected = ExportBytes(request);
    ASSERT_FALSE(expected.empty());
    const CurlResult answer = Curl(Url("/api/v1/query?" + params + "&format=" + name));
    EXPECT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(answer.body, expected) << name;
    EXPECT_EQ(answer.header("transfer-encoding"), "chunked");
    EXPECT_NE(answer.header("content-disposition").find("omnia-query"), std::string::npos);
  }
}

TEST_F(GatewayTest, QueryErrorsAreProblemDetails) {
  const auto problem = [&](const std::string& params, int status) {
    const CurlResult answer = Curl(Url("/api/v1/query?" + params));
    EXPECT_EQ(answer.status, status) << params << ": " << answer.body;
    EXPECT_EQ(answer.header("content-type"), "application/problem+json") << params;
    const nlohmann::json body = Json(answer);
    EXPECT_EQ(body["status"], status) << answer.body;
    EXPECT_FALSE(body["title"].get<std::string>().empty());
    EXPECT_FALSE(body["detail"].get<std::string>().empty());
    EXPECT_EQ(answer.body.find("RSSMRA80A01H501U"), std::string::npos) << answer.body;
    return body;
  };
  EXPECT_EQ(problem("measures=WORKERS&format=pdf", 400)["parameter"], "format");
  EXPECT_EQ(problem("regions=LAZIO", 400)["parameter"], "measures");
  EXPECT_EQ(problem("measures=WORKERS&from=2024-1&to=2024-12", 400)["parameter"], "from");
  // A code the codelists do not know, named by its parameter and not quoted.
  EXPECT_EQ(problem("measures=WORKERS&regions=RSSMRA80A01H501U", 400)["parameter"], "regions");
  problem("measures=WORKERS&release=r9", 404);

  // WORKERS over a year imported from INPS's published file do not add up across months.
  {
    auto ingestion =
        v1::IngestionService::NewStub(rpc::CreateInsecureChannel(cluster_.address("ingestion")));
    v1::ImportPublishedReportResponse response;
    auto context = Context();
    context->AddMetadata("authorization", "Bearer " + cluster_.operator_token());
    auto writer = ingestion->ImportPublishedReport(context.get(), &response);
    v1::ImportPublishedReportRequest header;
    header.mutable_header()->set_file_name("lavoratori-2023.csv");
    if (writer->Write(header)) {
      client::WriteUploadBody(*writer,
                              "Anno,Mese,Tipo_intervento,Regione,numero_lavoratori\r\n"
                              "2023,Gennaio,CIGO,LAZIO,5.0\r\n");
    }
    const grpc::Status status = writer->Finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  // Until aggregation has applied the import (forwarded asynchronously).
  CurlResult conflict;
  for (const absl::Time give_up = absl::Now() + absl::Seconds(60); absl::Now() < give_up;) {
    conflict =
        Curl(Url("/api/v1/query?measures=WORKERS&from=2023-01&to=2023-12&period_level=year"));
    if (conflict.status == 409) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_EQ(conflict.header("content-type"), "application/problem+json");
  EXPECT_NE(Json(conflict)["detail"].get<std::string>().find("additive"), std::string::npos)
      << conflict.body;

  // Unknown names are 404 on every API.
  EXPECT_EQ(Curl(Url("/api/v1/nope")).status, 404);
  EXPECT_EQ(Curl(Url("/dataset/no-such-dataset.ttl")).status, 404);
  EXPECT_EQ(Curl(Url("/dataset/no-such-dataset/datapackage.json")).status, 404);
}

TEST_F(GatewayTest, HealthReadinessAndMetrics) {
  EXPECT_EQ(Curl(Url("/healthz")).status, 200);
  EXPECT_EQ(Curl(Url("/readyz")).status, 200);
  EXPECT_EQ(Curl(Url("/nothing-here")).status, 404);
  absl::StatusOr<std::string> metrics =
      client::HttpGet(cluster_.metrics_address("gateway"), "/metrics", absl::Seconds(5));
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_NE(
      metrics->find("omnia_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"),
      std::string::npos)
      << *metrics;
  EXPECT_NE(metrics->find("route=\"unmatched\",status=\"404\""), std::string::npos);
  // The access log names routes, and never the path of a refused request.
  const std::string logs = cluster_.Logs();
  EXPECT_NE(logs.find("route=/healthz path=/healthz status=200"), std::string::npos);
  EXPECT_EQ(logs.find("nothing-here"), std::string::npos);

  // Without the exporter only queries fail: the gateway stays ready and says it is degraded.
  ASSERT_EQ(cluster_.Stop("exporter"), 0);
  const CurlResult degraded = Curl(Url("/readyz"));
  EXPECT_EQ(degraded.status, 200);
  EXPECT_EQ(degraded.body, "ready, degraded: exporter\n");
  EXPECT_EQ(Curl(Url("/api/v1/query?measures=APPLICATIONS&from=2023-01&to=2023-12")).status, 503);
  EXPECT_EQ(Curl(Url("/api/3/action/package_list")).status, 200);
  // Without the catalogue nothing can be served.
  ASSERT_EQ(cluster_.Stop("catalogue"), 0);
  const CurlResult not_ready = Curl(Url("/readyz"));
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "not ready: catalogue\n");
  EXPECT_EQ(Curl(Url("/healthz")).status, 200);
}

}  // namespace
}  // namespace omnia

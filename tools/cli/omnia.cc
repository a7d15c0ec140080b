// The omnia command-line client. Every subcommand talks to the services over gRPC as any client
// would; `omnia <command> --help` describes one command, `omnia help` lists them all.
//
// Exit codes: 0 success; 1 the server refused or failed (one line on stderr says why); 2 usage.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/base/sha256.h"
#include "libs/client/event_proto.h"
#include "libs/client/event_streamer.h"
#include "libs/client/probes.h"
#include "libs/client/upload.h"
#include "libs/domain/codelists.h"
#include "libs/domain/raw_events_csv.h"
#include "libs/rpc/channel.h"
#include "libs/synth/generator.h"
#include "omnia/v1/aggregation.grpc.pb.h"
#include "omnia/v1/catalogue.grpc.pb.h"
#include "omnia/v1/export.grpc.pb.h"
#include "omnia/v1/ingestion.grpc.pb.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50051",
          "health, services, metrics: HOST:PORT of the server to look at");
ABSL_FLAG(std::string, ingestion, "127.0.0.1:50051", "HOST:PORT of the ingestion service");
ABSL_FLAG(std::string, aggregation, "127.0.0.1:50052", "HOST:PORT of the aggregation service");
ABSL_FLAG(std::string, catalogue, "127.0.0.1:50053", "HOST:PORT of the catalogue service");
ABSL_FLAG(std::string, exporter, "127.0.0.1:50054", "HOST:PORT of the exporter service");
ABSL_FLAG(std::string, query, "",
          "datasets: free text to search in titles, descriptions, keywords");
ABSL_FLAG(std::string, topic, "", "datasets: Argomento filter");
ABSL_FLAG(std::string, source, "", "datasets: Fonte filter");
ABSL_FLAG(int, year, 0, "datasets: only datasets covering this year");
ABSL_FLAG(std::string, formats, "csv,json,json_stat,xml,xlsx",
          "download: comma-separated formats to fetch");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM file of the CA that signed the servers' certificates: connect with TLS (else "
          "plaintext)");
ABSL_FLAG(std::string, tls_cert, "", "with --tls_ca: PEM client certificate, when servers ask");
ABSL_FLAG(std::string, tls_key, "", "with --tls_cert: PEM private key of the client certificate");
ABSL_FLAG(std::string, token, "", "bearer token for write and admin calls (else $OMNIA_TOKEN)");
ABSL_FLAG(std::string, service, "", "health: the service name to check; empty for the server");
ABSL_FLAG(absl::Duration, wait, absl::ZeroDuration(),
          "health: wait up to this long for SERVING instead of checking once");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(120), "deadline of each call");
ABSL_FLAG(bool, wait_applied, false,
          "status: wait until aggregation has applied everything ingestion logged");
ABSL_FLAG(std::string, producer, "omnia-cli", "ingest: producer id of the batches");
ABSL_FLAG(int, batch, 5000, "ingest: events per batch");
ABSL_FLAG(std::string, measures, "APPLICATIONS,WORKERS,BENEFIT_MONTHS",
          "query: comma-separated measures");
ABSL_FLAG(std::string, from, "", "query: first month, YYYY-MM (default 2020-01)");
ABSL_FLAG(std::string, to, "", "query: last month, YYYY-MM (default the latest with data)");
ABSL_FLAG(std::string, regions, "", "query: comma-separated regions or macro-areas");
ABSL_FLAG(std::string, types, "", "query: comma-separated intervention types or families");
ABSL_FLAG(std::string, by, "month,region,type",
          "query: group-by levels, period (month|quarter|year), region (region|macro_area|italy), "
          "type (type|family|all)");
ABSL_FLAG(std::string, release, "", "query, stats: read a frozen release instead of live data");
ABSL_FLAG(std::string, format, "table", "query: output as table, csv or json");
ABSL_FLAG(std::string, description, "", "freeze: release description");
ABSL_FLAG(uint64_t, seed, 1, "generate: random seed");
ABSL_FLAG(int, first_year, 2020, "generate: first year");
ABSL_FLAG(int, last_year, 2025, "generate: last year");
ABSL_FLAG(uint64_t, payments, 1'000'000, "generate: payment events");
ABSL_FLAG(uint64_t, applications, 100'000, "generate: application events");
ABSL_FLAG(uint64_t, workers, 100'000, "generate: distinct workers");
ABSL_FLAG(std::string, out_dir, ".", "generate: folder for applications.csv and payments.csv");

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// TLS credentials from --tls_ca (and the optional client certificate), plaintext without it.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials() {
  const std::string ca = absl::GetFlag(FLAGS_tls_ca);
  const std::string cert = absl::GetFlag(FLAGS_tls_cert);
  const std::string key = absl::GetFlag(FLAGS_tls_key);
  if (ca.empty()) {
    if (!cert.empty() || !key.empty()) {
      return absl::InvalidArgumentError("--tls_cert and --tls_key need --tls_ca");
    }
    return grpc::InsecureChannelCredentials();
  }
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  grpc::SslCredentialsOptions options;
  absl::StatusOr<std::string> root = ReadPem(ca);
  if (!root.ok()) return root.status();
  options.pem_root_certs = *root;
  if (!cert.empty()) {
    absl::StatusOr<std::string> chain = ReadPem(cert);
    absl::StatusOr<std::string> private_key = ReadPem(key);
    if (!chain.ok()) return chain.status();
    if (!private_key.ok()) return private_key.status();
    options.pem_cert_chain = *chain;
    options.pem_private_key = *private_key;
  }
  return grpc::SslCredentials(options);
}

// A channel to `address` with the credentials the flags ask for; main() has checked them.
std::shared_ptr<grpc::Channel> Channel(const std::string& address) {
  return omnia::rpc::CreateChannel(address, *Credentials());
}

std::string Token() {
  std::string token = absl::GetFlag(FLAGS_token);
  if (token.empty()) {
    if (const char* env = std::getenv("OMNIA_TOKEN")) token = env;
  }
  return token;
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_timeout)));
  if (const std::string token = Token(); !token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
  return context;
}

int Fail(const std::string& where, const absl::Status& status) {
  std::cerr << "omnia: " << where << ": " << status.message() << " ("
            << absl::StatusCodeToString(status.code()) << ")\n";
  return kExitFailure;
}

int Fail(const std::string& where, const grpc::Status& status) {
  return Fail(where, absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                                  status.error_message()));
}

// ---- health, services, metrics --------------------------------------------------------------

int Health(const std::vector<std::string>&) {
  auto channel = Channel(absl::GetFlag(FLAGS_address));
  const std::string service = absl::GetFlag(FLAGS_service);
  if (absl::GetFlag(FLAGS_wait) > absl::ZeroDuration()) {
    absl::Status serving =
        omnia::client::WaitUntilServing(channel, service, absl::GetFlag(FLAGS_wait));
    if (!serving.ok()) return Fail(absl::GetFlag(FLAGS_address), serving);
  }
  absl::StatusOr<std::string> status =
      omnia::client::CheckHealth(channel, service, absl::GetFlag(FLAGS_timeout));
  if (!status.ok()) return Fail(absl::GetFlag(FLAGS_address), status.status());
  std::cout << *status << "\n";
  return *status == "SERVING" ? kExitOk : kExitFailure;
}

int Services(const std::vector<std::string>&) {
  absl::StatusOr<std::vector<std::string>> names = omnia::client::ListServicesByReflection(
      Channel(absl::GetFlag(FLAGS_address)), absl::GetFlag(FLAGS_timeout));
  if (!names.ok()) return Fail(absl::GetFlag(FLAGS_address), names.status());
  for (const std::string& name : *names) std::cout << name << "\n";
  return kExitOk;
}

int Metrics(const std::vector<std::string>&) {
  absl::StatusOr<std::string> text = omnia::client::HttpGet(
      absl::GetFlag(FLAGS_address), "/metrics", absl::GetFlag(FLAGS_timeout));
  if (!text.ok()) return Fail(absl::GetFlag(FLAGS_address), text.status());
  std::cout << *text;
  return kExitOk;
}

// ---- ingest ---------------------------------------------------------------------------------

// Shows progress on a terminal only: a line rewritten in place with rate and ETA.
class Progress {
 public:
  Progress(std::string label, uint64_t total_bytes)
      : label_(std::move(label)), total_(total_bytes), tty_(isatty(STDERR_FILENO) == 1) {}

  void Update(uint64_t bytes, uint64_t events) {
    if (!tty_) return;
    const absl::Time now = absl::Now();
    if (now - last_ < absl::Milliseconds(200) && bytes < total_) return;
    last_ = now;
    const double seconds = std::max(1e-3, absl::ToDoubleSeconds(now - start_));
    const double fraction = total_ == 0 ? 1.0 : static_cast<double>(bytes) / total_;
    const double eta = fraction > 0 ? seconds / fraction - seconds : 0;
    const int width = 30;
    const int filled = static_cast<int>(fraction * width);
    std::fprintf(stderr, "\r%s [%s%s] %3.0f%% %llu events, %.0f/s, ETA %.0fs ", label_.c_str(),
                 std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
                 fraction * 100, static_cast<unsigned long long>(events), events / seconds, eta);
  }

  void Done() {
    if (tty_) std::fprintf(stderr, "\n");
  }

 private:
  std::string label_;
  uint64_t total_;
  bool tty_;
  absl::Time start_ = absl::Now();
  absl::Time last_ = absl::InfinitePast();
};

// Parses a raw-event CSV into batches as the streamer asks for them, so memory stays bounded.
class CsvBatchSource final : public omnia::domain::RawEventSink {
 public:
  // Batches are numbered from *sequence + 1 on, and *sequence follows the last one made.
  CsvBatchSource(const std::string& path, const omnia::domain::Codelists& codelists,
                 uint64_t* sequence)
      : in_(path, std::ios::binary), parser_(codelists), path_(path), sequence_(*sequence) {}

  bool ok() const { return static_cast<bool>(in_); }
  const absl::Status& status() const { return status_; }
  uint64_t bytes_read() const { return bytes_; }

  std::optional<omnia::v1::EventBatch> Next() {
    while (ready_.empty() && !finished_) Fill();
    if (ready_.empty()) return std::nullopt;
    omnia::v1::EventBatch batch = std::move(ready_.front());
    ready_.erase(ready_.begin());
    return batch;
  }

  absl::Status OnApplication(const omnia::domain::ApplicationAuthorized& e, int64_t) override {
    omnia::client::ToProto(e, NewEvent()->mutable_application_authorized());
    return absl::OkStatus();
  }

  absl::Status OnPayment(const omnia::domain::PaymentIssued& e, int64_t) override {
    omnia::client::ToProto(e, NewEvent()->mutable_payment_issued());
    return absl::OkStatus();
  }

 private:
  omnia::v1::Event* NewEvent() {
    if (current_.events_size() >= absl::GetFlag(FLAGS_batch)) Seal();
    return current_.add_events();
  }

  void Seal() {
    if (current_.events_size() == 0) return;
    current_.set_producer_id(absl::GetFlag(FLAGS_producer));
    current_.set_sequence(++sequence_);
    ready_.push_back(std::move(current_));
    current_.Clear();
  }

  void Fill() {
    char buffer[1 << 16];
    in_.read(buffer, sizeof(buffer));
    const std::streamsize n = in_.gcount();
    bytes_ += static_cast<uint64_t>(n);
    absl::Status s = n > 0 ? parser_.Feed(std::string_view(buffer, n), this) : absl::OkStatus();
    if (s.ok() && n < static_cast<std::streamsize>(sizeof(buffer))) {
      s = parser_.Finish(this);
      Seal();
      finished_ = true;
    }
    if (!s.ok()) {
      status_ = absl::Status(s.code(), absl::StrCat(path_, ": ", s.message()));
      finished_ = true;
      ready_.clear();
    }
  }

  std::ifstream in_;
  omnia::domain::RawEventsCsvParser parser_;
  std::string path_;
  omnia::v1::EventBatch current_;
  std::vector<omnia::v1::EventBatch> ready_;
  uint64_t& sequence_;
  uint64_t bytes_ = 0;
  bool finished_ = false;
  absl::Status status_;
};

int Ingest(const std::vector<std::string>& files) {
  if (files.empty()) {
    std::cerr << "omnia ingest: name at least one raw-event CSV file\n";
    return kExitUsage;
  }
  const omnia::domain::Codelists codelists = omnia::domain::Codelists::Builtin();
  auto channel = Channel(absl::GetFlag(FLAGS_ingestion));
  // A producer's sequence continues across runs: start after its last acknowledged batch, so a
  // new run is never mistaken for a retry. (Re-sent events are still recognised by their ids.)
  uint64_t sequence = 0;
  {
    auto stub = omnia::v1::IngestionService::NewStub(channel);
    omnia::v1::GetIngestionStatusRequest request;
    request.add_producer_ids(absl::GetFlag(FLAGS_producer));
    omnia::v1::GetIngestionStatusResponse response;
    grpc::Status status = stub->GetIngestionStatus(Context().get(), request, &response);
    if (!status.ok()) return Fail(absl::GetFlag(FLAGS_ingestion), status);
    for (const auto& p : response.producers()) sequence = p.last_acknowledged_sequence();
  }
  omnia::client::StreamerOptions options;
  options.bearer_token = Token();
  omnia::client::EventStreamer streamer(channel, options);
  for (const std::string& file : files) {
    CsvBatchSource source(file, codelists, &sequence);
    if (!source.ok()) return Fail(file, absl::NotFoundError("cannot open the file"));
    std::error_code error;
    Progress progress(file, std::filesystem::file_size(file, error));
    uint64_t events = 0;
    absl::Status streamed = streamer.Run([&] { return source.Next(); },
                                         [&](const omnia::v1::BatchAck& ack) {
                                           events += ack.events_accepted() + ack.events_duplicate();
                                           progress.Update(source.bytes_read(), events);
                                         });
    progress.Done();
    if (!source.status().ok()) return Fail(file, source.status());
    if (!streamed.ok()) return Fail(absl::GetFlag(FLAGS_ingestion), streamed);
  }
  const auto& stats = streamer.stats();
  std::cout << absl::StrFormat("%d events accepted, %d duplicates, %d batches\n",
                               stats.events_accepted, stats.events_duplicate, stats.batches_acked);
  return kExitOk;
}

// ---- import ---------------------------------------------------------------------------------

int Import(const std::vector<std::string>& files) {
  if (files.empty()) {
    std::cerr << "omnia import: name at least one published report file\n";
    return kExitUsage;
  }
  auto stub = omnia::v1::IngestionService::NewStub(Channel(absl::GetFlag(FLAGS_ingestion)));
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Fail(file, absl::NotFoundError("cannot open the file"));
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto context = Context();
    omnia::v1::ImportPublishedReportResponse response;
    auto writer = stub->ImportPublishedReport(context.get(), &response);
    omnia::v1::ImportPublishedReportRequest header;
    header.mutable_header()->set_file_name(std::filesystem::path(file).filename().string());
    header.mutable_header()->set_expected_sha256(omnia::Sha256Hex(content));
    if (writer->Write(header)) omnia::client::WriteUploadBody(*writer, content);
    if (grpc::Status status = writer->Finish(); !status.ok()) return Fail(file, status);
    std::cout << absl::StrFormat("%s: %s, years %s, %d rows, revision %d%s\n", file,
                                 response.measure(), absl::StrJoin(response.years(), ","),
                                 response.rows_imported(), response.revision(),
                                 response.unchanged() ? " (unchanged)" : "");
  }
  return kExitOk;
}

// ---- query ----------------------------------------------------------------------------------

absl::StatusOr<omnia::v1::YearMonth> ParseMonth(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, '-');
  int year = 0;
  int month = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &year) ||
      !absl::SimpleAtoi(parts[1], &month)) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not YYYY-MM"));
  }
  omnia::v1::YearMonth ym;
  ym.set_year(year);
  ym.set_month(month);
  return ym;
}

absl::Status SetLevels(const std::string& by, omnia::v1::CellQuery* q) {
  for (absl::string_view level : absl::StrSplit(absl::AsciiStrToLower(by), ',')) {
    if (level == "month")
      q->set_period_level(omnia::v1::PERIOD_LEVEL_MONTH);
    else if (level == "quarter")
      q->set_period_level(omnia::v1::PERIOD_LEVEL_QUARTER);
    else if (level == "year")
      q->set_period_level(omnia::v1::PERIOD_LEVEL_YEAR);
    else if (level == "region")
      q->set_region_level(omnia::v1::REGION_LEVEL_REGION);
    else if (level == "macro_area")
      q->set_region_level(omnia::v1::REGION_LEVEL_MACRO_AREA);
    else if (level == "italy")
      q->set_region_level(omnia::v1::REGION_LEVEL_ITALY);
    else if (level == "type")
      q->set_type_level(omnia::v1::TYPE_LEVEL_TYPE);
    else if (level == "family")
      q->set_type_level(omnia::v1::TYPE_LEVEL_FAMILY);
    else if (level == "all")
      q->set_type_level(omnia::v1::TYPE_LEVEL_ALL);
    else
      return absl::InvalidArgumentError(absl::StrCat("--by: unknown level '", level, "'"));
  }
  return absl::OkStatus();
}

std::string PeriodText(const omnia::v1::Period& p) {
  switch (p.level()) {
    case omnia::v1::PERIOD_LEVEL_QUARTER:
      return absl::StrFormat("%d-Q%d", p.year(), p.quarter());
    case omnia::v1::PERIOD_LEVEL_YEAR:
      return absl::StrCat(p.year());
    default:
      return absl::StrFormat("%d-%02d", p.year(), p.month());
  }
}

int Query(const std::vector<std::string>&) {
  omnia::v1::QueryRequest request;
  request.set_release_id(absl::GetFlag(FLAGS_release));
  request.set_page_size(10000);
  omnia::v1::CellQuery* q = request.mutable_query();
  for (absl::string_view m :
       absl::StrSplit(absl::GetFlag(FLAGS_measures), ',', absl::SkipEmpty())) {
    q->add_measures(absl::AsciiStrToUpper(m));
  }
  for (absl::string_view r : absl::StrSplit(absl::GetFlag(FLAGS_regions), ',', absl::SkipEmpty())) {
    q->add_regions(std::string(r));
  }
  for (absl::string_view t : absl::StrSplit(absl::GetFlag(FLAGS_types), ',', absl::SkipEmpty())) {
    q->add_intervention_types(std::string(t));
  }
  if (absl::Status s = SetLevels(absl::GetFlag(FLAGS_by), q); !s.ok()) return Fail("query", s);
  if (!absl::GetFlag(FLAGS_from).empty() || !absl::GetFlag(FLAGS_to).empty()) {
    absl::StatusOr<omnia::v1::YearMonth> from =
        ParseMonth(absl::GetFlag(FLAGS_from).empty() ? "2020-01" : absl::GetFlag(FLAGS_from));
    absl::StatusOr<omnia::v1::YearMonth> to =
        ParseMonth(absl::GetFlag(FLAGS_to).empty() ? "2100-12" : absl::GetFlag(FLAGS_to));
    if (!from.ok()) return Fail("--from", from.status());
    if (!to.ok()) return Fail("--to", to.status());
    *q->mutable_period_range()->mutable_first() = *from;
    *q->mutable_period_range()->mutable_last() = *to;
  }
  auto stub = omnia::v1::AggregationService::NewStub(Channel(absl::GetFlag(FLAGS_aggregation)));
  std::vector<omnia::v1::Cell> cells;
  while (true) {
    omnia::v1::QueryResponse response;
    grpc::Status status = stub->Query(Context().get(), request, &response);
    if (!status.ok()) return Fail(absl::GetFlag(FLAGS_aggregation), status);
    cells.insert(cells.end(), response.cells().begin(), response.cells().end());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format == "csv") {
    std::cout << "period,region,intervention_type,measure,value,provenance\n";
    for (const auto& c : cells) {
      std::cout << PeriodText(c.period()) << "," << c.region().code() << ","
                << c.intervention_type().code() << "," << c.measure() << "," << c.value() << ","
                << (c.provenance() == omnia::v1::PROVENANCE_PUBLISHED ? "published" : "micro")
                << "\n";
    }
  } else if (format == "json") {
    std::cout << "[";
    for (size_t i = 0; i < cells.size(); ++i) {
      const auto& c = cells[i];
      std::cout << (i ? ",\n " : "")
                << absl::StrFormat(
                       "{\"period\":\"%s\",\"region\":\"%s\",\"intervention_type\":\"%s\","
                       "\"measure\":\"%s\",\"value\":%d,\"provenance\":\"%s\"}",
                       PeriodText(c.period()), c.region().code(), c.intervention_type().code(),
                       c.measure(), c.value(),
                       c.provenance() == omnia::v1::PROVENANCE_PUBLISHED ? "published" : "micro");
    }
    std::cout << "]\n";
  } else {
    std::cout << absl::StrFormat("%-8s %-22s %-17s %-15s %12s\n", "PERIOD", "REGION", "TYPE",
                                 "MEASURE", "VALUE");
    for (const auto& c : cells) {
      std::cout << absl::StrFormat("%-8s %-22s %-17s %-15s %12d\n", PeriodText(c.period()),
                                   c.region().code(), c.intervention_type().code(), c.measure(),
                                   c.value());
    }
  }
  return kExitOk;
}

// ---- status, stats, freeze, releases, rebuild ---------------------------------------------

int Status(const std::vector<std::string>&) {
  auto stub = omnia::v1::IngestionService::NewStub(Channel(absl::GetFlag(FLAGS_ingestion)));
  omnia::v1::GetIngestionStatusResponse s;
  const absl::Time deadline = absl::Now() + absl::GetFlag(FLAGS_timeout);
  while (true) {
    if (grpc::Status status = stub->GetIngestionStatus(Context().get(), {}, &s); !status.ok()) {
      return Fail(absl::GetFlag(FLAGS_ingestion), status);
    }
    const bool applied =
        s.backlog_entries() == 0 && s.applied_log_sequence() == s.last_log_sequence();
    if (!absl::GetFlag(FLAGS_wait_applied) || applied) break;
    if (absl::Now() > deadline) {
      return Fail(absl::GetFlag(FLAGS_ingestion),
                  absl::DeadlineExceededError("aggregation did not catch up in time"));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  std::cout << absl::StrFormat(
      "events: %d accepted, %d duplicate, %d rejected\n"
      "batches: %d accepted, %d duplicate, %d rejected\n"
      "files: %d published reports, %d raw-event files\n"
      "log: entry %d written, %d applied; backlog %d entries, %d of %d events\n"
      "aggregation reachable: %s%s\n",
      s.events_accepted(), s.events_duplicate(), s.events_rejected(), s.batches_accepted(),
      s.batches_duplicate(), s.batches_rejected(), s.published_reports_imported(),
      s.raw_event_files_imported(), s.last_log_sequence(), s.applied_log_sequence(),
      s.backlog_entries(), s.backlog_events(), s.backlog_limit_events(),
      s.aggregation_reachable() ? "yes" : "no", s.rebuild_in_progress() ? " (rebuilding)" : "");
  for (const auto& p : s.producers()) {
    std::cout << absl::StrFormat("producer %s: last batch %d, %d batches, %d events\n",
                                 p.producer_id(), p.last_acknowledged_sequence(),
                                 p.batches_accepted(), p.events_accepted());
  }
  return kExitOk;
}

int Stats(const std::vector<std::string>&) {
  auto stub = omnia::v1::AggregationService::NewStub(Channel(absl::GetFlag(FLAGS_aggregation)));
  omnia::v1::GetCubeStatsRequest request;
  request.set_release_id(absl::GetFlag(FLAGS_release));
  omnia::v1::GetCubeStatsResponse s;
  if (grpc::Status status = stub->GetCubeStats(Context().get(), request, &s); !status.ok()) {
    return Fail(absl::GetFlag(FLAGS_aggregation), status);
  }
  std::cout << absl::StrFormat("distinct workers: %d\nstorage: %d bytes\nreleases: %d\n",
                               s.distinct_workers(), s.storage_bytes(), s.release_count());
  for (const auto& p : s.producers()) {
    std::cout << absl::StrFormat("producer %s: applied through %d\n", p.producer_id(),
                                 p.last_applied_sequence());
  }
  for (const auto& l : s.levels()) {
    std::cout << absl::StrFormat("%-15s %-8s %-11s %-7s %8d micro %8d published\n", l.measure(),
                                 omnia::v1::PeriodLevel_Name(l.period_level()).substr(13),
                                 omnia::v1::RegionLevel_Name(l.region_level()).substr(13),
                                 omnia::v1::TypeLevel_Name(l.type_level()).substr(11),
                                 l.micro_data_cells(), l.published_cells());
  }
  return kExitOk;
}

int Freeze(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::cerr << "omnia freeze: give exactly one release id\n";
    return kExitUsage;
  }
  auto stub = omnia::v1::AggregationService::NewStub(Channel(absl::GetFlag(FLAGS_aggregation)));
  omnia::v1::FreezeRequest request;
  request.set_release_id(args[0]);
  request.set_description(absl::GetFlag(FLAGS_description));
  omnia::v1::FreezeResponse response;
  if (grpc::Status status = stub->Freeze(Context().get(), request, &response); !status.ok()) {
    return Fail(absl::GetFlag(FLAGS_aggregation), status);
  }
  std::cout << "release " << response.release().release_id()
            << (response.created() ? " created\n" : " already existed\n");
  return kExitOk;
}

int Releases(const std::vector<std::string>&) {
  auto stub = omnia::v1::AggregationService::NewStub(Channel(absl::GetFlag(FLAGS_aggregation)));
  omnia::v1::ListCubeReleasesRequest request;
  request.set_page_size(100);
  while (true) {
    omnia::v1::ListCubeReleasesResponse response;
    grpc::Status status = stub->ListReleases(Context().get(), request, &response);
    if (!status.ok()) return Fail(absl::GetFlag(FLAGS_aggregation), status);
    for (const auto& r : response.releases()) {
      std::cout << absl::StrFormat(
          "%s  %s  %s\n", r.release_id(),
          absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(r.create_time().seconds()),
                           absl::UTCTimeZone()),
          r.description());
    }
    if (response.next_page_token().empty()) return kExitOk;
    request.set_page_token(response.next_page_token());
  }
}

int Rebuild(const std::vector<std::string>&) {
  auto stub = omnia::v1::IngestionService::NewStub(Channel(absl::GetFlag(FLAGS_ingestion)));
  omnia::v1::RebuildAggregationResponse response;
  if (grpc::Status status = stub->RebuildAggregation(Context().get(), {}, &response);
      !status.ok()) {
    return Fail(absl::GetFlag(FLAGS_ingestion), status);
  }
  std::cout << absl::StrFormat("replayed %d log entries (%d events, %d published reports)\n",
                               response.entries_replayed(), response.events_replayed(),
                               response.published_reports_replayed());
  return kExitOk;
}

// ---- catalogue: publish, datasets, dataset, download ----------------------------------------

std::string FormatCode(omnia::v1::Format format) {
  switch (format) {
    case omnia::v1::FORMAT_CSV:
      return "csv";
    case omnia::v1::FORMAT_JSON:
      return "json";
    case omnia::v1::FORMAT_JSON_STAT:
      return "json_stat";
    case omnia::v1::FORMAT_XML:
      return "xml";
    case omnia::v1::FORMAT_XLSX:
      return "xlsx";
    default:
      return "unknown";
  }
}

std::string DateText(const omnia::v1::Date& d) {
  return d.year() == 0 ? "-" : absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

int Publish(const std::vector<std::string>& args) {
  auto stub = omnia::v1::CatalogueService::NewStub(Channel(absl::GetFlag(FLAGS_catalogue)));
  omnia::v1::PublishRequest request;
  if (!args.empty()) request.set_release_id(args[0]);
  request.set_description(absl::GetFlag(FLAGS_description));
  omnia::v1::PublishResponse response;
  if (grpc::Status status = stub->Publish(Context().get(), request, &response); !status.ok()) {
    return Fail(absl::GetFlag(FLAGS_catalogue), status);
  }
  const auto& r = response.release();
  std::cout << absl::StrFormat("release %s%s: %d datasets, %d changed\n", r.release_id(),
                               response.created() ? "" : " (already published)", r.dataset_count(),
                               r.changes_size());
  for (const auto& c : r.changes()) {
    std::cout << "  " << (c.kind() == omnia::v1::CHANGE_KIND_ADDED ? "added   " : "updated ")
              << c.dataset_id() << "\n";
  }
  return kExitOk;
}

absl::StatusOr<std::vector<omnia::v1::Dataset>> AllDatasets() {
  auto stub = omnia::v1::CatalogueService::NewStub(Channel(absl::GetFlag(FLAGS_catalogue)));
  omnia::v1::ListDatasetsRequest request;
  request.set_query(absl::GetFlag(FLAGS_query));
  if (!absl::GetFlag(FLAGS_topic).empty()) request.add_topics(absl::GetFlag(FLAGS_topic));
  if (!absl::GetFlag(FLAGS_source).empty()) request.add_sources(absl::GetFlag(FLAGS_source));
  if (absl::GetFlag(FLAGS_year) > 0) {
    request.mutable_years()->set_first(absl::GetFlag(FLAGS_year));
    request.mutable_years()->set_last(absl::GetFlag(FLAGS_year));
  }
  request.set_release_id(absl::GetFlag(FLAGS_release));
  request.set_page_size(100);
  std::vector<omnia::v1::Dataset> datasets;
  while (true) {
    omnia::v1::ListDatasetsResponse response;
    grpc::Status status = stub->ListDatasets(Context().get(), request, &response);
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    }
    datasets.insert(datasets.end(), response.datasets().begin(), response.datasets().end());
    if (response.next_page_token().empty()) return datasets;
    request.set_page_token(response.next_page_token());
  }
}

int Datasets(const std::vector<std::string>&) {
  absl::StatusOr<std::vector<omnia::v1::Dataset>> datasets = AllDatasets();
  if (!datasets.ok()) return Fail(absl::GetFlag(FLAGS_catalogue), datasets.status());
  for (const auto& d : *datasets) {
    std::vector<std::string> files;
    for (const auto& a : d.attachments()) {
      files.push_back(absl::StrFormat("%s %s", FormatCode(a.format()),
                                      a.size_bytes() >= 10240
                                          ? absl::StrFormat("%dK", a.size_bytes() / 1024)
                                          : absl::StrFormat("%dB", a.size_bytes())));
    }
    std::cout << absl::StrFormat(
        "%s\n  id %s | periodo %d-%02d..%d-%02d | pubblicazione %s | "
        "aggiornato %s\n  allegati: %s\n",
        d.title(), d.dataset_id(), d.coverage().first().year(), d.coverage().first().month(),
        d.coverage().last().year(), d.coverage().last().month(), DateText(d.published_on()),
        DateText(d.updated_on()), absl::StrJoin(files, ", "));
  }
  std::cout << datasets->size() << " datasets\n";
  return kExitOk;
}

int ShowDataset(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::cerr << "omnia dataset: give one dataset id\n";
    return kExitUsage;
  }
  auto stub = omnia::v1::CatalogueService::NewStub(Channel(absl::GetFlag(FLAGS_catalogue)));
  omnia::v1::GetDatasetRequest request;
  request.set_dataset_id(args[0]);
  request.set_release_id(absl::GetFlag(FLAGS_release));
  omnia::v1::GetDatasetResponse response;
  if (grpc::Status status = stub->GetDataset(Context().get(), request, &response); !status.ok()) {
    return Fail(absl::GetFlag(FLAGS_catalogue), status);
  }
  const auto& d = response.dataset();
  std::cout << absl::StrFormat(
      "Titolo: %s\nDescrizione: %s\nPubblicazione: %s\nAggiornato: %s\nProprietario del dato: %s\n"
      "Licenza: %s\nArgomento: %s\nFonte: %s\nMisura: %s (%s)\nRelease: %s\nAllegati:\n",
      d.title(), d.description(), DateText(d.published_on()), DateText(d.updated_on()), d.owner(),
      d.license().name(), d.topic(), d.source(), d.measure().name(),
      d.measure().additive() ? "additiva" : d.measure().additivity_note(), d.release_id());
  for (const auto& a : d.attachments()) {
    std::cout << absl::StrFormat("  %-10s %-48s %10d bytes  sha256 %s\n", FormatCode(a.format()),
                                 a.file_name(), a.size_bytes(), a.sha256());
  }
  return kExitOk;
}

// The attachment's file name, if it is a plain base name: a name from the server is never allowed
// to climb out of --out_dir or to name a hidden file.
absl::StatusOr<std::string> SafeFileName(const std::string& name) {
  const bool plain = !name.empty() && name.size() <= 255 && name.front() != '.' &&
                     name.find_first_of("/\\") == std::string::npos &&
                     std::all_of(name.begin(), name.end(),
                                 [](char c) { return static_cast<unsigned char>(c) >= 0x20; });
  if (!plain) {
    return absl::InvalidArgumentError(
        "the server named an attachment file with a path or control characters; refusing it");
  }
  return name;
}

// Downloads one attachment through the exporter into `dir` and checks its sha256 against the
// catalogue's record; returns the file path.
absl::StatusOr<std::string> DownloadOne(omnia::v1::ExportService::Stub& exporter,
                                        const omnia::v1::Dataset& dataset,
                                        const omnia::v1::Attachment& attachment,
                                        const std::string& dir) {
  omnia::v1::ExportRequest request;
  request.set_dataset_id(dataset.dataset_id());
  request.set_format(attachment.format());
  request.set_release_id(dataset.release_id());
  absl::StatusOr<std::string> name = SafeFileName(attachment.file_name());
  if (!name.ok()) return name.status();
  auto context = Context();
  auto reader = exporter.Export(context.get(), request);
  const std::string path = (std::filesystem::path(dir) / *name).string();
  const std::string partial = path + ".partial";
  std::ofstream out(partial, std::ios::binary | std::ios::trunc);
  omnia::Sha256 sha;
  omnia::v1::ExportResponse message;
  while (reader->Read(&message)) {
    if (message.data().empty()) continue;
    out.write(message.data().data(), static_cast<std::streamsize>(message.data().size()));
    sha.Update(message.data());
  }
  grpc::Status status = reader->Finish();
  out.close();
  if (!status.ok()) {
    std::filesystem::remove(partial);
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  const std::string digest = sha.HexDigest();
  if (digest != attachment.sha256()) {
    std::filesystem::remove(partial);
    return absl::DataLossError(absl::StrCat(attachment.file_name(), ": sha256 ", digest,
                                            " differs from the published ", attachment.sha256()));
  }
  std::filesystem::rename(partial, path);
  return path;
}

int Download(const std::vector<std::string>& args) {
  const std::string dir = absl::GetFlag(FLAGS_out_dir);
  std::filesystem::create_directories(dir);
  absl::StatusOr<std::vector<omnia::v1::Dataset>> datasets = AllDatasets();
  if (!datasets.ok()) return Fail(absl::GetFlag(FLAGS_catalogue), datasets.status());
  const std::vector<std::string> formats = absl::StrSplit(absl::GetFlag(FLAGS_formats), ',');
  auto exporter = omnia::v1::ExportService::NewStub(Channel(absl::GetFlag(FLAGS_exporter)));
  int files = 0;
  for (const auto& d : *datasets) {
    if (!args.empty() && std::find(args.begin(), args.end(), d.dataset_id()) == args.end()) {
      continue;
    }
    for (const auto& a : d.attachments()) {
      if (std::find(formats.begin(), formats.end(), FormatCode(a.format())) == formats.end()) {
        continue;
      }
      absl::StatusOr<std::string> path = DownloadOne(*exporter, d, a, dir);
      if (!path.ok()) return Fail(absl::GetFlag(FLAGS_exporter), path.status());
      ++files;
    }
  }
  std::cout << files << " files downloaded and verified into " << dir << "\n";
  return files > 0 ? kExitOk : kExitFailure;
}

// ---- generate -------------------------------------------------------------------------------

int Generate(const std::vector<std::string>&) {
  omnia::synth::GeneratorOptions options;
  options.seed = absl::GetFlag(FLAGS_seed);
  options.first_year = absl::GetFlag(FLAGS_first_year);
  options.last_year = absl::GetFlag(FLAGS_last_year);
  options.payments = absl::GetFlag(FLAGS_payments);
  options.applications = absl::GetFlag(FLAGS_applications);
  options.workers = absl::GetFlag(FLAGS_workers);
  const std::string dir = absl::GetFlag(FLAGS_out_dir);
  std::filesystem::create_directories(dir);
  const std::string applications = dir + "/applications.csv";
  const std::string payments = dir + "/payments.csv";
  if (absl::Status s = omnia::synth::WriteRawCsv(options, applications, payments); !s.ok()) {
    return Fail("generate", s);
  }
  std::cout << applications << "\n" << payments << "\n";
  return kExitOk;
}

// ---- dispatch -------------------------------------------------------------------------------

struct Command {
  const char* name;
  const char* usage;
  int (*run)(const std::vector<std::string>&);
};

const std::vector<Command>& Commands() {
  static const auto* commands = new std::vector<Command>{
      {"ingest",
       "omnia ingest FILE.csv... [--ingestion=HOST:PORT] [--producer=ID] [--batch=N]\n"
       "  Streams raw-event CSV files (either layout) to ingestion in batches; resends what was\n"
       "  not acknowledged if the connection breaks. Shows progress on a terminal.",
       Ingest},
      {"import",
       "omnia import REPORT.csv... [--ingestion=HOST:PORT]\n"
       "  Imports INPS published report files (Anno,Mese,Tipo_intervento,Regione,numero_*).",
       Import},
      {"query",
       "omnia query [--measures=...] [--from=YYYY-MM] [--to=YYYY-MM] [--regions=...]\n"
       "            [--types=...] [--by=month,region,type] [--release=ID]\n"
       "            [--format=table|csv|json] [--aggregation=HOST:PORT]\n"
       "  Reads cube cells at any level; filters may mix levels (e.g. LOMBARDIA,CENTRO).",
       Query},
      {"status",
       "omnia status [--wait_applied] [--ingestion=HOST:PORT]\n"
       "  Ingestion counters and backlog; --wait_applied waits until aggregation caught up.",
       Status},
      {"stats", "omnia stats [--release=ID] [--aggregation=HOST:PORT]\n  Cube statistics.", Stats},
      {"freeze",
       "omnia freeze RELEASE_ID [--description=TEXT] [--aggregation=HOST:PORT]\n"
       "  Freezes the live cube as an immutable release.",
       Freeze},
      {"releases", "omnia releases [--aggregation=HOST:PORT]\n  Lists frozen cube releases.",
       Releases},
      {"rebuild",
       "omnia rebuild [--ingestion=HOST:PORT] [--timeout=1h]\n"
       "  Recomputes every cube from ingestion's log.",
       Rebuild},
      {"generate",
       "omnia generate [--seed=N] [--first_year=Y] [--last_year=Y] [--payments=N]\n"
       "               [--applications=N] [--workers=N] [--out_dir=DIR]\n"
       "  Writes a deterministic, realistic synthetic dataset as raw-event CSV files.",
       Generate},
      {"publish",
       "omnia publish [RELEASE_ID] [--description=TEXT] [--catalogue=HOST:PORT]\n"
       "  Freezes the cubes and renders every dataset's attachments as a new release.",
       Publish},
      {"datasets",
       "omnia datasets [--query=TEXT] [--topic=T] [--source=S] [--year=Y] [--release=ID]\n"
       "  Lists and searches the catalogue.",
       Datasets},
      {"dataset", "omnia dataset ID [--release=ID]\n  Shows one dataset's metadata and files.",
       ShowDataset},
      {"download",
       "omnia download [ID...] [--formats=csv,json,...] [--out_dir=DIR] [--query=...]\n"
       "  Downloads attachments of the listed (or all matching) datasets and verifies each\n"
       "  file's sha256 against the catalogue.",
       Download},
      {"health",
       "omnia health [--address=HOST:PORT] [--service=NAME] [--wait=DURATION]\n"
       "  Prints a server's health; exit 0 when SERVING.",
       Health},
      {"services", "omnia services [--address=HOST:PORT]\n  Lists services via reflection.",
       Services},
      {"metrics", "omnia metrics --address=HOST:PORT\n  Prints a service's Prometheus metrics.",
       Metrics},
  };
  return *commands;
}

// absl::ParseCommandLine exits with 1 on a bad flag; the documented code for a usage error is 2.
// It exits through std::exit, so an exit handler armed only while it parses turns that 1 into 2
// (help output, which it also ends with std::exit, keeps absl's own code).
std::vector<char*> ParseFlags(int argc, char** argv) {
  static std::atomic<bool> parsing{false};
  static const bool registered = [] {
    std::atexit([] {
      if (parsing.load()) {
        std::fflush(nullptr);
        std::_Exit(kExitUsage);
      }
    });
    return true;
  }();
  (void)registered;
  bool asks_for_help = false;
  for (int i = 1; i < argc; ++i) {
    asks_for_help |= std::string_view(argv[i]).rfind("--help", 0) == 0;
  }
  parsing = !asks_for_help;
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  parsing = false;
  return positional;
}

void PrintHelp() {
  std::cout << "omnia <command> [arguments] [flags]; omnia <command> --help for details\n\n";
  for (const Command& c : Commands()) std::cout << c.usage << "\n\n";
}

}  // namespace

int main(int argc, char** argv) {
  // `omnia <command> --help` prints that command's usage rather than every flag of the tool.
  if (argc >= 3 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h")) {
    for (const Command& c : Commands()) {
      if (argv[1] == std::string(c.name)) {
        std::cout << c.usage << "\n";
        return kExitOk;
      }
    }
  }
  absl::SetProgramUsageMessage("omnia <command> [arguments] [flags]; try `omnia help`");
  std::vector<char*> positional = ParseFlags(argc, argv);
  if (absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> tls = Credentials(); !tls.ok()) {
    std::cerr << "omnia: " << tls.status().message() << "\n";
    return kExitUsage;
  }
  if (positional.size() < 2 || std::string(positional[1]) == "help") {
    PrintHelp();
    return positional.size() < 2 ? kExitUsage : kExitOk;
  }
  const std::string name = positional[1];
  const std::vector<std::string> args(positional.begin() + 2, positional.end());
  for (const Command& c : Commands()) {
    if (name == c.name) return c.run(args);
  }
  std::cerr << "omnia: unknown command '" << name << "'; try `omnia help`\n";
  return kExitUsage;
}

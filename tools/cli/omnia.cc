// The omnia command-line client. Every command talks to the services over gRPC as any client
// would and takes only its own flags; `omnia <command> --help` describes one command, `omnia help`
// lists them all. Service addresses come from OMNIA_<SERVICE>_ADDRESS environment variables
// (OMNIA_INGESTION_ADDRESS, ...), the bearer token from OMNIA_TOKEN; flags override both.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "libs/base/lock_checks.h"
#include "libs/base/sha256.h"
#include "libs/client/event_batch_builder.h"
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

#ifndef OMNIA_VERSION
#define OMNIA_VERSION "unknown"
#endif

namespace {

// The exit codes, as `omnia --help` documents them.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

constexpr char kExitCodes[] =
    "Exit codes: 0 success; 1 a call failed or the server refused (one line on stderr says why), "
    "a health check found the server not SERVING, or download found no file; 2 a usage error: "
    "unknown command, unknown or malformed flag, missing or extra argument.";

constexpr char kEnvironment[] =
    "Environment: OMNIA_INGESTION_ADDRESS, OMNIA_AGGREGATION_ADDRESS, OMNIA_CATALOGUE_ADDRESS, "
    "OMNIA_EXPORTER_ADDRESS (HOST:PORT of each service), OMNIA_ADDRESS (health, services, "
    "metrics), OMNIA_TOKEN (bearer token of write and admin calls), OMNIA_TLS_CA, OMNIA_TLS_CERT, "
    "OMNIA_TLS_KEY; a flag overrides its variable.";

// The services' addresses when neither a flag nor the environment gives one: the local ports.
constexpr char kIngestion[] = "127.0.0.1:50051";
constexpr char kAggregation[] = "127.0.0.1:50052";
constexpr char kCatalogue[] = "127.0.0.1:50053";
constexpr char kExporter[] = "127.0.0.1:50054";

// Flags of every command that calls a service.
struct CallFlags {
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  std::string token;
  absl::Duration timeout = absl::Seconds(120);
};

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// TLS credentials from --tls_ca (and the optional client certificate), plaintext without it.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials(const CallFlags& call) {
  if (call.tls_ca.empty()) {
    if (!call.tls_cert.empty() || !call.tls_key.empty()) {
      return absl::InvalidArgumentError("--tls_cert and --tls_key need --tls_ca");
    }
    return grpc::InsecureChannelCredentials();
  }
  if (call.tls_cert.empty() != call.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  grpc::SslCredentialsOptions options;
  absl::StatusOr<std::string> root = ReadPem(call.tls_ca);
  if (!root.ok()) return root.status();
  options.pem_root_certs = *root;
  if (!call.tls_cert.empty()) {
    absl::StatusOr<std::string> chain = ReadPem(call.tls_cert);
    absl::StatusOr<std::string> private_key = ReadPem(call.tls_key);
    if (!chain.ok()) return chain.status();
    if (!private_key.ok()) return private_key.status();
    options.pem_cert_chain = *chain;
    options.pem_private_key = *private_key;
  }
  return grpc::SslCredentials(options);
}

// A channel to `address` with the credentials the flags ask for; main() has checked them.
std::shared_ptr<grpc::Channel> Channel(const CallFlags& call, const std::string& address) {
  return omnia::rpc::CreateChannel(address, *Credentials(call));
}

std::unique_ptr<grpc::ClientContext> Context(const CallFlags& call) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + call.timeout));
  if (!call.token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", call.token));
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

// ---- output: --format=table|csv|json --------------------------------------------------------

using CsvRows = std::vector<std::vector<std::string>>;

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// Prints a read command's answer: `json` is the response in protobuf's JSON mapping, on one
// line; `csv` the header and rows `csv` gives; `table` what `table` prints.
int Print(const std::string& format, const google::protobuf::Message& response,
          const std::function<void()>& table, const std::function<CsvRows()>& csv) {
  if (format == "json") {
    std::string json;
    if (const auto status = google::protobuf::util::MessageToJsonString(response, &json);
        !status.ok()) {
      return Fail("json", absl::InternalError(std::string(status.message())));
    }
    std::cout << json << "\n";
  } else if (format == "csv") {
    for (const std::vector<std::string>& row : csv()) {
      std::vector<std::string> fields;
      for (const std::string& field : row) fields.push_back(CsvField(field));
      std::cout << absl::StrJoin(fields, ",") << "\n";
    }
  } else {
    table();
  }
  return kExitOk;
}

std::string TimeText(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(time.seconds()),
                          absl::UTCTimeZone());
}

// ---- health, services, metrics --------------------------------------------------------------

struct ProbeFlags {
  std::string address;
  std::string service;
  absl::Duration wait = absl::ZeroDuration();
};

int Health(const CallFlags& call, const ProbeFlags& flags) {
  auto channel = Channel(call, flags.address);
  if (flags.wait > absl::ZeroDuration()) {
    absl::Status serving = omnia::client::WaitUntilServing(channel, flags.service, flags.wait);
    if (!serving.ok()) return Fail(flags.address, serving);
  }
  absl::StatusOr<std::string> status =
      omnia::client::CheckHealth(channel, flags.service, call.timeout);
  if (!status.ok()) return Fail(flags.address, status.status());
  std::cout << *status << "\n";
  return *status == "SERVING" ? kExitOk : kExitFailure;
}

int Services(const CallFlags& call, const ProbeFlags& flags) {
  absl::StatusOr<std::vector<std::string>> names =
      omnia::client::ListServicesByReflection(Channel(call, flags.address), call.timeout);
  if (!names.ok()) return Fail(flags.address, names.status());
  for (const std::string& name : *names) std::cout << name << "\n";
  return kExitOk;
}

int Metrics(const CallFlags& call, const ProbeFlags& flags) {
  absl::StatusOr<std::string> text =
      omnia::client::HttpGet(flags.address, "/metrics", call.timeout);
  if (!text.ok()) return Fail(flags.address, text.status());
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
                 const std::string& producer, int batch_events, uint64_t* sequence)
      : in_(path, std::ios::binary),
        parser_(codelists),
        path_(path),
        producer_(producer),
        batch_events_(batch_events),
        sequence_(*sequence) {}

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
    MakeRoom();
    current_.Add(e);
    return absl::OkStatus();
  }

  absl::Status OnPayment(const omnia::domain::PaymentIssued& e, int64_t) override {
    MakeRoom();
    current_.Add(e);
    return absl::OkStatus();
  }

 private:
  void MakeRoom() {
    if (current_.size() >= static_cast<uint64_t>(batch_events_)) Seal();
  }

  void Seal() {
    if (current_.size() == 0) return;
    ready_.push_back(current_.Take(producer_, ++sequence_));
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
  const std::string producer_;
  const int batch_events_;
  omnia::client::EventBatchBuilder current_;
  std::vector<omnia::v1::EventBatch> ready_;
  uint64_t& sequence_;
  uint64_t bytes_ = 0;
  bool finished_ = false;
  absl::Status status_;
};

struct IngestFlags {
  std::string ingestion;
  std::string producer = "omnia-cli";
  int batch = 5000;
  std::vector<std::string> files;
};

int Ingest(const CallFlags& call, const IngestFlags& flags) {
  const omnia::domain::Codelists codelists = omnia::domain::Codelists::Builtin();
  auto channel = Channel(call, flags.ingestion);
  // A producer's sequence continues across runs: start after its last acknowledged batch, so a
  // new run is never mistaken for a retry. (Re-sent events are still recognised by their ids.)
  uint64_t sequence = 0;
  {
    auto stub = omnia::v1::IngestionService::NewStub(channel);
    omnia::v1::GetIngestionStatusRequest request;
    request.add_producer_ids(flags.producer);
    omnia::v1::GetIngestionStatusResponse response;
    grpc::Status status = stub->GetIngestionStatus(Context(call).get(), request, &response);
    if (!status.ok()) return Fail(flags.ingestion, status);
    for (const auto& p : response.producers()) sequence = p.last_acknowledged_sequence();
  }
  omnia::client::StreamerOptions options;
  options.bearer_token = call.token;
  omnia::client::EventStreamer streamer(channel, options);
  for (const std::string& file : flags.files) {
    CsvBatchSource source(file, codelists, flags.producer, flags.batch, &sequence);
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
    if (!streamed.ok()) return Fail(flags.ingestion, streamed);
  }
  const auto& stats = streamer.stats();
  std::cout << absl::StrFormat("%d events accepted, %d duplicates, %d batches\n",
                               stats.events_accepted, stats.events_duplicate, stats.batches_acked);
  return kExitOk;
}

// ---- import ---------------------------------------------------------------------------------

int Import(const CallFlags& call, const IngestFlags& flags) {
  auto stub = omnia::v1::IngestionService::NewStub(Channel(call, flags.ingestion));
  for (const std::string& file : flags.files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Fail(file, absl::NotFoundError("cannot open the file"));
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto context = Context(call);
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

struct AggregationFlags {
  std::string aggregation;
  std::string format = "table";
  std::string release;
  // query
  std::string measures = "APPLICATIONS,WORKERS,BENEFIT_MONTHS";
  std::string from;
  std::string to;
  std::string regions;
  std::string types;
  std::string by = "month,region,type";
  // freeze
  std::string release_id;
  std::string description;
};

std::string ProvenanceText(const omnia::v1::Cell& c) {
  return c.provenance() == omnia::v1::PROVENANCE_PUBLISHED ? "published" : "micro";
}

int Query(const CallFlags& call, const AggregationFlags& flags) {
  omnia::v1::QueryRequest request;
  request.set_release_id(flags.release);
  request.set_page_size(10000);
  omnia::v1::CellQuery* q = request.mutable_query();
  for (absl::string_view m : absl::StrSplit(flags.measures, ',', absl::SkipEmpty())) {
    q->add_measures(absl::AsciiStrToUpper(m));
  }
  for (absl::string_view r : absl::StrSplit(flags.regions, ',', absl::SkipEmpty())) {
    q->add_regions(std::string(r));
  }
  for (absl::string_view t : absl::StrSplit(flags.types, ',', absl::SkipEmpty())) {
    q->add_intervention_types(std::string(t));
  }
  if (absl::Status s = SetLevels(flags.by, q); !s.ok()) return Fail("query", s);
  if (!flags.from.empty() || !flags.to.empty()) {
    absl::StatusOr<omnia::v1::YearMonth> from =
        ParseMonth(flags.from.empty() ? "2020-01" : flags.from);
    absl::StatusOr<omnia::v1::YearMonth> to = ParseMonth(flags.to.empty() ? "2100-12" : flags.to);
    if (!from.ok()) return Fail("--from", from.status());
    if (!to.ok()) return Fail("--to", to.status());
    *q->mutable_period_range()->mutable_first() = *from;
    *q->mutable_period_range()->mutable_last() = *to;
  }
  auto stub = omnia::v1::AggregationService::NewStub(Channel(call, flags.aggregation));
  // Every page in one response, as --format=json prints it.
  omnia::v1::QueryResponse all;
  while (true) {
    omnia::v1::QueryResponse response;
    grpc::Status status = stub->Query(Context(call).get(), request, &response);
    if (!status.ok()) return Fail(flags.aggregation, status);
    for (omnia::v1::Cell& cell : *response.mutable_cells()) *all.add_cells() = std::move(cell);
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  const auto& cells = all.cells();
  return Print(
      flags.format, all,
      [&] {
        std::cout << absl::StrFormat("%-8s %-22s %-17s %-15s %12s\n", "PERIOD", "REGION", "TYPE",
                                     "MEASURE", "VALUE");
        for (const auto& c : cells) {
          std::cout << absl::StrFormat("%-8s %-22s %-17s %-15s %12d\n", PeriodText(c.period()),
                                       c.region().code(), c.intervention_type().code(), c.measure(),
                                       c.value());
        }
      },
      [&] {
        CsvRows rows = {
            {"period", "region", "intervention_type", "measure", "value", "provenance"}};
        for (const auto& c : cells) {
          rows.push_back({PeriodText(c.period()), c.region().code(), c.intervention_type().code(),
                          c.measure(), absl::StrCat(c.value()), ProvenanceText(c)});
        }
        return rows;
      });
}

// ---- status, stats, freeze, releases, rebuild ---------------------------------------------

struct StatusFlags {
  std::string ingestion;
  std::string format = "table";
  bool wait_applied = false;
};

int IngestionStatus(const CallFlags& call, const StatusFlags& flags) {
  auto stub = omnia::v1::IngestionService::NewStub(Channel(call, flags.ingestion));
  omnia::v1::GetIngestionStatusResponse s;
  const absl::Time deadline = absl::Now() + call.timeout;
  while (true) {
    if (grpc::Status status = stub->GetIngestionStatus(Context(call).get(), {}, &s); !status.ok()) {
      return Fail(flags.ingestion, status);
    }
    const bool applied =
        s.backlog_entries() == 0 && s.applied_log_sequence() == s.last_log_sequence();
    if (!flags.wait_applied || applied) break;
    if (absl::Now() > deadline) {
      return Fail(flags.ingestion,
                  absl::DeadlineExceededError("aggregation did not catch up in time"));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return Print(
      flags.format, s,
      [&] {
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
            s.aggregation_reachable() ? "yes" : "no",
            s.rebuild_in_progress() ? " (rebuilding)" : "");
        for (const auto& p : s.producers()) {
          std::cout << absl::StrFormat("producer %s: last batch %d, %d batches, %d events\n",
                                       p.producer_id(), p.last_acknowledged_sequence(),
                                       p.batches_accepted(), p.events_accepted());
        }
      },
      [&] {
        // One row per producer, beside the service's totals.
        CsvRows rows = {{"producer_id", "last_acknowledged_sequence", "batches_accepted",
                         "events_accepted", "last_acknowledged_time"}};
        rows.push_back({"", absl::StrCat(s.last_log_sequence()), absl::StrCat(s.batches_accepted()),
                        absl::StrCat(s.events_accepted()), TimeText(s.last_applied_time())});
        for (const auto& p : s.producers()) {
          rows.push_back({p.producer_id(), absl::StrCat(p.last_acknowledged_sequence()),
                          absl::StrCat(p.batches_accepted()), absl::StrCat(p.events_accepted()),
                          TimeText(p.last_acknowledged_time())});
        }
        return rows;
      });
}

std::string LevelName(const std::string& enum_name, size_t prefix) {
  return absl::AsciiStrToLower(enum_name.substr(std::min(prefix, enum_name.size())));
}

int Stats(const CallFlags& call, const AggregationFlags& flags) {
  auto stub = omnia::v1::AggregationService::NewStub(Channel(call, flags.aggregation));
  omnia::v1::GetCubeStatsRequest request;
  request.set_release_id(flags.release);
  omnia::v1::GetCubeStatsResponse s;
  if (grpc::Status status = stub->GetCubeStats(Context(call).get(), request, &s); !status.ok()) {
    return Fail(flags.aggregation, status);
  }
  return Print(
      flags.format, s,
      [&] {
        std::cout << absl::StrFormat("distinct workers: %d\nstorage: %d bytes\nreleases: %d\n",
                                     s.distinct_workers(), s.storage_bytes(), s.release_count());
        for (const auto& p : s.producers()) {
          std::cout << absl::StrFormat("producer %s: applied through %d\n", p.producer_id(),
                                       p.last_applied_sequence());
        }
        for (const auto& l : s.levels()) {
          std::cout << absl::StrFormat("%-15s %-8s %-11s %-7s %8d micro %8d published\n",
                                       l.measure(),
                                       omnia::v1::PeriodLevel_Name(l.period_level()).substr(13),
                                       omnia::v1::RegionLevel_Name(l.region_level()).substr(13),
                                       omnia::v1::TypeLevel_Name(l.type_level()).substr(11),
                                       l.micro_data_cells(), l.published_cells());
        }
      },
      [&] {
        CsvRows rows = {{"measure", "period_level", "region_level", "type_level",
                         "micro_data_cells", "published_cells"}};
        for (const auto& l : s.levels()) {
          rows.push_back({l.measure(), LevelName(omnia::v1::PeriodLevel_Name(l.period_level()), 13),
                          LevelName(omnia::v1::RegionLevel_Name(l.region_level()), 13),
                          LevelName(omnia::v1::TypeLevel_Name(l.type_level()), 11),
                          absl::StrCat(l.micro_data_cells()), absl::StrCat(l.published_cells())});
        }
        return rows;
      });
}

int Freeze(const CallFlags& call, const AggregationFlags& flags) {
  auto stub = omnia::v1::AggregationService::NewStub(Channel(call, flags.aggregation));
  omnia::v1::FreezeRequest request;
  request.set_release_id(flags.release_id);
  request.set_description(flags.description);
  omnia::v1::FreezeResponse response;
  if (grpc::Status status = stub->Freeze(Context(call).get(), request, &response); !status.ok()) {
    return Fail(flags.aggregation, status);
  }
  std::cout << "release " << response.release().release_id()
            << (response.created() ? " created\n" : " already existed\n");
  return kExitOk;
}

int Releases(const CallFlags& call, const AggregationFlags& flags) {
  auto stub = omnia::v1::AggregationService::NewStub(Channel(call, flags.aggregation));
  omnia::v1::ListCubeReleasesRequest request;
  request.set_page_size(100);
  omnia::v1::ListCubeReleasesResponse all;
  while (true) {
    omnia::v1::ListCubeReleasesResponse response;
    grpc::Status status = stub->ListReleases(Context(call).get(), request, &response);
    if (!status.ok()) return Fail(flags.aggregation, status);
    for (auto& r : *response.mutable_releases()) *all.add_releases() = std::move(r);
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  return Print(
      flags.format, all,
      [&] {
        for (const auto& r : all.releases()) {
          std::cout << absl::StrFormat("%s  %s  %s\n", r.release_id(), TimeText(r.create_time()),
                                       r.description());
        }
      },
      [&] {
        CsvRows rows = {{"release_id", "create_time", "description"}};
        for (const auto& r : all.releases()) {
          rows.push_back({r.release_id(), TimeText(r.create_time()), r.description()});
        }
        return rows;
      });
}

int Rebuild(const CallFlags& call, const StatusFlags& flags) {
  auto stub = omnia::v1::IngestionService::NewStub(Channel(call, flags.ingestion));
  omnia::v1::RebuildAggregationResponse response;
  if (grpc::Status status = stub->RebuildAggregation(Context(call).get(), {}, &response);
      !status.ok()) {
    return Fail(flags.ingestion, status);
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

struct CatalogueFlags {
  std::string catalogue;
  std::string exporter;
  std::string format = "table";
  std::string release;
  // publish
  std::string description;
  // datasets, download
  std::string query;
  std::string topic;
  std::string source;
  int year = 0;
  std::string formats = "csv,json,json_stat,xml,xlsx";
  std::string out_dir = ".";
  // publish: the release id; dataset: the dataset id; download: the dataset ids.
  std::vector<std::string> ids;
};

int Publish(const CallFlags& call, const CatalogueFlags& flags) {
  auto stub = omnia::v1::CatalogueService::NewStub(Channel(call, flags.catalogue));
  omnia::v1::PublishRequest request;
  if (!flags.ids.empty()) request.set_release_id(flags.ids[0]);
  request.set_description(flags.description);
  omnia::v1::PublishResponse response;
  if (grpc::Status status = stub->Publish(Context(call).get(), request, &response); !status.ok()) {
    return Fail(flags.catalogue, status);
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

// Every dataset matching the flags' filters, all pages in one response.
absl::StatusOr<omnia::v1::ListDatasetsResponse> AllDatasets(const CallFlags& call,
                                                            const CatalogueFlags& flags) {
  auto stub = omnia::v1::CatalogueService::NewStub(Channel(call, flags.catalogue));
  omnia::v1::ListDatasetsRequest request;
  request.set_query(flags.query);
  if (!flags.topic.empty()) request.add_topics(flags.topic);
  if (!flags.source.empty()) request.add_sources(flags.source);
  if (flags.year > 0) {
    request.mutable_years()->set_first(flags.year);
    request.mutable_years()->set_last(flags.year);
  }
  request.set_release_id(flags.release);
  request.set_page_size(100);
  omnia::v1::ListDatasetsResponse all;
  while (true) {
    omnia::v1::ListDatasetsResponse response;
    grpc::Status status = stub->ListDatasets(Context(call).get(), request, &response);
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    }
    for (auto& d : *response.mutable_datasets()) *all.add_datasets() = std::move(d);
    if (response.next_page_token().empty()) return all;
    request.set_page_token(response.next_page_token());
  }
}

std::string MonthText(const omnia::v1::YearMonth& m) {
  return absl::StrFormat("%d-%02d", m.year(), m.month());
}

int Datasets(const CallFlags& call, const CatalogueFlags& flags) {
  absl::StatusOr<omnia::v1::ListDatasetsResponse> all = AllDatasets(call, flags);
  if (!all.ok()) return Fail(flags.catalogue, all.status());
  return Print(
      flags.format, *all,
      [&] {
        for (const auto& d : all->datasets()) {
          std::vector<std::string> files;
          for (const auto& a : d.attachments()) {
            files.push_back(absl::StrFormat("%s %s", FormatCode(a.format()),
                                            a.size_bytes() >= 10240
                                                ? absl::StrFormat("%dK", a.size_bytes() / 1024)
                                                : absl::StrFormat("%dB", a.size_bytes())));
          }
          std::cout << absl::StrFormat(
              "%s\n  id %s | periodo %s..%s | pubblicazione %s | aggiornato %s\n  allegati: %s\n",
              d.title(), d.dataset_id(), MonthText(d.coverage().first()),
              MonthText(d.coverage().last()), DateText(d.published_on()), DateText(d.updated_on()),
              absl::StrJoin(files, ", "));
        }
        std::cout << all->datasets_size() << " datasets\n";
      },
      [&] {
        CsvRows rows = {{"dataset_id", "title", "first_month", "last_month", "published_on",
                         "updated_on", "release_id", "formats"}};
        for (const auto& d : all->datasets()) {
          std::vector<std::string> formats;
          for (const auto& a : d.attachments()) formats.push_back(FormatCode(a.format()));
          rows.push_back({d.dataset_id(), d.title(), MonthText(d.coverage().first()),
                          MonthText(d.coverage().last()), DateText(d.published_on()),
                          DateText(d.updated_on()), d.release_id(), absl::StrJoin(formats, " ")});
        }
        return rows;
      });
}

int ShowDataset(const CallFlags& call, const CatalogueFlags& flags) {
  auto stub = omnia::v1::CatalogueService::NewStub(Channel(call, flags.catalogue));
  omnia::v1::GetDatasetRequest request;
  request.set_dataset_id(flags.ids.at(0));
  request.set_release_id(flags.release);
  omnia::v1::GetDatasetResponse response;
  if (grpc::Status status = stub->GetDataset(Context(call).get(), request, &response);
      !status.ok()) {
    return Fail(flags.catalogue, status);
  }
  const auto& d = response.dataset();
  return Print(
      flags.format, response,
      [&] {
        std::cout << absl::StrFormat(
            "Titolo: %s\nDescrizione: %s\nPubblicazione: %s\nAggiornato: %s\n"
            "Proprietario del dato: %s\nLicenza: %s\nArgomento: %s\nFonte: %s\nMisura: %s (%s)\n"
            "Release: %s\nAllegati:\n",
            d.title(), d.description(), DateText(d.published_on()), DateText(d.updated_on()),
            d.owner(), d.license().name(), d.topic(), d.source(), d.measure().name(),
            d.measure().additive() ? "additiva" : d.measure().additivity_note(), d.release_id());
        for (const auto& a : d.attachments()) {
          std::cout << absl::StrFormat("  %-10s %-48s %10d bytes  sha256 %s\n",
                                       FormatCode(a.format()), a.file_name(), a.size_bytes(),
                                       a.sha256());
        }
      },
      [&] {
        // The attachments, one per row.
        CsvRows rows = {{"format", "file_name", "media_type", "size_bytes", "sha256", "rows"}};
        for (const auto& a : d.attachments()) {
          rows.push_back({FormatCode(a.format()), a.file_name(), a.media_type(),
                          absl::StrCat(a.size_bytes()), a.sha256(), absl::StrCat(a.rows())});
        }
        return rows;
      });
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
absl::StatusOr<std::string> DownloadOne(const CallFlags& call,
                                        omnia::v1::ExportService::Stub& exporter,
                                        const omnia::v1::Dataset& dataset,
                                        const omnia::v1::Attachment& attachment,
                                        const std::string& dir) {
  omnia::v1::ExportRequest request;
  request.set_dataset_id(dataset.dataset_id());
  request.set_format(attachment.format());
  request.set_release_id(dataset.release_id());
  absl::StatusOr<std::string> name = SafeFileName(attachment.file_name());
  if (!name.ok()) return name.status();
  auto context = Context(call);
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

int Download(const CallFlags& call, const CatalogueFlags& flags) {
  std::filesystem::create_directories(flags.out_dir);
  absl::StatusOr<omnia::v1::ListDatasetsResponse> all = AllDatasets(call, flags);
  if (!all.ok()) return Fail(flags.catalogue, all.status());
  const std::vector<std::string> formats = absl::StrSplit(flags.formats, ',');
  auto exporter = omnia::v1::ExportService::NewStub(Channel(call, flags.exporter));
  const std::vector<std::string>& ids = flags.ids;
  int files = 0;
  for (const auto& d : all->datasets()) {
    if (!ids.empty() && std::find(ids.begin(), ids.end(), d.dataset_id()) == ids.end()) continue;
    for (const auto& a : d.attachments()) {
      if (std::find(formats.begin(), formats.end(), FormatCode(a.format())) == formats.end()) {
        continue;
      }
      absl::StatusOr<std::string> path = DownloadOne(call, *exporter, d, a, flags.out_dir);
      if (!path.ok()) return Fail(flags.exporter, path.status());
      ++files;
    }
  }
  std::cout << files << " files downloaded and verified into " << flags.out_dir << "\n";
  return files > 0 ? kExitOk : kExitFailure;
}

// ---- generate -------------------------------------------------------------------------------

struct GenerateFlags {
  omnia::synth::GeneratorOptions options;
  std::string out_dir = ".";
};

int Generate(const GenerateFlags& flags) {
  std::filesystem::create_directories(flags.out_dir);
  const std::string applications = flags.out_dir + "/applications.csv";
  const std::string payments = flags.out_dir + "/payments.csv";
  if (absl::Status s = omnia::synth::WriteRawCsv(flags.options, applications, payments); !s.ok()) {
    return Fail("generate", s);
  }
  std::cout << applications << "\n" << payments << "\n";
  return kExitOk;
}

// ---- the command line -----------------------------------------------------------------------

// The value of the environment variable `name`, or `fallback` when it is unset or empty. Flags
// share one variable between commands, so the environment is read here, as their defaults,
// rather than by the parser (which would also apply it to the commands not chosen).
std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

// A duration such as 30s, 10m or 1h30m.
const CLI::Validator kDuration(
    [](std::string& text) {
      absl::Duration parsed;
      return absl::ParseDuration(text, &parsed)
                 ? std::string()
                 : absl::StrCat("'", text, "' is not a duration such as 30s, 10m or 1h");
    },
    "DURATION");

void AddDuration(CLI::App* command, const std::string& name, absl::Duration* out,
                 const std::string& help) {
  command
      ->add_option_function<std::string>(
          name, [out](const std::string& text) { absl::ParseDuration(text, out); }, help)
      ->check(kDuration)
      ->default_str(absl::FormatDuration(*out));
}

// An address flag whose default is the environment variable `env`, else `fallback`.
void AddAddress(CLI::App* command, const std::string& name, std::string* address, const char* env,
                const std::string& fallback, const std::string& what) {
  *address = EnvOr(env, fallback);
  command->add_option(name, *address, absl::StrCat("HOST:PORT of ", what, " (env ", env, ")"))
      ->capture_default_str();
}

void AddFormat(CLI::App* command, std::string* format) {
  command
      ->add_option("--format", *format,
                   "output: table (for people), csv (a header, then one line per row) or json "
                   "(the response in protobuf's JSON mapping, on one line)")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
}

// The flags of every command that calls a service; their defaults come from the environment.
void AddCallFlags(CLI::App* command, CallFlags* call) {
  call->tls_ca = EnvOr("OMNIA_TLS_CA", "");
  call->tls_cert = EnvOr("OMNIA_TLS_CERT", "");
  call->tls_key = EnvOr("OMNIA_TLS_KEY", "");
  call->token = EnvOr("OMNIA_TOKEN", "");
  command->add_option("--tls_ca", call->tls_ca,
                      "PEM file of the CA that signed the servers' certificates: connect with TLS "
                      "(else plaintext) (env OMNIA_TLS_CA)");
  command->add_option("--tls_cert", call->tls_cert,
                      "with --tls_ca: PEM client certificate, when servers ask (env "
                      "OMNIA_TLS_CERT)");
  command->add_option("--tls_key", call->tls_key,
                      "with --tls_cert: PEM private key of the client certificate (env "
                      "OMNIA_TLS_KEY)");
  // The token is a secret: never shown as a default in the help.
  command->add_option("--token", call->token,
                      "bearer token for write and admin calls (env OMNIA_TOKEN)");
  AddDuration(command, "--timeout", &call->timeout, "deadline of each call");
}

// Every command, each with its own flags, and what runs when it is chosen.
class CommandLine {
 public:
  CommandLine() : app_("omnia: the command-line client of the omnia services", "omnia") {
    app_.set_version_flag("--version", absl::StrCat("omnia ", OMNIA_VERSION));
    app_.require_subcommand(1);
    app_.footer(absl::StrCat(kEnvironment, "\n\n", kExitCodes));
    AddIngestion();
    AddAggregation();
    AddCatalogue();
    AddProbes();
    CLI::App* generate =
        Command("generate",
                "omnia generate [--seed=N] [--first_year=Y] [--last_year=Y] [--payments=N]\n"
                "               [--applications=N] [--workers=N] [--out_dir=DIR]\n"
                "  Writes a deterministic, realistic synthetic dataset as raw-event CSV files.",
                [this] { return Generate(generate_); });
    generate_.options.seed = 1;
    generate_.options.first_year = 2020;
    generate_.options.last_year = 2025;
    generate_.options.payments = 1'000'000;
    generate_.options.applications = 100'000;
    generate_.options.workers = 100'000;
    generate->add_option("--seed", generate_.options.seed, "random seed")->capture_default_str();
    generate->add_option("--first_year", generate_.options.first_year, "first year")
        ->capture_default_str();
    generate->add_option("--last_year", generate_.options.last_year, "last year")
        ->capture_default_str();
    generate->add_option("--payments", generate_.options.payments, "payment events")
        ->capture_default_str();
    generate->add_option("--applications", generate_.options.applications, "application events")
        ->capture_default_str();
    generate->add_option("--workers", generate_.options.workers, "distinct workers")
        ->capture_default_str();
    generate
        ->add_option("--out_dir", generate_.out_dir, "folder for applications.csv and payments.csv")
        ->capture_default_str();
    Command("help", "omnia help\n  Lists the commands.", [this] {
      std::cout << "omnia <command> [arguments] [flags]; omnia <command> --help for details\n\n";
      for (const auto& [name, usage] : usages_) std::cout << usage << "\n\n";
      std::cout << kEnvironment << "\n\n" << kExitCodes << "\n";
      return kExitOk;
    });
  }

  // Parses the command line and runs the chosen command; returns the exit code.
  int Run(int argc, char** argv) {
    try {
      app_.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      // Help and --version are "errors" with code 0 that print what was asked for.
      return app_.exit(e) == 0 ? kExitOk : kExitUsage;
    }
    for (const CLI::App* chosen : app_.get_subcommands()) {
      if (chosen->get_name() != "help") {
        if (absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> tls = Credentials(call_);
            !tls.ok()) {
          std::cerr << "omnia: " << tls.status().message() << "\n";
          return kExitUsage;
        }
      }
      return runs_.at(chosen->get_name())();
    }
    return kExitUsage;
  }

 private:
  CLI::App* Command(const std::string& name, const std::string& usage, std::function<int()> run) {
    // The usage's first line shows the arguments; the lines after it say what the command does.
    std::vector<std::string> lines = absl::StrSplit(usage, '\n');
    std::vector<std::string> said;
    for (size_t i = 1; i < lines.size(); ++i) {
      said.push_back(std::string(absl::StripLeadingAsciiWhitespace(lines[i])));
    }
    CLI::App* command = app_.add_subcommand(name, absl::StrJoin(said, " "));
    command->footer(usage);
    usages_.push_back({name, usage});
    runs_[name] = std::move(run);
    return command;
  }

  // A command that calls a service: the call flags besides its own.
  CLI::App* Call(const std::string& name, const std::string& usage, std::function<int()> run) {
    CLI::App* command = Command(name, usage, std::move(run));
    AddCallFlags(command, &call_);
    return command;
  }

  void AddIngestion() {
    for (const char* name : {"ingest", "import"}) {
      const bool ingest = std::string(name) == "ingest";
      CLI::App* command =
          ingest ? Call("ingest",
                        "omnia ingest FILE.csv... [--ingestion=HOST:PORT] [--producer=ID] "
                        "[--batch=N]\n"
                        "  Streams raw-event CSV files (either layout) to ingestion in batches; "
                        "resends what was\n"
                        "  not acknowledged if the connection breaks. Shows progress on a "
                        "terminal.",
                        [this] { return Ingest(call_, ingest_); })
                 : Call("import",
                        "omnia import REPORT.csv... [--ingestion=HOST:PORT]\n"
                        "  Imports INPS published report files "
                        "(Anno,Mese,Tipo_intervento,Regione,numero_*).",
                        [this] { return Import(call_, ingest_); });
      AddAddress(command, "--ingestion", &ingest_.ingestion, "OMNIA_INGESTION_ADDRESS", kIngestion,
                 "the ingestion service");
      command->add_option("files", ingest_.files, ingest ? "raw-event CSV files" : "report files")
          ->required();
      if (ingest) {
        command->add_option("--producer", ingest_.producer, "producer id of the batches")
            ->capture_default_str();
        command->add_option("--batch", ingest_.batch, "events per batch")
            ->check(CLI::Range(1, 10000))
            ->capture_default_str();
      }
    }
    CLI::App* status =
        Call("status",
             "omnia status [--wait_applied] [--ingestion=HOST:PORT] [--format=table|csv|json]\n"
             "  Ingestion counters and backlog; --wait_applied waits until aggregation caught up.",
             [this] { return IngestionStatus(call_, status_); });
    CLI::App* rebuild = Call("rebuild",
                             "omnia rebuild [--ingestion=HOST:PORT] [--timeout=1h]\n"
                             "  Recomputes every cube from ingestion's log.",
                             [this] { return Rebuild(call_, status_); });
    for (CLI::App* command : {status, rebuild}) {
      AddAddress(command, "--ingestion", &status_.ingestion, "OMNIA_INGESTION_ADDRESS", kIngestion,
                 "the ingestion service");
    }
    status->add_flag("--wait_applied", status_.wait_applied,
                     "wait (up to --timeout) until aggregation has applied everything ingestion "
                     "logged");
    AddFormat(status, &status_.format);
  }

  void AddAggregation() {
    CLI::App* query =
        Call("query",
             "omnia query [--measures=...] [--from=YYYY-MM] [--to=YYYY-MM] [--regions=...]\n"
             "            [--types=...] [--by=month,region,type] [--release=ID]\n"
             "            [--format=table|csv|json] [--aggregation=HOST:PORT]\n"
             "  Reads cube cells at any level; filters may mix levels (e.g. LOMBARDIA,CENTRO).",
             [this] { return Query(call_, aggregation_); });
    query->add_option("--measures", aggregation_.measures, "comma-separated measures")
        ->capture_default_str();
    query->add_option("--from", aggregation_.from, "first month, YYYY-MM (default 2020-01)");
    query->add_option("--to", aggregation_.to, "last month, YYYY-MM (default the latest)");
    query->add_option("--regions", aggregation_.regions, "comma-separated regions or macro-areas");
    query->add_option("--types", aggregation_.types,
                      "comma-separated intervention types or families");
    query
        ->add_option("--by", aggregation_.by,
                     "group-by levels: period (month|quarter|year), region "
                     "(region|macro_area|italy), type (type|family|all)")
        ->capture_default_str();
    CLI::App* stats = Call("stats",
                           "omnia stats [--release=ID] [--aggregation=HOST:PORT] "
                           "[--format=table|csv|json]\n  Cube statistics.",
                           [this] { return Stats(call_, aggregation_); });
    CLI::App* freeze =
        Call("freeze",
             "omnia freeze RELEASE_ID [--description=TEXT] [--aggregation=HOST:PORT]\n"
             "  Freezes the live cube as an immutable release.",
             [this] { return Freeze(call_, aggregation_); });
    freeze->add_option("release_id", aggregation_.release_id, "the new release's id")->required();
    freeze->add_option("--description", aggregation_.description, "release description");
    CLI::App* releases = Call("releases",
                              "omnia releases [--aggregation=HOST:PORT] [--format=table|csv|json]\n"
                              "  Lists frozen cube releases.",
                              [this] { return Releases(call_, aggregation_); });
    for (CLI::App* command : {query, stats, freeze, releases}) {
      AddAddress(command, "--aggregation", &aggregation_.aggregation, "OMNIA_AGGREGATION_ADDRESS",
                 kAggregation, "the aggregation service");
    }
    for (CLI::App* command : {query, stats, releases}) AddFormat(command, &aggregation_.format);
    for (CLI::App* command : {query, stats}) {
      command->add_option("--release", aggregation_.release,
                          "read a frozen release instead of live data");
    }
  }

  void AddCatalogue() {
    CLI::App* publish =
        Call("publish",
             "omnia publish [RELEASE_ID] [--description=TEXT] [--catalogue=HOST:PORT]\n"
             "  Freezes the cubes and renders every dataset's attachments as a new release.",
             [this] { return Publish(call_, catalogue_); });
    publish->add_option("release_id", catalogue_.ids, "the release id (default: the next)")
        ->expected(0, 1);
    publish->add_option("--description", catalogue_.description, "release description");
    CLI::App* datasets =
        Call("datasets",
             "omnia datasets [--query=TEXT] [--topic=T] [--source=S] [--year=Y] [--release=ID]\n"
             "               [--format=table|csv|json] [--catalogue=HOST:PORT]\n"
             "  Lists and searches the catalogue.",
             [this] { return Datasets(call_, catalogue_); });
    CLI::App* dataset = Call("dataset",
                             "omnia dataset ID [--release=ID] [--format=table|csv|json]\n"
                             "  Shows one dataset's metadata and files.",
                             [this] { return ShowDataset(call_, catalogue_); });
    dataset->add_option("dataset_id", catalogue_.ids, "the dataset's id")->required()->expected(1);
    CLI::App* download =
        Call("download",
             "omnia download [ID...] [--formats=csv,json,...] [--out_dir=DIR] [--query=...]\n"
             "  Downloads attachments of the listed (or all matching) datasets and verifies each\n"
             "  file's sha256 against the catalogue.",
             [this] { return Download(call_, catalogue_); });
    download->add_option("dataset_ids", catalogue_.ids, "datasets to download (default: all)");
    download->add_option("--formats", catalogue_.formats, "comma-separated formats to fetch")
        ->capture_default_str();
    download->add_option("--out_dir", catalogue_.out_dir, "folder for the files")
        ->capture_default_str();
    AddAddress(download, "--exporter", &catalogue_.exporter, "OMNIA_EXPORTER_ADDRESS", kExporter,
               "the exporter service");
    for (CLI::App* command : {publish, datasets, dataset, download}) {
      AddAddress(command, "--catalogue", &catalogue_.catalogue, "OMNIA_CATALOGUE_ADDRESS",
                 kCatalogue, "the catalogue service");
    }
    for (CLI::App* command : {datasets, dataset}) AddFormat(command, &catalogue_.format);
    for (CLI::App* command : {datasets, dataset, download}) {
      command->add_option("--release", catalogue_.release, "a past release (default: the latest)");
    }
    for (CLI::App* command : {datasets, download}) {
      command->add_option("--query", catalogue_.query,
                          "free text to search in titles, descriptions, keywords");
      command->add_option("--topic", catalogue_.topic, "Argomento filter");
      command->add_option("--source", catalogue_.source, "Fonte filter");
      command->add_option("--year", catalogue_.year, "only datasets covering this year");
    }
  }

  void AddProbes() {
    CLI::App* health =
        Call("health",
             "omnia health [--address=HOST:PORT] [--service=NAME] [--wait=DURATION]\n"
             "  Prints a server's health; exit 0 when SERVING.",
             [this] { return Health(call_, probe_); });
    health->add_option("--service", probe_.service,
                       "the service name to check; empty for the server");
    AddDuration(health, "--wait", &probe_.wait,
                "wait up to this long for SERVING instead of checking once");
    CLI::App* services = Call("services",
                              "omnia services [--address=HOST:PORT]\n"
                              "  Lists services via reflection.",
                              [this] { return Services(call_, probe_); });
    CLI::App* metrics = Call("metrics",
                             "omnia metrics --address=HOST:PORT\n"
                             "  Prints a service's Prometheus metrics.",
                             [this] { return Metrics(call_, probe_); });
    for (CLI::App* command : {health, services, metrics}) {
      AddAddress(command, "--address", &probe_.address, "OMNIA_ADDRESS", kIngestion,
                 "the server (its metrics endpoint for metrics)");
    }
  }

  CLI::App app_;
  std::vector<std::pair<std::string, std::string>> usages_;
  std::map<std::string, std::function<int()>> runs_;
  CallFlags call_;
  IngestFlags ingest_;
  StatusFlags status_;
  AggregationFlags aggregation_;
  CatalogueFlags catalogue_;
  ProbeFlags probe_;
  GenerateFlags generate_;
};

}  // namespace

int main(int argc, char** argv) {
  omnia::base::TurnOffMutexDeadlockDetection();
  return CommandLine().Run(argc, argv);
}
